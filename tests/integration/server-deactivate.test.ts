// Deactivating an agent hands their open conversations back to the team's queue (with an event line),
// keeps their closed history theirs, and signs them out.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../../src-shared/protocol';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { login, SyncPeer } from '../support/sync-peer';
import { WebchatCustomer } from '../support/webchat-customer';

describe('deactivating an agent', () => {
  let server: ServerProcess;

  beforeAll(async () => {
    server = await startServerProcess({ dataDir: mkdtempSync(join(tmpdir(), 'bandeja-deactivate-')), demo: true });
  });

  afterAll(async () => {
    await server?.stop();
  });

  async function conversationOf(customerName: string, ana: SyncPeer): Promise<string> {
    const customer = await WebchatCustomer.join(server.url, 'demo', customerName);
    const messageId = await customer.say(`Hola, soy ${customerName}`);
    await ana.waitForOp((op) => op.kind === 'message' && op.row.id === messageId, `${customerName}'s message`);
    customer.close();
    const conversationId = ana.messages.get(messageId)!.conversationId;
    expect(await ana.push('message.send', { id: uuidv7(), conversationId, body: 'Te atiendo' })).toMatchObject({ status: 'ok' });
    return conversationId;
  }

  it('returns open conversations to the queue with an event line, keeps closed ones, and closes the session', async () => {
    const ana = await SyncPeer.connect(server.url, { token: (await login(server.url, 'ana@demo.test')).token });
    const admin = await SyncPeer.connect(server.url, { token: (await login(server.url, 'admin@demo.test')).token });
    const open = await conversationOf('Rosa', ana);
    const closed = await conversationOf('Tomás', ana);
    expect(await ana.push('conversation.close', { conversationId: closed, note: null, categoryId: null })).toMatchObject({ status: 'ok' });

    expect(await admin.push('admin.user.update', { userId: 'user-ana', active: false })).toMatchObject({ status: 'ok' });
    expect((await ana.closed).code).toBe(CloseCode.unauthorized);

    await admin.waitForOp(
      (op) => op.kind === 'conversation' && op.row.id === open && op.row.assigneeId === null,
      'the conversation back in the queue',
    );
    expect(admin.conversations.get(open)).toMatchObject({ assigneeId: null, teamId: 'team-soporte', status: 'open' });
    expect(admin.conversations.get(closed)).toMatchObject({ assigneeId: 'user-ana', status: 'closed' });
    const lastEvent = [...admin.messages.values()]
      .filter((m) => m.conversationId === open && m.kind === 'event')
      .sort((a, b) => a.seq - b.seq)
      .at(-1)?.event;
    expect(lastEvent).toEqual({ type: 'unassigned', byId: 'user-admin' });

    // Bruno, in the same team, can now take it.
    const bruno = await SyncPeer.connect(server.url, { token: (await login(server.url, 'bruno@demo.test')).token });
    expect(bruno.conversations.get(open)).toMatchObject({ assigneeId: null });
    expect(await bruno.push('conversation.assign', { conversationId: open, assigneeId: 'user-bruno' })).toMatchObject({ status: 'ok' });
    for (const p of [admin, bruno]) p.close();
  });
});
