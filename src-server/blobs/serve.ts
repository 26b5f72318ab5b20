// Sends a stored blob, honouring a single byte range (audio and video elements seek with them).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createReadStream } from 'node:fs';
import type { BlobFiles } from './files';

/** `cacheable`: false for links that expire (a webchat customer's signed media), which the browser must not
 *  keep beyond them. */
export function sendBlob(
  request: FastifyRequest,
  reply: FastifyReply,
  files: BlobFiles,
  sha256: string,
  mime: string,
  cacheable = true,
): FastifyReply {
  const size = files.size(sha256);
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
    reply.header('content-range', `bytes ${start}-${end}/${size}`);
    reply.header('content-length', String(end - start + 1));
    return reply.code(206).send(createReadStream(files.path(sha256), { start, end }));
  }
  reply.header('content-length', String(size));
  return reply.send(files.read(sha256));
}
