// PUT /blobs/<sha256> (upload, idempotent; the bytes are always sent and checked) and GET /blobs/<sha256> (read back), Bearer session token.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { MAX_ATTACHMENT_BYTES, Sha256 } from '../../src-shared/domain';
import { BandejaError, type ErrorCode } from '../../src-shared/errors';
import { bearerToken, sendError } from '../auth/routes';
import type { Sessions } from '../auth/sessions';
import type { Limits } from '../limits/config';
import type { RateCounters } from '../limits/counters';
import { httpLimit, sendRateLimited } from '../limits/http';
import { recordBlob } from '../store/blobs';
import type { Db } from '../store/db';
import { viewerOf, type UserWithTenant } from '../store/directory';
import { readableBlob } from '../visibility';
import type { AllowedMime } from '../../src-shared/rules/fileType';
import { tooLarge, type BlobStore } from './store';
import { sendBlob } from './serve';

const STATUS: Partial<Record<ErrorCode, number>> = { FILE_TOO_LARGE: 413, FORBIDDEN_FILE_TYPE: 415, HASH_MISMATCH: 400 };

type BlobRequest = FastifyRequest<{ Params: { sha256: string } }>;

const DRAIN_MS = 2000;

/** Reads and drops the rest of a refused upload for at most DRAIN_MS; a client still sending after that is cut. */
function drainBriefly(body: Readable | undefined): Promise<void> {
  if (!body || body.readableEnded || body.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(done, DRAIN_MS);
    body.once('end', done);
    body.once('error', done);
    body.once('close', done);
    body.resume();
  });
}

export interface BlobRouteDeps {
  sessions: Sessions;
  limits: Limits;
  counters: RateCounters;
}

async function authenticate(sessions: Sessions, request: FastifyRequest, reply: FastifyReply): Promise<UserWithTenant | null> {
  const token = bearerToken(request.headers.authorization);
  const user = token ? await sessions.userFor(token) : null;
  if (!user) sendError(reply, 401, 'UNAUTHORIZED', 'Sign in again: send the session token as "Authorization: Bearer <token>".');
  return user;
}

export function registerBlobRoutes(app: FastifyInstance, db: Db, store: BlobStore, deps: BlobRouteDeps): void {
  const { sessions } = deps;
  // Only requests without a valid session are counted per address: behind one shared address (a call
  // center's NAT) one host's uploads must not spend everyone's. Signed-in uploads count per account.
  const unauthenticatedPerAddress = httpLimit(app, 'upload-unauthenticated-address', deps.limits.uploadUnauthenticatedPerAddress);
  // Uploads are streamed as they come (never buffered whole), in their own scope so the JSON API
  // keeps its parsers and body limit.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

    scope.put('/blobs/:sha256', async (request: BlobRequest, reply) => {
      const body = request.body as Readable | undefined;
      const refuse = (status: number, code: ErrorCode, message: string) => {
        // Whatever the client is still sending is not read: close the connection after answering.
        reply.header('connection', 'close');
        body?.resume();
        return sendError(reply, status, code, message);
      };
      const refuseLimited = (retryAfterMs: number) => {
        reply.header('connection', 'close');
        body?.resume();
        return sendRateLimited(reply, retryAfterMs, 'Too many uploads at once. Bandeja sends the file again in a moment.');
      };
      // For the refusals STATUS names (too large, forbidden type, damaged).
      const refuseWith = (e: BandejaError) => refuse(STATUS[e.code]!, e.code, e.message);
      const { sha256 } = request.params;
      if (!Sha256.safeParse(sha256).success) return refuse(400, 'INVALID_ARGS', "Upload to /blobs/<the file's lowercase hex sha256>.");
      // Refused before any lookup. The client is still sending the file: what arrives within a moment is
      // read and dropped, so that it reads the 413 rather than a broken pipe (and its outbox a refusal for
      // good rather than a network error to retry).
      const declared = Number(request.headers['content-length'] ?? '0');
      if (declared > MAX_ATTACHMENT_BYTES) {
        await drainBriefly(body);
        return refuseWith(tooLarge());
      }
      const token = bearerToken(request.headers.authorization);
      const user = token ? await sessions.userFor(token) : null;
      if (!user) {
        const fromAddress = await unauthenticatedPerAddress(request);
        if (fromAddress !== null) return refuseLimited(fromAddress);
        return refuse(401, 'UNAUTHORIZED', 'Sign in again: send the session token as "Authorization: Bearer <token>".');
      }
      const byAccount = await deps.counters.take('upload-account', user.id, deps.limits.uploadPerAccount);
      if (!byAccount.ok) return refuseLimited(byAccount.retryAfterMs);
      const contentType = request.headers['content-type'] ?? '';
      const holder = { tenantId: user.tenantId, uploadedBy: user.id };
      // Recorded in a transaction holding the file's lock, checking it is still on disk (store/blobs.ts).
      const record = (blob: { mime: AllowedMime; size: number }) =>
        db.tx((tx) => recordBlob(tx, holder, { sha256, ...blob }, Date.now(), (tx) => store.has(sha256, tx)));
      // The bytes always come and are checked, even for a file the server holds already: holding a file is
      // proved by its bytes, never by naming its hash, and the answer is the same whether or not the hash
      // is stored anywhere (so nobody learns that it is).
      if (!body) return refuse(400, 'HASH_MISMATCH', 'The upload was empty.');
      // A client that goes away halfway (killed, network lost) must not leave the receive waiting.
      const raw = request.raw;
      const onClose = () => {
        if (!raw.complete) body.destroy(new Error('The upload was cut off.'));
      };
      raw.once('close', onClose);
      raw.socket.once('close', onClose);
      // Authenticating took a moment: the connection may already be gone, and 'close' will not come again.
      if (raw.destroyed || raw.socket.destroyed) onClose();
      try {
        const received = await store.receive(body as AsyncIterable<Buffer>, sha256, contentType);
        // A fresh file is younger than GC's grace, so it is still there; if not, the client sends it again.
        if (!(await record(received)))
          return sendError(reply, 503, 'INTERNAL', 'The file was removed while it was being stored. Send it again.');
        return reply.code(201).send({ sha256, ...received });
      } catch (e) {
        if (e instanceof BandejaError && STATUS[e.code]) return refuseWith(e);
        throw e;
      }
    });
  });

  app.get('/blobs/:sha256', async (request: BlobRequest, reply) => {
    const { sha256 } = request.params;
    const user = await authenticate(sessions, request, reply);
    if (!user) return reply;
    const readable = Sha256.safeParse(sha256).success ? await readableBlob(db, user.tenantId, viewerOf(user), sha256) : null;
    const notFound = () => sendError(reply, 404, 'NOT_FOUND', 'This file does not exist or is not yours to see.');
    if (!readable) return notFound();
    return sendBlob(request, reply, store, sha256, readable.mime, notFound);
  });
}
