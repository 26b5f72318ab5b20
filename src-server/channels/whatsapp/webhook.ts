// WhatsApp Cloud API webhooks: GET /webhooks/whatsapp answers Meta's subscription check; POST carries
// customers' messages and the statuses of ours, signed with the app secret (X-Hub-Signature-256 over
// the raw body). A bad signature or a body that is not a WhatsApp webhook is refused and stores nothing.
// Within a batch each message and status stands alone: every good one is stored (once, however often Meta
// repeats the batch) and each bad one is reported in the answer and logged without its text.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { MESSAGE_MAX_CHARS, type Attachment, type MessageState } from '../../../src-shared/domain';
import { isBandejaError, type ErrorCode } from '../../../src-shared/errors';
import { MAX_EPOCH_MS, key, line, text } from '../../../src-shared/values';
import { sendError } from '../../auth/routes';
import type { BlobStore } from '../../blobs/store';
import { recordBlob } from '../../store/blobs';
import { listWhatsAppAccounts, type WhatsAppAccount } from '../../store/channelAccounts';
import { writeTenantChanges } from '../../store/changeLog';
import { currentContactId, findIdentity, insertContact, insertIdentity, logContact } from '../../store/contacts';
import { reportMessageState } from '../../store/conversations';
import type { Db, Tx } from '../../store/db';
import { linkExternalId, messageOfExternalId, messageOfStatus } from '../../store/deliveries';
import type { ChangeBatch } from '../../store/changeLog';
import { getInbox, type InboxRow } from '../../store/directory';
import type { SyncHub } from '../../sync/hub';
import { definitiveRefusal, describeWriteError, isTransientWriteError } from '../../store/writeErrors';
import { insertCustomerMessage } from '../customerMessages';
import { fetchMedia, providerReason } from './graph';

export const WEBHOOK_PATH = '/webhooks/whatsapp';
/** Meta's payloads are small (media travels by id); anything this big is not one. */
const MAX_WEBHOOK_BYTES = 1024 * 1024;

/** Longest text kept from a webhook field (WhatsApp's own limits are lower). */
const MAX_TEXT = MESSAGE_MAX_CHARS * 4;
const Media = z.object({
  id: key(512, { min: 1 }),
  mime_type: key(200).optional(),
  caption: text(MAX_TEXT).optional(),
  filename: line(1000).optional(),
  voice: z.boolean().optional(),
});
const InboundMessage = z.object({
  from: z.string().regex(/^\d{4,20}$/),
  id: key(512, { min: 1 }),
  timestamp: z
    .string()
    .regex(/^\d{1,12}$/)
    .refine((s) => Number(s) * 1000 <= MAX_EPOCH_MS, 'is beyond any date Bandeja keeps'),
  type: key(64),
  text: z.object({ body: text(MAX_TEXT) }).optional(),
  image: Media.optional(),
  audio: Media.optional(),
  video: Media.optional(),
  document: Media.optional(),
  sticker: Media.optional(),
  location: z
    .object({ latitude: z.number().finite(), longitude: z.number().finite(), name: line(1000).optional(), address: line(1000).optional() })
    .optional(),
  reaction: z.object({ emoji: line(64).optional(), message_id: key(512) }).optional(),
});
type InboundMessage = z.infer<typeof InboundMessage>;
const StatusError = z.object({
  code: z.number().int(),
  title: line(1000).optional(),
  message: text(MAX_TEXT).optional(),
  error_data: z.object({ details: text(MAX_TEXT).optional() }).optional(),
});
const Status = z.object({
  id: key(512, { min: 1 }),
  status: key(64),
  timestamp: z.string().optional(),
  recipient_id: z.string().optional(),
  errors: z.array(StatusError).optional(),
});
type Status = z.infer<typeof Status>;
const Contact = z.object({ wa_id: key(64), profile: z.object({ name: line(200).optional() }).optional() });
/** One change's envelope; its messages, statuses and contacts are read one by one. */
const MessagesValue = z.object({
  messaging_product: z.literal('whatsapp'),
  metadata: z.object({ phone_number_id: key(64, { min: 1 }) }),
  contacts: z.array(z.unknown()).optional(),
  messages: z.array(z.unknown()).optional(),
  statuses: z.array(z.unknown()).optional(),
});
type MessagesValue = z.infer<typeof MessagesValue>;

/** An item of a batch that was not stored, as the answer reports it (never with its text). */
interface Refusal {
  id?: string;
  code: ErrorCode;
  message: string;
}

/** What happened to a batch: refused items, and whether something must be tried again (Meta repeats a
 *  webhook that did not answer 200; what was stored is skipped then). */
interface BatchReport {
  refused: Refusal[];
  retry: boolean;
}

/** A failure that may pass (a media download, a file removed meanwhile, a lost race): Meta retries. */
class RetryLater extends Error {}
const Payload = z.object({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(z.object({ id: z.string(), changes: z.array(z.object({ field: z.string(), value: z.unknown() })) })),
});

const STATUS_STATES: Record<string, MessageState> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  played: 'read',
  failed: 'failed',
};

export interface WhatsAppDeps {
  db: Db;
  hub: SyncHub;
  files: BlobStore;
  log: (line: string) => void;
  /** Told how many items of a webhook were refused (metrics). */
  onRefused?: (items: number) => void;
}

function signatureMatches(raw: Buffer, header: string | undefined, secret: string): boolean {
  const m = /^sha256=([0-9a-f]{64})$/i.exec(header?.trim() ?? '');
  if (!m) return false;
  const expected = createHmac('sha256', secret).update(raw).digest();
  const given = Buffer.from(m[1]!.toLowerCase(), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

class AlreadyStored extends Error {}
class RaceLost extends RetryLater {}

function idOf(raw: unknown): string | undefined {
  const id = (raw as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id.length <= 512 ? id.replace(/[^\x21-\x7e]/g, '?') : undefined;
}

function issueOf(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.')} ${issue.message}` : 'malformed';
}

export function registerWhatsAppWebhook(app: FastifyInstance, deps: WhatsAppDeps): void {
  app.get<{ Querystring: Record<string, string | undefined> }>(WEBHOOK_PATH, async (request, reply) => {
    const q = request.query;
    const token = q['hub.verify_token'];
    const accounts = await listWhatsAppAccounts(deps.db);
    if (q['hub.mode'] !== 'subscribe' || !token || !accounts.some((a) => a.verifyToken === token))
      return sendError(reply, 403, 'FORBIDDEN', 'The verify token does not match this server.');
    return reply.type('text/plain').send(q['hub.challenge'] ?? '');
  });

  // The signature covers the exact bytes Meta sent, so this route keeps the raw body.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_WEBHOOK_BYTES }, (_request, body, done) => done(null, body));
    scope.post(WEBHOOK_PATH, async (request, reply) => {
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const header = request.headers['x-hub-signature-256'];
      const accounts = await listWhatsAppAccounts(deps.db);
      const signedBy = accounts.filter((a) => signatureMatches(raw, typeof header === 'string' ? header : undefined, a.appSecret));
      if (signedBy.length === 0) return sendError(reply, 401, 'UNAUTHORIZED', 'The X-Hub-Signature-256 signature does not match.');
      let json: unknown;
      try {
        json = JSON.parse(raw.toString('utf8'));
      } catch {
        return sendError(reply, 400, 'BAD_FRAME', 'The webhook body is not JSON.');
      }
      const payload = Payload.safeParse(json);
      if (!payload.success) return sendError(reply, 400, 'BAD_FRAME', 'This is not a WhatsApp Business Account webhook.');
      const changes: { account: WhatsAppAccount; value: MessagesValue }[] = [];
      const report: BatchReport = { refused: [], retry: false };
      let malformed = 0;
      for (const entry of payload.data.entry)
        for (const change of entry.changes) {
          if (change.field !== 'messages') continue;
          const value = MessagesValue.safeParse(change.value);
          if (!value.success) {
            malformed++;
            report.refused.push({ code: 'BAD_FRAME', message: `Malformed messages change: ${issueOf(value.error)}.` });
            continue;
          }
          // Only the account whose secret signed it may speak for its phone number.
          const account = signedBy.find((a) => a.phoneNumberId === value.data.metadata.phone_number_id);
          if (!account) {
            deps.log(`WhatsApp webhook for unknown phone number id ${value.data.metadata.phone_number_id} ignored`);
            continue;
          }
          changes.push({ account, value: value.data });
        }
      // Nothing in it is a WhatsApp change at all: the body is what is wrong.
      if (malformed > 0 && changes.length === 0) return sendError(reply, 400, 'BAD_FRAME', report.refused[0]!.message);
      for (const { account, value } of changes) await applyChange(deps, account, value, report);
      for (const r of report.refused) deps.log(`WhatsApp webhook item ${r.id ?? '(no id)'} refused: ${r.code} ${r.message}`);
      deps.onRefused?.(report.refused.length);
      if (report.retry)
        return reply
          .code(500)
          .send({ code: 'INTERNAL', message: 'Some items could not be stored yet. Send the webhook again.', refused: report.refused });
      return reply.send(report.refused.length > 0 ? { ok: true, refused: report.refused } : { ok: true });
    });
  });
}

/** Runs one item's write; a failure is reported for that item alone (a passing one asks Meta to retry). */
async function oneItem(deps: WhatsAppDeps, report: BatchReport, id: string | undefined, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (e) {
    if (e instanceof RetryLater || isTransientWriteError(e)) {
      deps.log(`WhatsApp webhook item ${id ?? '(no id)'} not stored yet: ${describeWriteError(e)}`);
      report.retry = true;
      return;
    }
    deps.log(`WhatsApp webhook item ${id ?? '(no id)'} not stored: ${describeWriteError(e)}`);
    const refusal = definitiveRefusal(e);
    report.refused.push({ id, code: refusal.code, message: refusal.message });
  }
}

async function applyChange(deps: WhatsAppDeps, account: WhatsAppAccount, value: MessagesValue, report: BatchReport): Promise<void> {
  const inbox = await getInbox(deps.db, account.inboxId);
  if (!inbox) return;
  const names = new Map<string, string | null>();
  for (const raw of value.contacts ?? []) {
    const c = Contact.safeParse(raw);
    if (c.success) names.set(c.data.wa_id, c.data.profile?.name || null);
  }
  for (const raw of value.messages ?? []) {
    const m = InboundMessage.safeParse(raw);
    if (!m.success) {
      report.refused.push({ id: idOf(raw), code: 'BAD_FRAME', message: `Malformed message: ${issueOf(m.error)}.` });
      continue;
    }
    await oneItem(deps, report, m.data.id, () => storeInbound(deps, account, inbox, m.data, names.get(m.data.from) ?? null));
  }
  for (const raw of value.statuses ?? []) {
    const s = Status.safeParse(raw);
    if (!s.success) {
      report.refused.push({ id: idOf(raw), code: 'BAD_FRAME', message: `Malformed status: ${issueOf(s.error)}.` });
      continue;
    }
    await oneItem(deps, report, s.data.id, () => storeStatus(deps, inbox, s.data));
  }
}

async function storeStatus(deps: WhatsAppDeps, inbox: InboxRow, s: Status): Promise<void> {
  const state = STATUS_STATES[s.status];
  if (!state) return;
  const error = state === 'failed' ? providerReason(s.errors?.[0]) : null;
  // A status can come before the id of the message it names is stored: then it is kept for that moment.
  const messageId = await messageOfStatus(deps.db, inbox.id, { externalId: s.id, state, error }, Date.now());
  if (!messageId) return;
  const { changed } = await writeTenantChanges(deps.db, inbox.tenantId, (tx, batch) =>
    reportMessageState(tx, batch, [messageId], state, error),
  );
  if (changed) deps.hub.poke(inbox.tenantId);
}

/** A customer's message, stored once per provider id (Meta repeats webhooks it thinks were missed). */
async function storeInbound(
  deps: WhatsAppDeps,
  account: WhatsAppAccount,
  inbox: InboxRow,
  m: InboundMessage,
  name: string | null,
): Promise<void> {
  // A removed reaction carries no emoji: there is nothing for an agent to read.
  if (m.type === 'reaction' && !m.reaction?.emoji) return;
  if (await messageOfExternalId(deps.db, inbox.id, m.id)) return;
  const at = Number(m.timestamp) * 1000;
  const content = await contentOf(deps, account, m);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeTenantChanges(deps.db, inbox.tenantId, async (tx, batch) => {
        // Kept a moment ago; if blob GC removed it meanwhile (an old file nothing held), Meta retries the
        // webhook (500) and the media is fetched again.
        for (const a of content.attachments)
          if (!(await recordBlob(tx, { tenantId: inbox.tenantId, uploadedBy: null }, a, Date.now(), (t) => deps.files.has(a.sha256, t))))
            throw new RetryLater(`The file ${a.sha256} was removed while it was being stored.`);
        const contactId = await contactOf(tx, batch, inbox, m.from, name, at);
        const stored = await insertCustomerMessage(tx, batch, inbox, contactId, m.from, {
          id: uuidv7(),
          body: content.body,
          attachments: content.attachments,
          at,
        });
        if (!stored || !(await linkExternalId(tx, inbox.id, m.id, stored.message.id))) throw new AlreadyStored();
      });
      deps.hub.poke(inbox.tenantId);
      return;
    } catch (e) {
      if (e instanceof AlreadyStored) return;
      if (!(e instanceof RaceLost) || attempt > 0) throw e;
    }
  }
}

/** The contact this WhatsApp number belongs to (after merges), created on its first message. */
async function contactOf(tx: Tx, batch: ChangeBatch, inbox: InboxRow, waId: string, name: string | null, at: number): Promise<string> {
  const identity = await findIdentity(tx, inbox.id, waId);
  if (identity) return currentContactId(tx, identity.contact_id);
  const id = uuidv7();
  await insertContact(tx, batch, {
    id,
    name: name ?? `+${waId}`,
    phones: [`+${waId}`],
    emails: [],
    ownerId: null,
    custom: {},
    fieldVersions: {},
    createdAt: at,
  });
  // Another delivery of a first message created it meanwhile (PostgreSQL): start again and use theirs.
  if (!(await insertIdentity(tx, inbox.id, waId, id, null))) throw new RaceLost();
  await logContact(tx, batch, id);
  return id;
}

const KIND: Record<string, Attachment['kind']> = { image: 'image', sticker: 'image', video: 'video', audio: 'audio', document: 'file' };
const EXTENSION: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'audio/ogg': 'ogg',
  'audio/mpeg': 'mp3',
  'audio/mp4': 'm4a',
  'video/mp4': 'mp4',
  'application/pdf': 'pdf',
};

/** The words and files of a customer's message. A file we cannot keep (too large, a type we refuse, the
 *  download refused) is said in the body, so the agent knows something came. */
async function contentOf(
  deps: WhatsAppDeps,
  account: WhatsAppAccount,
  m: InboundMessage,
): Promise<{ body: string; attachments: Attachment[] }> {
  if (m.type === 'text') return { body: m.text?.body ?? '', attachments: [] };
  if (m.type === 'location' && m.location)
    return {
      body: `📍 ${[m.location.name, m.location.address, `${m.location.latitude}, ${m.location.longitude}`].filter(Boolean).join(' — ')}`,
      attachments: [],
    };
  if (m.type === 'reaction' && m.reaction?.emoji) return { body: m.reaction.emoji, attachments: [] };
  const media = m.type in KIND ? (m[m.type as 'image' | 'audio' | 'video' | 'document' | 'sticker'] ?? null) : null;
  if (!media) return { body: `[${m.type}]`, attachments: [] };
  const caption = media.caption ?? '';
  const fetched = await fetchMedia(account, media.id);
  // A download that may work later fails the webhook (5xx), so Meta sends it again; the provider id is
  // not stored yet, so the retry is taken as new. Only a permanent failure is said in the body.
  if (!fetched.ok && fetched.kind === 'transient')
    throw new RetryLater(`WhatsApp media ${media.id} could not be downloaded yet: ${fetched.reason}`);
  if (!fetched.ok) {
    deps.log(`WhatsApp media ${media.id} not kept: ${fetched.reason}`);
    return { body: [caption, `[${m.type}: ${fetched.reason}]`].filter(Boolean).join('\n'), attachments: [] };
  }
  try {
    const kept = await deps.files.keep(fetched.value.bytes, media.mime_type ?? fetched.value.mime);
    const kind = m.type === 'audio' && media.voice ? 'voice' : KIND[m.type]!;
    const name = (media.filename?.trim() || `${m.type}.${EXTENSION[kept.mime] ?? 'bin'}`).slice(0, 200);
    return { body: caption, attachments: [{ sha256: kept.sha256, name, mime: kept.mime, size: kept.size, kind, durationMs: null }] };
  } catch (e) {
    if (!isBandejaError(e)) throw e;
    deps.log(`WhatsApp media ${media.id} refused: ${e.message}`);
    return { body: [caption, `[${m.type}: ${e.message}]`].filter(Boolean).join('\n'), attachments: [] };
  }
}
