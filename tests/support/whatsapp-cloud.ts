// A fake WhatsApp Cloud API (Meta's Graph API) on a real local HTTP port, speaking the documented wire
// format, plus the webhooks Meta would send to our server (signed like Meta signs them).
//
//   const wa = await startWhatsAppCloud();                  // free port; fixed test credentials below
//   const server = await startServerProcess({ demo: true, env: wa.env });   // BANDEJA_WHATSAPP_* -> demo WhatsApp inbox
//   // (in-process: startServer({ ..., whatsapp: wa.account }))
//
//   // The customer writes (inbound webhook). `at` (epoch ms) is the message's timestamp: 30 h ago puts
//   // the conversation outside the 24-h reply window.
//   const { wamid, response } = await wa.inbound(server.url, { from: '5491155550000', name: 'Carla', text: 'Hola', at: Date.now() - 30 * 3600_000 });
//   await wa.inbound(server.url, { from, image: { bytes, mime: 'image/jpeg', caption: 'foto' } });  // media too (audio, document)
//
//   // What our server sent: every accepted POST /<phone-number-id>/messages, in order.
//   const sent = await wa.waitForSent((m) => m.type === 'template');   // -> { wamid, to, type, request, at }
//   sent.request.template.components[0].parameters                      // the request body as received
//   wa.sent, wa.uploads (POST /<id>/media), wa.requests (everything, with the status answered)
//
//   // Errors on demand: the next POST /messages answers with it (queue; one answer per call).
//   wa.failNext(wa.errors.reEngagement());      // 400, (#131047) Re-engagement message
//   wa.failNext(wa.errors.undeliverable());     // 400, (#131026) Message undeliverable
//   wa.failNext(wa.errors.serverError());       // 500, transient (our server retries)
//   wa.failNext(wa.errors.rateLimited());       // 429, (#130429) Rate limit hit
//   wa.failNextDownload(503);                   // the next media download (GET of its URL) answers 503
//   wa.holdNext();  ...  wa.release();          // the next POST /messages waits for release() (kill our server meanwhile)
//   wa.holdAnswers(); ... wa.release();         // POST /messages is accepted (in wa.sent, wamid known) but answered
//                                               // only at release() (a status webhook can come first)
//
//   // Statuses (webhook) for a message we sent: delivered, read, failed with an error.
//   await wa.status(server.url, { wamid: sent.wamid, status: 'delivered' });
//   await wa.status(server.url, { wamid: sent.wamid, status: 'failed', error: wa.errors.undeliverable().error });
//
//   await wa.postWebhook(server.url, payload, { signature: 'sha256=bad' });   // raw webhook, any signature
//   await wa.close();
//
// The fake checks the bearer token (401, code 190 otherwise) and the shape of what it receives (400,
// code 100), like the real API, so a malformed request from our adapter fails the test.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const GRAPH_VERSION = 'v21.0';
const WAIT_MS = 20_000;

/** A Graph API error response body: `{ error: { message, type, code, error_subcode?, error_data?, fbtrace_id } }`. */
export interface GraphError {
  message: string;
  type: string;
  code: number;
  error_subcode?: number;
  error_data?: { messaging_product: 'whatsapp'; details: string };
  is_transient?: boolean;
  fbtrace_id: string;
}

export interface GraphFailure {
  status: number;
  error: GraphError;
}

export interface SentMessage {
  wamid: string;
  to: string;
  type: string;
  /** The JSON body our server posted. */
  request: any;
  at: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  contentType: string | undefined;
  status: number;
  /** Parsed JSON bodies; multipart uploads are summarised. */
  body: unknown;
}

export interface Upload {
  mediaId: string;
  mime: string;
  filename: string;
  bytes: Buffer;
}

export interface WhatsAppAccount {
  graphUrl: string;
  phoneNumberId: string;
  accessToken: string;
  appSecret: string;
  verifyToken: string;
}

export type InboundMedia = { bytes: Buffer; mime: string; caption?: string; filename?: string; voice?: boolean };

export interface InboundMessage {
  /** The customer's WhatsApp id (phone number in international format, digits only). */
  from: string;
  /** The customer's profile name (contacts[].profile.name). */
  name?: string;
  text?: string;
  image?: InboundMedia;
  audio?: InboundMedia;
  document?: InboundMedia;
  /** When the customer wrote, epoch ms (sent as seconds, as Meta does). Default now. */
  at?: number;
  /** The provider's message id; default a new wamid (pass the same one to send a duplicate webhook). */
  wamid?: string;
}

export interface StatusReport {
  wamid: string;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  recipientId?: string;
  at?: number;
  /** For failed: the error as Meta reports it in statuses[].errors[] (code, title, message, error_data.details). */
  error?: { code: number; title?: string; message: string; error_data?: { details: string } };
}

const trace = () => randomBytes(8).toString('base64url');
const graphError = (status: number, e: Omit<GraphError, 'fbtrace_id' | 'type'> & { type?: string }): GraphFailure => ({
  status,
  error: { type: 'OAuthException', ...e, fbtrace_id: trace() },
});

export const graphErrors = {
  reEngagement: () =>
    graphError(400, {
      message: '(#131047) Re-engagement message',
      code: 131047,
      error_data: {
        messaging_product: 'whatsapp',
        details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
      },
    }),
  undeliverable: () =>
    graphError(400, {
      message: '(#131026) Message undeliverable',
      code: 131026,
      error_data: { messaging_product: 'whatsapp', details: 'Message Undeliverable.' },
    }),
  invalidParameter: (details: string) =>
    graphError(400, { message: '(#100) Invalid parameter', code: 100, error_data: { messaging_product: 'whatsapp', details } }),
  badToken: () => graphError(401, { message: 'Invalid OAuth access token - Cannot parse access token', code: 190 }),
  serverError: () =>
    graphError(500, {
      message: '(#131000) Something went wrong',
      code: 131000,
      is_transient: true,
      error_data: { messaging_product: 'whatsapp', details: 'Something went wrong. Please try again later.' },
    }),
  rateLimited: () =>
    graphError(429, {
      message: '(#130429) Rate limit hit',
      code: 130429,
      error_data: { messaging_product: 'whatsapp', details: 'Cloud API message throughput has been reached.' },
    }),
};

const MESSAGE_TYPES = [
  'text',
  'template',
  'image',
  'audio',
  'video',
  'document',
  'sticker',
  'reaction',
  'location',
  'contacts',
  'interactive',
];

export class WhatsAppCloud {
  readonly sent: SentMessage[] = [];
  readonly uploads: Upload[] = [];
  readonly requests: RecordedRequest[] = [];
  readonly errors = graphErrors;
  /** Media the customer "sent" (inbound), served by GET /<media-id> and its download URL. */
  private readonly media = new Map<string, { bytes: Buffer; mime: string }>();
  private readonly failures: GraphFailure[] = [];
  private readonly downloadFailures: number[] = [];
  private holding = false;
  private holdingAnswers = false;
  private held: (() => void)[] = [];
  private readonly waiters = new Set<() => void>();
  private origin = '';

  constructor(
    private readonly server: Server,
    readonly account: WhatsAppAccount,
  ) {}

  /** Listens on a free port of 127.0.0.1. */
  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = this.server.address() as AddressInfo;
    this.origin = `http://127.0.0.1:${port}`;
    this.account.graphUrl = `${this.origin}/${GRAPH_VERSION}`;
  }

  /** The Graph base URL, e.g. http://127.0.0.1:<port>/v21.0 */
  get url(): string {
    return this.account.graphUrl;
  }

  /** Environment for our server (src-server reads BANDEJA_WHATSAPP_* at start for the demo WhatsApp inbox). */
  get env(): Record<string, string> {
    return {
      BANDEJA_WHATSAPP_GRAPH_URL: this.account.graphUrl,
      BANDEJA_WHATSAPP_PHONE_NUMBER_ID: this.account.phoneNumberId,
      BANDEJA_WHATSAPP_TOKEN: this.account.accessToken,
      BANDEJA_WHATSAPP_APP_SECRET: this.account.appSecret,
      BANDEJA_WHATSAPP_VERIFY_TOKEN: this.account.verifyToken,
    };
  }

  /** The next POST /messages answers with this error instead of accepting (one per call, in order). */
  failNext(failure: GraphFailure): void {
    this.failures.push(failure);
  }

  /** The next download of a customer's media answers with this HTTP status (one per download, in order). */
  failNextDownload(status: number): void {
    this.downloadFailures.push(status);
  }

  /** The next POST /messages (and any after it) waits until release(). */
  holdNext(): void {
    this.holding = true;
  }

  /** POST /messages are accepted (recorded in `sent` with their wamid) but answered only at release(). */
  holdAnswers(): void {
    this.holdingAnswers = true;
  }

  release(): void {
    this.holding = false;
    this.holdingAnswers = false;
    for (const go of this.held.splice(0)) go();
  }

  /** Resolves when a POST /messages is being held (our server is mid-POST). */
  async waitForHeld(): Promise<void> {
    await this.until(() => this.held.length > 0, 'a held POST /messages');
  }

  async waitForSent(match: (m: SentMessage) => boolean = () => true, what = 'a sent message'): Promise<SentMessage> {
    let found: SentMessage | undefined;
    await this.until(() => (found = this.sent.find(match)) !== undefined, what);
    return found!;
  }

  /** Waits until the fake answered a request matching the predicate (e.g. an error it was told to give). */
  async waitForRequest(match: (r: RecordedRequest) => boolean, what = 'a request'): Promise<RecordedRequest> {
    let found: RecordedRequest | undefined;
    await this.until(() => (found = this.requests.find(match)) !== undefined, what);
    return found!;
  }

  /** Registers media the customer sends; returns its media id. */
  addMedia(bytes: Buffer, mime: string): string {
    const id = String(1_000_000_000_000 + Math.floor(Math.random() * 8_999_999_999_999));
    this.media.set(id, { bytes, mime });
    return id;
  }

  /** Posts a customer's message to our server's webhook, signed with the app secret. */
  async inbound(serverUrl: string, m: InboundMessage): Promise<{ wamid: string; response: Response }> {
    const wamid = m.wamid ?? newWamid();
    const message: Record<string, unknown> = { from: m.from, id: wamid, timestamp: seconds(m.at) };
    const media = (kind: 'image' | 'audio' | 'document', x: InboundMedia) => {
      const id = this.addMedia(x.bytes, x.mime);
      message.type = kind;
      message[kind] = {
        id,
        mime_type: kind === 'audio' && x.mime === 'audio/ogg' ? 'audio/ogg; codecs=opus' : x.mime,
        sha256: createHash('sha256').update(x.bytes).digest('base64'),
        ...(x.caption !== undefined ? { caption: x.caption } : {}),
        ...(kind === 'document' ? { filename: x.filename ?? 'file' } : {}),
        ...(kind === 'audio' ? { voice: x.voice ?? false } : {}),
      };
    };
    if (m.image) media('image', m.image);
    else if (m.audio) media('audio', m.audio);
    else if (m.document) media('document', m.document);
    else {
      message.type = 'text';
      message.text = { body: m.text ?? '' };
    }
    const response = await this.postWebhook(
      serverUrl,
      this.change({ contacts: [{ profile: { name: m.name ?? m.from }, wa_id: m.from }], messages: [message] }),
    );
    return { wamid, response };
  }

  /** Posts a status (sent, delivered, read, failed) of a message our server sent. */
  async status(serverUrl: string, s: StatusReport): Promise<Response> {
    const sent = this.sent.find((m) => m.wamid === s.wamid);
    const status: Record<string, unknown> = {
      id: s.wamid,
      status: s.status,
      timestamp: seconds(s.at),
      recipient_id: s.recipientId ?? sent?.to ?? '0',
    };
    if (s.status !== 'failed' && s.status !== 'read')
      status.pricing = {
        billable: true,
        pricing_model: 'PMP',
        category: sent?.type === 'template' ? 'utility' : 'service',
        type: 'regular',
      };
    if (s.status === 'failed') {
      const e = s.error ?? graphErrors.undeliverable().error;
      const title = 'title' in e && e.title ? e.title : e.message.replace(/^\(#\d+\)\s*/, '');
      status.errors = [
        {
          code: e.code,
          title,
          message: title,
          error_data: { details: e.error_data?.details ?? title },
          href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
        },
      ];
    }
    return this.postWebhook(serverUrl, this.change({ statuses: [status] }));
  }

  /** Posts any payload to <server>/webhooks/whatsapp. signature: default the right one; a string sends
   *  that header value; null sends none. `raw` sends these bytes instead of JSON.stringify(payload). */
  async postWebhook(serverUrl: string, payload: unknown, opts: { signature?: string | null; raw?: string } = {}): Promise<Response> {
    const body = opts.raw ?? JSON.stringify(payload);
    const signature =
      opts.signature === undefined ? `sha256=${createHmac('sha256', this.account.appSecret).update(body).digest('hex')}` : opts.signature;
    return fetch(`${serverUrl}/webhooks/whatsapp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(signature === null ? {} : { 'x-hub-signature-256': signature }) },
      body,
    });
  }

  /** The envelope Meta wraps one change in. */
  change(value: Record<string, unknown>): unknown {
    return {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '102290129340398',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '15550783881', phone_number_id: this.account.phoneNumberId },
                ...value,
              },
            },
          ],
        },
      ],
    };
  }

  async close(): Promise<void> {
    this.release();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- the Graph API side ----

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    const raw = await readBody(req);
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      authorization: req.headers.authorization,
      contentType: req.headers['content-type'],
      status: 0,
      body: null,
    };
    const answer = (status: number, body: unknown, type = 'application/json') => {
      record.status = status;
      this.requests.push(record);
      res.writeHead(status, { 'content-type': type });
      res.end(Buffer.isBuffer(body) ? body : JSON.stringify(body));
      this.wake();
    };
    const fail = (f: GraphFailure) => answer(f.status, { error: f.error });
    if (req.headers.authorization !== `Bearer ${this.account.accessToken}`) return fail(graphErrors.badToken());

    const parts = url.pathname.split('/').filter(Boolean);
    if (parts[0] === 'media-download' && req.method === 'GET') {
      const m = this.media.get(parts[1] ?? '');
      const failure = this.downloadFailures.shift();
      if (failure !== undefined)
        return answer(failure, { error: { message: 'Download failed', type: 'OAuthException', code: 2, fbtrace_id: trace() } });
      return m
        ? answer(200, m.bytes, m.mime)
        : answer(404, { error: { message: 'Not found', type: 'GraphMethodException', code: 100, fbtrace_id: trace() } });
    }
    if (parts[0] !== GRAPH_VERSION) return fail(graphErrors.invalidParameter(`Unknown path ${url.pathname}`));
    const [, node, edge] = parts;

    if (req.method === 'GET' && node && !edge) {
      const m = this.media.get(node);
      if (!m) return fail(graphErrors.invalidParameter(`Unknown media id ${node}`));
      return answer(200, {
        messaging_product: 'whatsapp',
        url: `${this.origin}/media-download/${node}`,
        mime_type: m.mime,
        sha256: createHash('sha256').update(m.bytes).digest('hex'),
        file_size: m.bytes.length,
        id: node,
      });
    }
    if (req.method !== 'POST' || node !== this.account.phoneNumberId)
      return fail(graphErrors.invalidParameter(`Unsupported ${req.method} ${url.pathname}`));

    if (edge === 'media') {
      const form = await new Request('http://x/', {
        method: 'POST',
        headers: { 'content-type': req.headers['content-type'] ?? '' },
        body: raw,
      })
        .formData()
        .catch(() => null);
      const file = form?.get('file');
      if (!form || form.get('messaging_product') !== 'whatsapp' || typeof form.get('type') !== 'string' || !(file instanceof Blob))
        return fail(graphErrors.invalidParameter('Upload multipart/form-data with messaging_product=whatsapp, type and file.'));
      const upload: Upload = {
        mediaId: String(2_000_000_000_000 + this.uploads.length),
        mime: String(form.get('type')),
        filename: file instanceof File ? file.name : 'file',
        bytes: Buffer.from(await file.arrayBuffer()),
      };
      this.uploads.push(upload);
      record.body = { type: upload.mime, filename: upload.filename, size: upload.bytes.length };
      return answer(200, { id: upload.mediaId });
    }

    if (edge !== 'messages') return fail(graphErrors.invalidParameter(`Unknown edge ${edge}`));
    let body: any;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return fail(graphErrors.invalidParameter('The body must be JSON.'));
    }
    record.body = body;
    const problem = checkMessage(body, new Set(this.uploads.map((u) => u.mediaId)));
    if (problem) return fail(graphErrors.invalidParameter(problem));
    if (this.holding)
      await new Promise<void>((resolve) => {
        this.held.push(resolve);
        this.wake();
      });
    const failure = this.failures.shift();
    if (failure) return fail(failure);
    const wamid = newWamid();
    this.sent.push({ wamid, to: body.to, type: body.type, request: body, at: Date.now() });
    if (this.holdingAnswers)
      await new Promise<void>((resolve) => {
        this.held.push(resolve);
        this.wake();
      });
    return answer(200, {
      messaging_product: 'whatsapp',
      contacts: [{ input: body.to, wa_id: body.to }],
      messages: [body.type === 'template' ? { id: wamid, message_status: 'accepted' } : { id: wamid }],
    });
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  private async until(done: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`No ${what} within ${WAIT_MS} ms. Requests: ${JSON.stringify(this.requests.slice(-5))}`);
      await new Promise<void>((resolve) => {
        const waiter = () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve();
        };
        const timer = setTimeout(waiter, left);
        this.waiters.add(waiter);
      });
    }
  }
}

/** What the real API checks of POST /messages that our adapter could get wrong; null when fine. */
function checkMessage(b: any, uploaded: Set<string>): string | null {
  if (!b || typeof b !== 'object') return 'The body must be a JSON object.';
  if (b.messaging_product !== 'whatsapp') return 'messaging_product must be "whatsapp".';
  if (typeof b.to !== 'string' || !/^\+?\d{6,20}$/.test(b.to)) return 'to must be a phone number.';
  if (!MESSAGE_TYPES.includes(b.type)) return `Unknown type ${String(b.type)}.`;
  const o = b[b.type];
  if (!o || typeof o !== 'object') return `The ${b.type} object is required.`;
  switch (b.type) {
    case 'text':
      if (typeof o.body !== 'string' || o.body.length === 0 || o.body.length > 4096) return 'text.body must have 1 to 4096 characters.';
      return null;
    case 'template': {
      if (typeof o.name !== 'string' || !/^[a-z0-9_]+$/.test(o.name)) return 'template.name is required.';
      if (!o.language || typeof o.language.code !== 'string') return 'template.language.code is required.';
      for (const c of o.components ?? []) {
        if (!['header', 'body', 'button', 'footer'].includes(c.type)) return `Unknown component type ${String(c.type)}.`;
        for (const p of c.parameters ?? [])
          if (p.type !== 'text' || typeof p.text !== 'string' || p.text.trim() === '') return 'Template text parameters need a text.';
      }
      return null;
    }
    case 'image':
    case 'audio':
    case 'video':
    case 'document':
      if (typeof o.id !== 'string' && typeof o.link !== 'string') return `${b.type}.id or ${b.type}.link is required.`;
      if (typeof o.id === 'string' && !uploaded.has(o.id)) return `Unknown media id ${o.id}.`;
      if (b.type === 'audio' && 'caption' in o) return 'Audio messages take no caption.';
      return null;
    default:
      return null;
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function newWamid(): string {
  return `wamid.HBgN${randomBytes(30)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, 'A')}`;
}

function seconds(at: number | undefined): string {
  return String(Math.floor((at ?? Date.now()) / 1000));
}

export async function startWhatsAppCloud(opts: Partial<Omit<WhatsAppAccount, 'graphUrl'>> = {}): Promise<WhatsAppCloud> {
  let cloud: WhatsAppCloud | null = null;
  const server = createServer((req, res) => {
    cloud!.handle(req, res).catch((e: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: String(e), type: 'FakeError', code: 1, fbtrace_id: trace() } }));
    });
  });
  cloud = new WhatsAppCloud(server, {
    graphUrl: '',
    phoneNumberId: opts.phoneNumberId ?? '106540352242922',
    accessToken: opts.accessToken ?? `EAAfake${randomBytes(12).toString('hex')}`,
    appSecret: opts.appSecret ?? randomBytes(16).toString('hex'),
    verifyToken: opts.verifyToken ?? 'bandeja-verify',
  });
  await cloud.listen();
  return cloud;
}
