// Agents' attachments on the customer's page: each visitor gets URLs signed for them alone
// (/webchat/<slug>/media/<sha256>?v=<visitorId>&s=<hmac>), so a link shared elsewhere reveals
// nothing and a guessed sha256 opens nothing. The key lives in the data folder so links survive restarts.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { WebchatMessage } from '../../../src-shared/webchat';
import type { StoredWebchatMessage } from './store';

export class WebchatMedia {
  constructor(private readonly key: Buffer) {}

  static fromKeyFile(path: string): WebchatMedia {
    if (!existsSync(path)) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
    }
    return new WebchatMedia(Buffer.from(readFileSync(path, 'utf8').trim(), 'hex'));
  }

  private signature(slug: string, sha256: string, visitorId: string): string {
    return createHmac('sha256', this.key).update(`${slug}\n${sha256}\n${visitorId}`).digest('base64url');
  }

  url(slug: string, sha256: string, visitorId: string): string {
    const q = new URLSearchParams({ v: visitorId, s: this.signature(slug, sha256, visitorId) });
    return `/webchat/${encodeURIComponent(slug)}/media/${sha256}?${q.toString()}`;
  }

  verify(slug: string, sha256: string, visitorId: string, signature: string): boolean {
    const want = Buffer.from(this.signature(slug, sha256, visitorId));
    const got = Buffer.from(signature);
    return want.length === got.length && timingSafeEqual(want, got);
  }

  /** The message as this visitor's page gets it. */
  forVisitor(slug: string, visitorId: string, m: StoredWebchatMessage): WebchatMessage {
    return {
      ...m,
      attachments: m.attachments.map((a) => ({
        url: this.url(slug, a.sha256, visitorId),
        name: a.name,
        mime: a.mime,
        kind: a.kind,
        durationMs: a.durationMs,
      })),
    };
  }
}
