// Reading or writing outside one's scope (issue 12, class 2), tried as an attacker would against a real
// server process: merging another team's customer into one's own visitor contact, replaying from an old
// cursor, naming or probing files by their sha256, and telling "forbidden" from "does not exist".
import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Attachment } from '../../src-shared/domain';
import { Paths } from '../../src-shared/http';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { demoPeople } from '../support/demo-people';
import type { SyncPeer } from '../support/sync-peer';

let server: ServerProcess;
const { tokens, peer, customer, conversationOf, signInAll, closeAll } = demoPeople(() => server);

beforeAll(async () => {
  server = await startServerProcess({ demo: true });
  await signInAll();
});

afterEach(closeAll);

afterAll(async () => {
  await server?.stop();
});

/** The contact a visitor's join made, as a supervisor's socket receives it. */
async function contactNamed(watcher: SyncPeer, name: string): Promise<string> {
  await watcher.waitFor(() => [...watcher.rowsOf('contact').values()].some((c) => c.name === name), `the contact ${name}`);
  return [...watcher.rowsOf('contact').values()].find((c) => c.name === name)!.id;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function put(token: string, hash: string, body: Buffer, type = 'text/plain') {
  return fetch(server.url + Paths.blob(hash), { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body });
}

function get(token: string, hash: string) {
  return fetch(server.url + Paths.blob(hash), { headers: { authorization: `Bearer ${token}` } });
}

function fileOf(bytes: Buffer, name: string): Attachment {
  return { sha256: sha(bytes), name, mime: 'text/plain', size: bytes.length, kind: 'file', durationMs: null };
}

describe('contact merge', () => {
  it('an agent cannot merge another team’s customer into her own visitor contact; her page never shows it', async () => {
    const sofia = await peer('sofia');
    // Carmen writes to Ventas (Ana is not in that team) and Sofía answers her with a file.
    const carmen = await customer('Carmen Ventas', 'ventas');
    const secret = Buffer.from('Contrato de Carmen: cuenta 0042\n');
    expect((await put(tokens.sofia!, sha(secret), secret)).status).toBe(201);
    const carmens = await conversationOf(sofia, carmen, 'Quiero el contrato');
    expect(
      await sofia.push('message.send', {
        id: uuidv7(),
        conversationId: carmens.conversationId,
        body: 'Aquí está su contrato',
        attachments: [fileOf(secret, 'contrato.txt')],
      }),
    ).toMatchObject({ status: 'ok' });
    // Ana opens the public Ventas page as a visitor and writes (a join alone makes no contact).
    const anaVisitor = await customer('Ana de incógnito', 'ventas');
    await anaVisitor.say('Hola');
    const visitorContact = await contactNamed(sofia, 'Ana de incógnito');

    const ana = await peer('ana');
    expect(ana.rowsOf('contact').has(carmens.contactId)).toBe(true);
    const merge = await ana.push('contact.merge', { targetId: visitorContact, sourceId: carmens.contactId });
    expect(merge).toMatchObject({ status: 'rejected', error: { code: 'FORBIDDEN' } });
    // Nor may she edit that customer (she may see none of her conversations).
    expect(await ana.push('contact.update', { contactId: carmens.contactId, fields: { name: 'X' }, base: {} })).toMatchObject({
      status: 'rejected',
      error: { code: 'FORBIDDEN' },
    });

    const again = await customer('Ana de incógnito', 'ventas', anaVisitor.identity);
    expect(again.history.map((m) => m.body)).toEqual(['Hola']);
    anaVisitor.close();
    again.close();
  });

  it('a merge by a supervisor never widens what a visitor page shows; each page keeps its own chat and replies', async () => {
    const sofia = await peer('sofia');
    const old = await customer('Marta vieja', 'ventas');
    const marta = await conversationOf(sofia, old, 'Mensaje privado de Marta');
    await sofia.push('conversation.close', { conversationId: marta.conversationId, note: null, categoryId: null });
    const other = await customer('Marta nueva', 'ventas');
    await other.say('Primera de la nueva');
    const otherContact = await contactNamed(sofia, 'Marta nueva');
    // The supervisor merges the old customer into the new visitor's contact (both in the supervisor's sight).
    expect(await sofia.push('contact.merge', { targetId: otherContact, sourceId: marta.contactId })).toMatchObject({ status: 'ok' });

    const rejoined = await customer('Marta nueva', 'ventas', other.identity);
    expect(rejoined.history.map((m) => m.body)).toEqual(['Primera de la nueva']);
    // The old conversation is worked again: a reply there reaches the old page, never the new one.
    expect(await sofia.push('conversation.reopen', { conversationId: marta.conversationId })).toMatchObject({ status: 'ok' });
    const replyId = uuidv7();
    await sofia.push('message.send', {
      id: replyId,
      conversationId: marta.conversationId,
      body: 'Respuesta para la vieja',
      attachments: [],
    });
    const oldPage = await customer('Marta vieja', 'ventas', old.identity);
    expect(oldPage.history.map((m) => m.body)).toEqual(['Mensaje privado de Marta', 'Respuesta para la vieja']);
    // The new visitor writes: her message is in a conversation of her own, not in Marta's.
    const mine = await conversationOf(sofia, rejoined, 'Hola, soy la nueva');
    expect(mine.conversationId).not.toBe(marta.conversationId);
    expect(mine.contactId).toBe(otherContact);
    const mineReply = uuidv7();
    await sofia.push('message.send', {
      id: mineReply,
      conversationId: mine.conversationId,
      body: 'Respuesta para la nueva',
      attachments: [],
    });
    await rejoined.waitForAgentMessage((m) => m.id === mineReply);
    expect(rejoined.frames.some((f) => f.type === 'message' && f.message.id === replyId)).toBe(false);
    expect(oldPage.frames.some((f) => f.type === 'message' && f.message.id === mineReply)).toBe(false);
    const last = await customer('Marta nueva', 'ventas', other.identity);
    expect(last.history.map((m) => m.body)).toEqual(['Primera de la nueva', 'Hola, soy la nueva', 'Respuesta para la nueva']);
  });
});

describe('replay from an old cursor', () => {
  it('ends in exactly what the user may see: nothing written while the conversation was out of her scope', async () => {
    const lucia = await customer('Lucía replay');
    const bruno = await peer('bruno');
    const queued = await conversationOf(bruno, lucia, 'Hola, cola de soporte');
    const ana = await peer('ana');
    await ana.waitFor(() => ana.conversations.has(queued.conversationId), 'the queued conversation');
    const cursor = ana.cursor;
    const epoch = ana.epoch;
    ana.close();

    // Bruno takes it, gives it back to the queue (Ana's scope again), takes it again and writes a note.
    const c = queued.conversationId;
    expect(await bruno.push('conversation.assign', { conversationId: c, assigneeId: 'user-bruno' })).toMatchObject({ status: 'ok' });
    expect(await bruno.push('conversation.assign', { conversationId: c, assigneeId: null })).toMatchObject({ status: 'ok' });
    expect(await bruno.push('conversation.assign', { conversationId: c, assigneeId: 'user-bruno' })).toMatchObject({ status: 'ok' });
    expect(await bruno.push('note.add', { id: uuidv7(), conversationId: c, body: 'Nota privada de Bruno', mentions: [] })).toMatchObject({
      status: 'ok',
    });
    await lucia.say('Dato privado para Bruno');
    // A second conversation leaves to Ventas for good.
    const tomas = await customer('Tomás replay');
    const moved = await conversationOf(bruno, tomas, 'Hola');
    expect(
      await bruno.push('conversation.transfer', {
        conversationId: moved.conversationId,
        toUserId: null,
        toTeamId: 'team-ventas',
        newConversationId: uuidv7(),
      }),
    ).toMatchObject({ status: 'ok' });
    await tomas.say('Secreto para Ventas');

    const late = await peer('ana', { epoch, cursor });
    await late.waitFor((f) => f.type === 'changes' && f.to >= late.welcome!.version, 'the replay');
    const sent = late.frames.flatMap((f) => (f.type === 'changes' ? f.ops : []));
    const bodies = sent.flatMap((op) => (op.kind === 'message' ? [op.row.body] : []));
    expect(bodies).not.toContain('Nota privada de Bruno');
    expect(bodies).not.toContain('Dato privado para Bruno');
    expect(bodies).not.toContain('Secreto para Ventas');
    expect(late.conversations.has(c)).toBe(false);
    expect(late.conversations.has(moved.conversationId)).toBe(false);
    expect(sent.filter((op) => op.kind === 'revoke').map((op) => (op.kind === 'revoke' ? op.conversationId : ''))).toEqual(
      expect.arrayContaining([c, moved.conversationId]),
    );

    // It comes back to the queue: a replay from the first cursor ends with its current state and every message.
    expect(await bruno.push('conversation.assign', { conversationId: c, assigneeId: null })).toMatchObject({ status: 'ok' });
    const back = await peer('ana', { epoch, cursor });
    await back.waitFor(() => back.conversations.get(c)?.assigneeId === null, 'the conversation back in the queue');
    await back.waitFor((f) => f.type === 'changes' && f.to >= back.welcome!.version, 'the replay');
    const timeline = [...back.messages.values()].filter((m) => m.conversationId === c).map((m) => m.body);
    expect(timeline).toEqual(expect.arrayContaining(['Hola, cola de soporte', 'Nota privada de Bruno', 'Dato privado para Bruno']));
  });
});

describe('files by content hash', () => {
  it('a file sent where the agent cannot see is neither attachable nor readable by her, and uploads never skip the bytes', async () => {
    const sofia = await peer('sofia');
    const ventas = await customer('Rocío archivo', 'ventas');
    const ventasConversation = await conversationOf(sofia, ventas, 'Mi DNI');
    const secret = Buffer.from('DNI de Rocío: 12345678Z\n');
    const hash = sha(secret);
    expect((await put(tokens.sofia!, hash, secret)).status).toBe(201);
    expect(
      await sofia.push('message.send', {
        id: uuidv7(),
        conversationId: ventasConversation.conversationId,
        body: 'Recibido',
        attachments: [fileOf(secret, 'dni.txt')],
      }),
    ).toMatchObject({ status: 'ok' });

    // Ana holds a conversation of her own and tries to attach the file by naming its hash and size.
    const pablo = await customer('Pablo archivo');
    const ana = await peer('ana');
    const pablos = await conversationOf(ana, pablo, 'Hola');
    expect(await ana.push('conversation.assign', { conversationId: pablos.conversationId, assigneeId: 'user-ana' })).toMatchObject({
      status: 'ok',
    });
    const stolen = await ana.push('message.send', {
      id: uuidv7(),
      conversationId: pablos.conversationId,
      body: 'mira',
      attachments: [fileOf(secret, 'x.txt')],
    });
    expect(stolen).toMatchObject({ status: 'rejected', error: { code: 'ATTACHMENT_MISSING' } });
    expect((await get(tokens.ana!, hash)).status).toBe(404);

    // An upload of a stored hash without its bytes registers nothing, and answers as for an unknown hash.
    const unknown = sha(Buffer.from('nunca subido\n'));
    const probeKnown = await put(tokens.ana!, hash, Buffer.from('otra cosa\n'));
    const probeUnknown = await put(tokens.ana!, unknown, Buffer.from('otra cosa\n'));
    expect([probeKnown.status, await probeKnown.json()]).toEqual([probeUnknown.status, await probeUnknown.json()]);
    expect(probeKnown.status).toBe(400);
    expect((await get(tokens.ana!, hash)).status).toBe(404);
    expect(await (await get(tokens.ana!, hash)).json()).toEqual(await (await get(tokens.ana!, unknown)).json());
    // With the bytes, she holds her own copy: she may read and attach it (it is hers now).
    const mine = await put(tokens.ana!, hash, secret);
    expect(mine.status).toBe(201);
    expect((await get(tokens.ana!, hash)).status).toBe(200);
  });
});

describe('ids outside one’s scope answer like ids that do not exist', () => {
  it('a mutation on another team’s conversation is NOT_FOUND, exactly as for an id nobody uses', async () => {
    const sofia = await peer('sofia');
    const ventas = await customer('Inés ventas', 'ventas');
    const hidden = await conversationOf(sofia, ventas, 'Hola ventas');
    const ana = await peer('ana');
    for (const [name, args] of [
      ['conversation.assign', (id: string) => ({ conversationId: id, assigneeId: 'user-ana' })],
      ['message.send', (id: string) => ({ id: uuidv7(), conversationId: id, body: 'hola', attachments: [] })],
      ['note.add', (id: string) => ({ id: uuidv7(), conversationId: id, body: 'nota', mentions: [] })],
      ['conversation.tag', (id: string) => ({ conversationId: id, add: ['x'], remove: [] })],
    ] as const) {
      const seen = await ana.push(name, args(hidden.conversationId));
      const none = await ana.push(name, args(uuidv7()));
      expect(seen).toMatchObject({ status: 'rejected', error: { code: 'NOT_FOUND' } });
      expect(seen.status === 'rejected' && seen.error).toEqual(none.status === 'rejected' && none.error);
    }
  });
});
