// Arbitrary strings and numbers (full unicode, control characters, lone surrogates, huge lengths, extreme
// numbers) thrown at the contract's value rules (src-shared/values.ts) and through a real server process:
// an agent's push (a note, a reminder, a tag, a closing note) and a webchat customer's message. Every input
// is stored and read back equal after the documented cleaning, or refused with a known code; an action
// pushed right behind it always lands (no outbox is ever stuck), the customer's socket keeps working, and
// nothing is stored for a refused input.
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { ERROR_CODES } from '../../../src-shared/errors';
import { cleanLine, cleanText, epochMs, isCleanKey, key, line, MAX_EPOCH_MS, text } from '../../../src-shared/values';
import { LOAD_TEST_LIMITS, startServerProcess, type ServerProcess } from '../../support/server-process';
import { login, SyncPeer } from '../../support/sync-peer';
import { WebchatCustomer } from '../../support/webchat-customer';
import { checkProperty, type FuzzSuite } from '../harness';

const CODES = new Set<string>(ERROR_CODES);
// eslint-disable-next-line no-control-regex
const FORBIDDEN_IN_TEXT = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Any UTF-16 code unit: lone surrogates and every control character included. */
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const control = fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c));
const anyString = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 3, arbitrary: fc.string({ unit: codeUnit, maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: fc.oneof(control, fc.constantFrom('a', ' ', '\n', 'é', '😀')), maxLength: 20 }) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom('a', '\u0000', '😀', ' '), fc.integer({ min: 1, max: 70_000 })).map(([c, n]) => c.repeat(n)),
  },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '\u0000', 'a\u0000b', '\uD800', '\uDFFFx', '\t\r\n', '\u007F', '\u200B', '\uFEFF') },
);
const anyNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.integer({ min: 0, max: MAX_EPOCH_MS }),
  fc.constantFrom(0, -0, -1, 1e20, 2 ** 53, 2 ** 53 + 2, 2 ** 63, MAX_EPOCH_MS, MAX_EPOCH_MS + 1, Number.MAX_VALUE, Number.MIN_VALUE, 0.5),
);
const anyCase = fc.record({
  kind: fc.constantFrom('note', 'reminder', 'tag', 'close', 'say', 'key'),
  s: anyString,
  n: anyNumber,
});
type Case = { kind: string; s: string; n: number };

/** The pure rules: what each helper accepts, and what it turns it into. */
function checkContract({ s, n }: Case): void {
  const t = text(5000).safeParse(s);
  if (t.success !== s.length <= 5000) throw new Error(`text(5000) ${t.success ? 'took' : 'refused'} a string of ${s.length}`);
  if (t.success && (t.data !== cleanText(s) || FORBIDDEN_IN_TEXT.test(t.data)))
    throw new Error('text() left a control or broken character');
  const l = line(5000).safeParse(s);
  if (l.success && (l.data !== cleanLine(s) || /[\t\n\r]/.test(l.data) || FORBIDDEN_IN_TEXT.test(l.data)))
    throw new Error('line() left a line break, control or broken character');
  const k = key(64).safeParse(s);
  if (k.success !== (s.length <= 64 && isCleanKey(s))) throw new Error('key() and isCleanKey disagree');
  if (k.success && k.data !== s) throw new Error('key() changed an identifier');
  const e = epochMs.safeParse(n);
  if (e.success !== (Number.isInteger(n) && n >= 0 && n <= MAX_EPOCH_MS)) throw new Error(`epochMs ${e.success ? 'took' : 'refused'} ${n}`);
}

class World {
  private constructor(
    readonly server: ServerProcess,
    readonly agent: SyncPeer,
    readonly customer: WebchatCustomer,
    readonly conversationId: string,
  ) {}
  figures = { pushes: 0, stored: 0, refused: 0, says: 0 };

  static async start(): Promise<World> {
    const server = await startServerProcess({ demo: true, env: LOAD_TEST_LIMITS });
    const agent = await SyncPeer.connect(server.url, { token: (await login(server.url, 'sofia@demo.test')).token });
    const customer = await WebchatCustomer.join(server.url, 'demo', 'Fuzz');
    const id = await customer.say('Hola');
    const frame = await agent.waitForOp((op) => op.kind === 'message' && op.row.id === id, 'the first message');
    const op = frame.ops.find((o) => o.kind === 'message' && o.row.id === id);
    if (op?.kind !== 'message') throw new Error('unreachable');
    return new World(server, agent, customer, op.row.conversationId);
  }

  async close(): Promise<void> {
    this.agent.close();
    this.customer.close();
    await this.server.stop();
  }

  /** Pushes the fuzzed action and a plain note right behind it, and checks both answers. */
  async push(c: Case): Promise<void> {
    const conversationId = this.conversationId;
    const noteId = uuidv7();
    const reminderId = uuidv7();
    const fuzzed =
      c.kind === 'note'
        ? { name: 'note.add', args: { id: noteId, conversationId, body: c.s, mentions: [] } }
        : c.kind === 'reminder'
          ? { name: 'reminder.set', args: { id: reminderId, conversationId, dueAt: c.n, note: c.s, postpone: false } }
          : c.kind === 'tag'
            ? { name: 'conversation.tag', args: { conversationId, add: [c.s], remove: [] } }
            : { name: 'conversation.close', args: { conversationId, note: c.s, categoryId: null } };
    const sentinel = uuidv7();
    const first = this.agent.nextMutationId;
    const [result, behind] = await this.agent.pushMany([
      { id: first, ...fuzzed, clientTime: Date.now() },
      { id: first + 1, name: 'note.add', args: { id: sentinel, conversationId, body: 'behind', mentions: [] }, clientTime: Date.now() },
    ]);
    this.figures.pushes++;
    if (result?.status === 'outOfOrder') throw new Error(`${fuzzed.name} answered outOfOrder: an earlier action is stuck`);
    if (!result || (result.status !== 'ok' && result.status !== 'rejected'))
      throw new Error(`${fuzzed.name} answered ${JSON.stringify(result)}: neither stored nor refused`);
    if (result.status === 'rejected' && !CODES.has(result.error?.code ?? ''))
      throw new Error(`refused without a known code: ${JSON.stringify(result)}`);
    if (behind?.status !== 'ok') throw new Error(`the action behind it did not land: ${JSON.stringify(behind)}`);
    const messages = this.agent.messages;
    if (result.status === 'rejected') {
      this.figures.refused++;
      if (messages.has(noteId)) throw new Error('a refused note was stored');
      if (this.agent.rowsOf('reminder').has(reminderId)) throw new Error('a refused reminder was stored');
      return;
    }
    this.figures.stored++;
    if (c.kind === 'note' && messages.get(noteId)?.body !== cleanText(c.s)) throw new Error('the note reads back different');
    if (c.kind === 'reminder') {
      const r = this.agent.rowsOf('reminder').get(reminderId);
      if (r?.dueAt !== c.n || r.note !== (cleanText(c.s).trim() || null))
        throw new Error(`the reminder reads back different: ${JSON.stringify(r)}`);
    }
    if (c.kind === 'tag') {
      const tags = this.agent.conversations.get(conversationId)?.tags ?? [];
      const want = cleanLine(c.s).toLowerCase();
      if (!tags.some((t) => t.toLowerCase() === want)) throw new Error(`the tag reads back different: ${JSON.stringify(tags)}`);
      await this.agent.push('conversation.tag', { conversationId, add: [], remove: tags });
    }
    if (c.kind === 'close') {
      const closing = [...messages.values()].filter((m) => m.conversationId === conversationId && m.event?.type === 'status').at(-1);
      const note = closing?.event?.type === 'status' ? closing.event.note : undefined;
      if ((note ?? null) !== (cleanText(c.s).trim() || null) && (note ?? null) !== (cleanText(c.s) || null))
        throw new Error(`the closing note reads back different: ${JSON.stringify(note)}`);
      const reopened = await this.agent.push('conversation.reopen', { conversationId });
      if (reopened.status !== 'ok') throw new Error(`reopen failed: ${JSON.stringify(reopened)}`);
    }
  }

  /** The customer says it: stored (read back cleaned) or refused with a known code naming it; the socket
   *  takes the next message either way. */
  async say(c: Case): Promise<void> {
    const id = randomUUID();
    const from = this.customer.frames.length;
    this.customer.send({ type: 'say', id, body: c.s });
    const answer = await this.customer.waitFor(
      (f) => (f.type === 'message' && f.message.id === id) || f.type === 'error',
      'an answer to the message',
      from,
    );
    this.figures.says++;
    if (answer.type === 'message') {
      if (answer.message.body !== cleanText(c.s)) throw new Error('the webchat message reads back different');
    } else if (answer.type === 'error') {
      if (!CODES.has(answer.error.code) || answer.error.code === 'INTERNAL') throw new Error(`unclear refusal: ${JSON.stringify(answer)}`);
      if (answer.messageId !== id) throw new Error('the refusal does not name the message');
      if (this.agent.messages.has(id)) throw new Error('a refused webchat message was stored');
    }
    await this.customer.say('sigo');
  }
}

const suite: FuzzSuite = {
  name: 'values',
  description:
    'arbitrary strings and numbers at the contract, an agent push and a webchat message: stored cleaned or refused with a code, never stuck',
  async run(opts) {
    const world = await World.start();
    try {
      return await checkProperty(
        'values',
        fc.asyncProperty(anyCase, async (c) => {
          checkContract(c);
          if (c.kind === 'say') await world.say(c);
          else if (c.kind !== 'key') await world.push(c);
        }),
        opts,
        () => ({ ...world.figures }),
      );
    } finally {
      await world.close();
    }
  },
};
export default suite;
