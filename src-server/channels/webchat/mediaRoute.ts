// GET /webchat/<slug>/media/<sha256>?v=<visitorId>&e=<expires>&s=<signature>: an agent's attachment for the
// visitor it was signed for, until the link expires, only while it belongs to a message sent in that
// visitor's own chat (never one merged in).
import type { FastifyInstance } from 'fastify';
import { Sha256 } from '../../../src-shared/domain';
import { sendBlob } from '../../blobs/serve';
import type { BlobStore } from '../../blobs/store';
import { sendError } from '../../auth/routes';
import { findIdentity } from '../../store/contacts';
import type { Db } from '../../store/db';
import { findInboxBySlug } from '../../store/directory';
import { blobSentToVisitor } from '../../visibility';
import type { WebchatMedia } from './media';

export function registerWebchatMediaRoute(app: FastifyInstance, db: Db, store: BlobStore, media: WebchatMedia): void {
  app.get<{ Params: { slug: string; sha256: string }; Querystring: { v?: string; e?: string; s?: string } }>(
    '/webchat/:slug/media/:sha256',
    async (request, reply) => {
      const { slug, sha256 } = request.params;
      const { v, e, s } = request.query;
      const notFound = () => sendError(reply, 404, 'NOT_FOUND', 'This file is not available.');
      if (!Sha256.safeParse(sha256).success || !v || !e || !s || !media.verify(slug, sha256, v, e, s)) return notFound();
      const inbox = await findInboxBySlug(db, slug);
      if (!inbox || inbox.channel !== 'webchat') return notFound();
      const identity = await findIdentity(db, inbox.id, v);
      if (!identity) return notFound();
      const sent = await blobSentToVisitor(db, inbox.id, v, sha256);
      if (!sent) return notFound();
      return sendBlob(request, reply, store, sha256, sent.mime, notFound, false);
    },
  );
}
