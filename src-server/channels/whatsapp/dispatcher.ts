// Sends queued WhatsApp deliveries (store/deliveries.ts) to the Cloud API: after a commit, at start and on
// a timer. One delivery at a time; each is a list of parts (files, then the words; or one template), and
// the parts the provider accepted are recorded as they go, so a retry resumes after them.
import type { Attachment, Message } from '../../../src-shared/domain';
import type { BlobStore } from '../../blobs/store';
import { whatsAppAccountOf, type WhatsAppAccount } from '../../store/channelAccounts';
import { writeTenantChanges } from '../../store/changeLog';
import { reportMessageState } from '../../store/conversations';
import type { Db, Queryable } from '../../store/db';
import {
  abandonedDeliveries,
  claimDueDelivery,
  failDelivery,
  finishDelivery,
  nextDueIn,
  recordPartSent,
  renewClaim,
  retryDeliveryLater,
  type Claim,
  type DeliveryRow,
} from '../../store/deliveries';
import { MESSAGE_COLUMNS, toMessage, type MessageRow } from '../../store/rows';
import type { SyncHub } from '../../sync/hub';
import { REQUEST_TIMEOUT_MS, sendMessage, uploadMedia, type GraphFailure } from './graph';
import { voiceNoteForWhatsApp } from './voice';

export const NOT_CONNECTED = 'WhatsApp is not connected for this inbox. An administrator must connect it; then send the message again.';
export const DELIVERY_UNCERTAIN =
  'Delivery uncertain: the server stopped while handing this message to WhatsApp, so it may or may not have reached the customer. It was not sent again.';
const NO_NUMBER = 'This contact has no WhatsApp number in this inbox.';
export const SEVERAL_NUMBERS =
  'Not sent: this customer has several WhatsApp numbers and this older conversation does not say which one it is with. ' +
  'When the customer writes again, reply in the conversation that message opens.';

type Recipient = { to: string } | { refused: string };
/** After this many tries a transient failure becomes the message's failure. */
const MAX_ATTEMPTS = 8;
const MAX_BACKOFF_MS = 5 * 60_000;
/** Due deliveries are also looked for on this beat (another server node may have queued them). */
const POLL_MS = 5_000;
/** A 'sending' claim not renewed for this long (by the database's clock: store/deliveries.ts) belongs to a
 *  node that died or hung: its delivery is failed as uncertain by whichever node notices. A claim is renewed before every request, and a request gives up
 *  after REQUEST_TIMEOUT_MS, so a live node's claim is never that old. */
export const SENDING_LEASE_MS = 4 * REQUEST_TIMEOUT_MS;

type Part = { kind: 'template'; message: Message } | { kind: 'text'; body: string } | { kind: 'media'; attachment: Attachment };

function partsOf(m: Message): Part[] {
  if (m.template) return [{ kind: 'template', message: m }];
  const parts: Part[] = m.attachments.map((attachment) => ({ kind: 'media', attachment }));
  if (m.body.trim().length > 0) parts.push({ kind: 'text', body: m.body });
  return parts;
}

const MEDIA_TYPE: Record<Attachment['kind'], 'image' | 'audio' | 'video' | 'document'> = {
  image: 'image',
  audio: 'audio',
  voice: 'audio',
  video: 'video',
  file: 'document',
};

export interface DispatcherOptions {
  /** This server node (src-server/nodeId.ts): the claims it makes, and the ones it left at its last run. */
  nodeId: string;
  /** First retry delay; doubles each try up to 5 min (default 2 s). */
  retryBaseMs?: number;
  /** Told of each failed attempt: to be retried, or failed for good (metrics). */
  onFailure?: (outcome: 'retry' | 'failed') => void;
}

export class WhatsAppDispatcher {
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private wakeTimer: NodeJS.Timeout | null = null;
  private poll: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;
  private readonly retryBaseMs: number;
  private readonly nodeId: string;
  /** The claim this node holds on the deliveries it is sending. */
  private readonly own: Claim;

  constructor(
    private readonly db: Db,
    private readonly hub: SyncHub,
    private readonly files: BlobStore,
    private readonly log: (line: string) => void,
    opts: DispatcherOptions,
  ) {
    this.retryBaseMs = opts.retryBaseMs ?? 2000;
    this.nodeId = opts.nodeId;
    this.own = { nodeId: opts.nodeId, leaseMs: null };
    this.onFailure = opts.onFailure ?? (() => undefined);
  }

  private readonly onFailure: (outcome: 'retry' | 'failed') => void;

  /** Fails what this node's previous run left mid-POST (and any lapsed claim), then sends whatever is due.
   *  Another node's send in flight is left alone. */
  async start(): Promise<void> {
    await this.failAbandoned({ nodeId: this.nodeId, leaseMs: SENDING_LEASE_MS });
    this.poll = setInterval(() => {
      // While running, this node's own claims are live: only lapsed ones (of a node that died) are taken.
      this.sweeping ??= this.failAbandoned({ nodeId: null, leaseMs: SENDING_LEASE_MS })
        .catch((e: unknown) => this.log(`WhatsApp dispatcher: ${e instanceof Error ? e.message : String(e)}`))
        .finally(() => (this.sweeping = null));
      this.kick();
    }, POLL_MS);
    this.poll.unref();
    this.kick();
  }

  /** Fails, as uncertain, the 'sending' deliveries `claim` may take: nobody is sending them any more. */
  private async failAbandoned(claim: Claim): Promise<void> {
    for (const row of await abandonedDeliveries(this.db, claim))
      if (await this.end(row, DELIVERY_UNCERTAIN, claim))
        this.log(`WhatsApp delivery of ${row.message_id} was cut mid-send: marked failed (uncertain)`);
  }

  /** Something may be due now (a commit queued a delivery). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((e: unknown) => this.log(`WhatsApp dispatcher: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        } else void this.armForNext();
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.poll) clearInterval(this.poll);
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    await this.running;
    await this.sweeping;
  }

  private async armForNext(): Promise<void> {
    if (this.stopped) return;
    const wait = await nextDueIn(this.db).catch(() => null);
    if (wait === null || this.stopped) return;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = setTimeout(() => this.kick(), Math.min(wait, POLL_MS));
    this.wakeTimer.unref();
  }

  private async drain(): Promise<void> {
    while (!this.stopped) {
      const row = await claimDueDelivery(this.db, this.nodeId);
      if (!row) return;
      const progress = { posted: false };
      try {
        await this.deliver(row, progress);
      } catch (e) {
        // An error of our own (database, a file gone) must not strand the row 'sending'. While no
        // POST /messages is unrecorded nothing can be sent twice, so it is tried again; otherwise a
        // part may have reached the customer without being recorded, so it is not sent again.
        const reason = e instanceof Error ? e.message : String(e);
        this.log(`WhatsApp delivery of ${row.message_id} broke${progress.posted ? ' after a send' : ''}: ${reason}`);
        if (progress.posted) await this.fail(row, `${DELIVERY_UNCERTAIN} (${reason})`);
        else await this.failed(row, { ok: false, kind: 'transient', reason });
      }
    }
  }

  private async deliver(row: DeliveryRow, progress: { posted: boolean }): Promise<void> {
    const message = await messageToDeliver(this.db, row.message_id);
    if (!message) return this.fail(row, 'This message no longer exists.');
    const account = await whatsAppAccountOf(this.db, row.inbox_id);
    if (!account) return this.fail(row, NOT_CONNECTED);
    const recipient = await recipientOf(this.db, row.inbox_id, message.conversationId);
    if ('refused' in recipient) return this.fail(row, recipient.refused);
    const to = recipient.to;
    const parts = partsOf(message);
    for (let i = row.parts_done; i < parts.length; i++) {
      // Renewed before each request (a media upload, then the send), so the claim never lapses while
      // this node is alive; a claim already lost means the message was failed as uncertain meanwhile.
      if (!(await this.stillClaimed(row))) return;
      const body = await this.request(account, to, parts[i]!);
      if (!body.ok) return this.failed(row, body);
      if (!(await this.stillClaimed(row))) return;
      progress.posted = true;
      const sent = await sendMessage(account, body.value);
      if (!sent.ok) return this.failed(row, sent);
      // A status that came for this id before it was stored is applied now.
      if (await recordPartSent(this.db, row, i + 1, sent.value)) this.hub.poke(row.tenant_id);
      // Recorded: a retry resumes after this part, so it cannot be sent twice.
      progress.posted = false;
    }
    await finishDelivery(this.db, row.message_id, this.nodeId, Date.now());
  }

  private async stillClaimed(row: DeliveryRow): Promise<boolean> {
    if (await renewClaim(this.db, row.message_id, this.nodeId)) return true;
    this.log(`WhatsApp delivery of ${row.message_id} was taken over by another node (its claim lapsed): not sent again`);
    return false;
  }

  /** The POST /messages body of one part (uploading its file first). */
  private async request(
    account: WhatsAppAccount,
    to: string,
    part: Part,
  ): Promise<{ ok: true; value: Record<string, unknown> } | GraphFailure> {
    switch (part.kind) {
      case 'text':
        return { ok: true, value: { to, type: 'text', text: { body: part.body, preview_url: /https?:\/\//i.test(part.body) } } };
      case 'template': {
        const t = part.message.template!;
        // A template without variables is sent without components (the body needs no parameters).
        const template: Record<string, unknown> = { name: t.name, language: { code: t.language } };
        if (t.variables.length > 0)
          template.components = [{ type: 'body', parameters: t.variables.map((text) => ({ type: 'text', text })) }];
        return { ok: true, value: { to, type: 'template', template } };
      }
      case 'media': {
        const a = part.attachment;
        if (!(await this.files.has(a.sha256)))
          return { ok: false, kind: 'refused', reason: `The file ${a.name} is no longer on the server.` };
        let bytes: Buffer = await this.files.readAll(a.sha256);
        let mime: string = a.mime;
        let voice = false;
        if (a.kind === 'voice') {
          const note = await voiceNoteForWhatsApp(bytes, a.mime);
          ({ bytes, mime, voice } = note);
        }
        const uploaded = await uploadMedia(account, bytes, mime, a.name);
        if (!uploaded.ok) return uploaded;
        const type = MEDIA_TYPE[a.kind];
        const media: Record<string, unknown> = { id: uploaded.value };
        if (type === 'document') media.filename = a.name;
        if (voice) media.voice = true;
        return { ok: true, value: { to, type, [type]: media } };
      }
    }
  }

  private async failed(row: DeliveryRow, f: GraphFailure): Promise<void> {
    if (f.kind === 'uncertain') return this.fail(row, `${DELIVERY_UNCERTAIN} (${f.reason})`);
    if (f.kind === 'refused' || row.attempts >= MAX_ATTEMPTS) return this.fail(row, f.reason);
    const delay = Math.min(MAX_BACKOFF_MS, this.retryBaseMs * 2 ** (row.attempts - 1));
    this.onFailure('retry');
    this.log(`WhatsApp delivery of ${row.message_id} will be retried in ${delay} ms: ${f.reason}`);
    await retryDeliveryLater(this.db, row.message_id, this.nodeId, delay, f.reason, Date.now());
  }

  /** The message fails with the reason, shown to agents; the delivery is over. */
  private async fail(row: DeliveryRow, reason: string): Promise<void> {
    await this.end(row, reason, this.own);
  }

  /** Fails the delivery and its message while `claim` covers the delivery; nothing happens when it was
   *  ended elsewhere meanwhile (returns false). */
  private async end(row: DeliveryRow, reason: string, claim: Claim): Promise<boolean> {
    // The delivery ends here even when the message had already failed (a status webhook said so).
    const { value: ended, changed } = await writeTenantChanges(this.db, row.tenant_id, async (tx, batch) => {
      if (!(await failDelivery(tx, row.message_id, claim, reason, Date.now()))) return false;
      await reportMessageState(tx, batch, [row.message_id], 'failed', reason);
      return true;
    });
    if (changed) this.hub.poke(row.tenant_id);
    if (ended) this.onFailure('failed');
    return ended;
  }
}

async function messageToDeliver(db: Queryable, id: string): Promise<Message | null> {
  const [row] = await db.query<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages m WHERE m.id = $1`, [id]);
  return row ? toMessage(row) : null;
}

/** The customer's WhatsApp id: the identity the conversation is with (after a merge the contact may have
 *  several in this inbox). A conversation without one (from before migration 009, when its number could not
 *  be told) goes to the contact's number only when the contact has exactly one in this inbox; with several
 *  it is never guessed. */
async function recipientOf(db: Queryable, inboxId: string, conversationId: string): Promise<Recipient> {
  const [row] = await db.query<{ identity_external_id: string | null; numbers: string[] | null }>(
    `SELECT c.identity_external_id,
            (SELECT array_agg(ci.external_id) FROM contact_identities ci WHERE ci.contact_id = c.contact_id AND ci.inbox_id = $1) AS numbers
     FROM conversations c WHERE c.id = $2`,
    [inboxId, conversationId],
  );
  if (row?.identity_external_id) return { to: row.identity_external_id };
  const numbers = row?.numbers ?? [];
  if (numbers.length === 1) return { to: numbers[0]! };
  return { refused: numbers.length === 0 ? NO_NUMBER : SEVERAL_NUMBERS };
}
