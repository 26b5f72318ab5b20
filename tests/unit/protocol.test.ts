// The sync protocol's frames: what a client or server accepts and what it refuses, with which code.
import { describe, expect, it } from 'vitest';
import {
  CLIENT_FRAME_TYPES,
  ClientFrame,
  MAX_PUSH_MUTATIONS,
  SERVER_FRAME_TYPES,
  ServerFrame,
  mutationArgs,
  parseFrame,
} from '../../src-shared';

const clientId = '0190a8e4-7b1c-7cc3-9a44-2f1c3e9b8a10';
const conv = {
  id: 'c1',
  inboxId: 'i1',
  contactId: 'k1',
  teamId: 't1',
  assigneeId: null,
  status: 'open',
  unreadCount: 2,
  lastMessageAt: 1_700_000_000_000,
  lastMessagePreview: 'Hola',
  lastCustomerMessageAt: 1_700_000_000_000,
  waitingSince: 1_700_000_000_000,
  tags: ['vip'],
  botActive: false,
  closingCategoryId: null,
  previousConversationId: null,
  snoozedUntil: null,
  createdAt: 1_700_000_000_000,
  version: 7,
};

const parseClient = (v: unknown) => parseFrame(ClientFrame, CLIENT_FRAME_TYPES, JSON.stringify(v));
const parseServer = (v: unknown) => parseFrame(ServerFrame, SERVER_FRAME_TYPES, JSON.stringify(v));

describe('client frames', () => {
  it('accepts a hello from a fresh client and one resuming from a cursor', () => {
    const fresh = parseClient({ type: 'hello', protocol: 1, schema: 1, clientId, token: 't', epoch: null, cursor: null });
    const resuming = parseClient({ type: 'hello', protocol: 1, schema: 1, clientId, token: 't', epoch: 'e', cursor: 42 });
    expect(fresh.ok && resuming.ok).toBe(true);
  });

  it('accepts a push of numbered mutations', () => {
    const r = parseClient({
      type: 'push',
      mutations: [{ id: 1, name: 'message.send', args: { id: clientId, conversationId: 'c1', body: 'hi' }, clientTime: 1 }],
    });
    expect(r.ok).toBe(true);
  });

  it('tells a frame that is not JSON apart from an unknown frame type', () => {
    expect(parseFrame(ClientFrame, CLIENT_FRAME_TYPES, '{"type":"hello"')).toMatchObject({ ok: false, code: 'BAD_FRAME' });
    expect(parseClient({ type: 'dance' })).toMatchObject({ ok: false, code: 'UNKNOWN_FRAME' });
    expect(parseClient([1, 2])).toMatchObject({ ok: false, code: 'UNKNOWN_FRAME' });
  });

  it('refuses a hello without a valid client id or with a negative cursor', () => {
    expect(parseClient({ type: 'hello', protocol: 1, schema: 1, clientId: 'x', token: 't', epoch: null, cursor: null })).toMatchObject({
      ok: false,
      code: 'BAD_FRAME',
    });
    expect(parseClient({ type: 'hello', protocol: 1, schema: 1, clientId, token: 't', epoch: 'e', cursor: -1 })).toMatchObject({
      ok: false,
      code: 'BAD_FRAME',
    });
  });

  it('refuses an empty push, a push over the batch limit and mutation ids that are not positive integers', () => {
    expect(parseClient({ type: 'push', mutations: [] }).ok).toBe(false);
    const many = Array.from({ length: MAX_PUSH_MUTATIONS + 1 }, (_, i) => ({ id: i + 1, name: 'x', args: {}, clientTime: 0 }));
    expect(parseClient({ type: 'push', mutations: many }).ok).toBe(false);
    for (const id of [0, -3, 1.5, '1'])
      expect(parseClient({ type: 'push', mutations: [{ id, name: 'x', args: {}, clientTime: 0 }] }).ok).toBe(false);
  });

  it('validates mutation arguments per mutation name', () => {
    expect(mutationArgs['message.send'].safeParse({ id: 'not-a-uuid', conversationId: 'c1', body: 'hi' }).success).toBe(false);
    expect(mutationArgs['conversation.setStatus'].safeParse({ conversationId: 'c1', status: 'archived' }).success).toBe(false);
    expect(mutationArgs['conversation.assign'].safeParse({ conversationId: 'c1', assigneeId: null }).success).toBe(true);
  });
});

describe('server frames', () => {
  it('accepts changes carrying conversations, messages and revokes', () => {
    const r = parseServer({
      type: 'changes',
      from: 1,
      to: 3,
      lmid: 0,
      ops: [
        { kind: 'conversation', row: conv },
        { kind: 'revoke', conversationId: 'c2' },
        { kind: 'delete', entity: 'savedView', id: 'v1' },
      ],
    });
    expect(r.ok).toBe(true);
  });

  it('refuses a conversation row with a status the product does not know', () => {
    const r = parseServer({
      type: 'changes',
      from: 1,
      to: 2,
      lmid: 0,
      ops: [{ kind: 'conversation', row: { ...conv, status: 'archived' } }],
    });
    expect(r).toMatchObject({ ok: false, code: 'BAD_FRAME' });
  });

  it('carries rejection codes the UI can translate', () => {
    const ok = parseServer({
      type: 'pushResult',
      lmid: 4,
      results: [{ id: 4, status: 'rejected', error: { code: 'ALREADY_ASSIGNED', message: 'x' } }],
    });
    const bad = parseServer({
      type: 'pushResult',
      lmid: 4,
      results: [{ id: 4, status: 'rejected', error: { code: 'OOPS', message: 'x' } }],
    });
    expect(ok.ok).toBe(true);
    expect(bad.ok).toBe(false);
  });
});
