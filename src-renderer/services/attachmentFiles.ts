// Turning a picked, dropped or pasted file into a staged attachment. Size and type are checked here
// first (by the file's first bytes, like the core and the server do) so the agent gets a clear
// error at once, before any bytes cross to the core.
import { MAX_ATTACHMENT_BYTES, type Attachment } from '../../src-shared/domain';
import { SNIFF_BYTES, sniffMime } from '../../src-shared/rules/fileType';
import { call, IpcError } from '../bridge/client';

export async function bytesToBase64(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let s = '';
  // Chunks keep String.fromCharCode's argument list small.
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Throws IpcError FILE_TOO_LARGE / FORBIDDEN_FILE_TYPE (translated by describeError) before staging. */
export async function checkFile(file: Blob & { name?: string }): Promise<string> {
  const name = file.name || 'file';
  if (file.size > MAX_ATTACHMENT_BYTES) throw new IpcError('FILE_TOO_LARGE', 'too large', { name });
  if (file.size === 0) throw new IpcError('EMPTY_MESSAGE', 'empty', { name });
  const head = new Uint8Array(await file.slice(0, SNIFF_BYTES).arrayBuffer());
  const mime = sniffMime(head, file.type);
  if (!mime) throw new IpcError('FORBIDDEN_FILE_TYPE', 'forbidden', { name });
  return mime;
}

export async function stageFile(
  file: Blob & { name?: string },
  opts: { kind?: Attachment['kind']; durationMs?: number | null; name?: string } = {},
): Promise<Attachment> {
  const mime = await checkFile(file);
  return call('attachment.stage', {
    name: opts.name ?? file.name ?? 'file',
    mime,
    dataBase64: await bytesToBase64(file),
    kind: opts.kind ?? 'file',
    durationMs: opts.durationMs ?? null,
  });
}

const urls = new Map<string, Promise<string>>();

/** A blob: URL for an attachment's bytes (read once from the core, which fetches it from the server
 *  if this device does not have it). Kept for the session: the same file shows in many places. */
export function attachmentUrl(a: Pick<Attachment, 'sha256' | 'mime'>): Promise<string> {
  let url = urls.get(a.sha256);
  if (!url) {
    url = call('attachment.read', { sha256: a.sha256 }).then(({ dataBase64 }) => {
      const raw = atob(dataBase64);
      const bytes = new Uint8Array(raw.length);
      for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
      return URL.createObjectURL(new Blob([bytes], { type: a.mime }));
    });
    url.catch(() => urls.delete(a.sha256));
    urls.set(a.sha256, url);
  }
  return url;
}

export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
