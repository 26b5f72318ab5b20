// Agents' attachments on the customer's page: each visitor gets URLs signed for them alone, with an
// expiry inside the signature (/webchat/<slug>/media/<sha256>?v=<visitorId>&e=<expires ms>&s=<hmac>), so a
// link shared elsewhere reveals nothing, stops working after ttlMs, and a guessed sha256 opens nothing.
// The page gets fresh links with every history (join). The key lives in the database (server_secrets), so
// links survive restarts and a link signed by one server process is accepted by every other.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { Queryable } from '../../store/db';
import { sharedSecret } from '../../store/secrets';
import type { WebchatMessage } from '../../../src-shared/webchat';
import type { StoredWebchatMessage } from './store';

/** How long a media link works (BANDEJA_WEBCHAT_MEDIA_TTL_MS sets another). */
export const WEBCHAT_MEDIA_TTL_MS = 3_600_000;

export class WebchatMedia {
  constructor(
    private readonly key: Buffer,
    readonly ttlMs: number = WEBCHAT_MEDIA_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The key every process shares, created by the first that needs it. A key file an older server left in
   *  its data folder (`legacyKeyFile`) becomes that key, so the links it signed keep working. */
  static async fromDatabase(db: Queryable, legacyKeyFile: string, ttlMs?: number, now: () => number = Date.now): Promise<WebchatMedia> {
    const create = () => (existsSync(legacyKeyFile) ? readFileSync(legacyKeyFile, 'utf8').trim() : randomBytes(32).toString('hex'));
    const hex = await sharedSecret(db, 'webchat-media-key', create, now());
    return new WebchatMedia(Buffer.from(hex, 'hex'), ttlMs, now);
  }

  private signature(slug: string, sha256: string, visitorId: string, expires: string): string {
    return createHmac('sha256', this.key).update(`${slug}\n${sha256}\n${visitorId}\n${expires}`).digest('base64url');
  }

  url(slug: string, sha256: string, visitorId: string): string {
    const expires = String(this.now() + this.ttlMs);
    const q = new URLSearchParams({ v: visitorId, e: expires, s: this.signature(slug, sha256, visitorId, expires) });
    return `/webchat/${encodeURIComponent(slug)}/media/${sha256}?${q.toString()}`;
  }

  /** The link is this visitor's, unaltered and not expired (an expired one answers like an unknown one). */
  verify(slug: string, sha256: string, visitorId: string, expires: string, signature: string): boolean {
    if (!/^\d{1,16}$/.test(expires) || Number(expires) <= this.now()) return false;
    const want = Buffer.from(this.signature(slug, sha256, visitorId, expires));
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
