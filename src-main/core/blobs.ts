// This device's attachments, by content: <data>/client/blobs/<sha256>. A file is checked (size, and
// type by its first bytes) before it is kept, and written whole (temporary file, then rename), so a
// blob here is always complete and is exactly what its name hashes to.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_ATTACHMENT_BYTES, type Attachment } from '../../src-shared/domain';
import { BandejaError } from '../../src-shared/errors';
import { SNIFF_BYTES, kindOfMime, sniffMime } from '../../src-shared/rules/fileType';

export interface StageInput {
  name: string;
  mime: string;
  bytes: Buffer;
  kind: Attachment['kind'];
  durationMs: number | null;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Checks a file against the limits; the Attachment it becomes. Throws FILE_TOO_LARGE / FORBIDDEN_FILE_TYPE. */
export function checkAttachment(input: StageInput): Attachment {
  if (input.bytes.length === 0) throw new BandejaError('EMPTY_MESSAGE', 'This file is empty.');
  if (input.bytes.length > MAX_ATTACHMENT_BYTES)
    throw new BandejaError('FILE_TOO_LARGE', `Files can be up to ${MAX_ATTACHMENT_BYTES / (1024 * 1024)} MB.`, {
      maxBytes: String(MAX_ATTACHMENT_BYTES),
      name: input.name,
    });
  const mime = sniffMime(input.bytes.subarray(0, SNIFF_BYTES), input.mime);
  if (!mime)
    throw new BandejaError('FORBIDDEN_FILE_TYPE', 'This type of file cannot be sent, or it is not what its type says.', {
      name: input.name,
    });
  // A recording stays a voice note; anything else is shown by what it really is.
  const shownAs = kindOfMime(mime);
  const kind: Attachment['kind'] = input.kind === 'voice' && shownAs === 'audio' ? 'voice' : shownAs;
  return {
    sha256: sha256Hex(input.bytes),
    name: input.name.slice(0, 200),
    mime,
    size: input.bytes.length,
    kind,
    durationMs: input.durationMs === null ? null : Math.max(1, Math.round(input.durationMs)),
  };
}

export class ClientBlobs {
  constructor(readonly dir: string) {}

  path(sha256: string): string {
    return join(this.dir, sha256);
  }

  has(sha256: string): boolean {
    return existsSync(this.path(sha256));
  }

  read(sha256: string): Buffer {
    return readFileSync(this.path(sha256));
  }

  /** Checks and keeps a file; staging the same bytes twice keeps one copy. */
  stage(input: StageInput): Attachment {
    const attachment = checkAttachment(input);
    this.keep(attachment.sha256, input.bytes);
    return attachment;
  }

  /** Keeps bytes under their sha256 (refused when they do not hash to it). */
  keep(sha256: string, bytes: Buffer): void {
    if (sha256Hex(bytes) !== sha256) throw new BandejaError('HASH_MISMATCH', 'The file arrived damaged. Try again.');
    if (this.has(sha256)) {
      // Kept again (staged anew): start-up housekeeping must not take it while the agent is sending it.
      const now = new Date();
      utimesSync(this.path(sha256), now, now);
      return;
    }
    mkdirSync(this.dir, { recursive: true });
    const tmp = join(this.dir, `.${randomUUID()}.part`);
    try {
      writeFileSync(tmp, bytes, { flag: 'wx' });
      renameSync(tmp, this.path(sha256));
    } finally {
      rmSync(tmp, { force: true });
    }
  }
}
