// Sends a stored blob, honouring a single byte range (audio and video elements seek with them); a range
// reads only its part of the store (a few chunks, or an S3 ranged GET).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { BlobStore } from './store';

/** `cacheable`: false for links that expire (a webchat customer's signed media), which the browser must not
 *  keep beyond them. Answers 404 (via `notFound`) when the blob is not in the store. */
export async function sendBlob(
  request: FastifyRequest,
  reply: FastifyReply,
  store: BlobStore,
  sha256: string,
  mime: string,
  notFound: () => FastifyReply,
  cacheable = true,
): Promise<FastifyReply> {
  const info = await store.stat(sha256);
  if (!info) return notFound();
  const size = info.size;
  reply.header('content-type', mime);
  reply.header('accept-ranges', 'bytes');
  reply.header('x-content-type-options', 'nosniff');
  reply.header('cache-control', cacheable ? 'private, max-age=31536000, immutable' : 'no-store');
  const m = /^bytes=(\d*)-(\d*)$/.exec(request.headers.range ?? '');
  if (m && (m[1] || m[2])) {
    // "bytes=-n" is the last n bytes; an end past the file stops at its last byte.
    const start = m[1] ? Number(m[1]) : Math.max(0, size - Number(m[2]));
    const end = m[1] && m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
    if (start > end || start >= size) {
      reply.header('content-range', `bytes */${size}`);
      return reply.code(416).send();
    }
    const body = await store.read(sha256, { start, end });
    reply.header('content-range', `bytes ${start}-${end}/${size}`);
    reply.header('content-length', String(end - start + 1));
    return reply.code(206).send(body);
  }
  const body = size === 0 ? '' : await store.read(sha256);
  reply.header('content-length', String(size));
  return reply.send(body);
}
