// WhatsApp conversations from before migration 009 whose contact had several numbers in the inbox (issue 12):
// the next migration tells the number from the conversation's own inbound message ids where it can, and a
// reply where it cannot is refused with a reason the agent sees, never sent to a guessed number.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src-server/app';
import { SEVERAL_NUMBERS } from '../../src-server/channels/whatsapp/dispatcher';
import { seedDemo } from '../../src-server/demo';
import type { Db } from '../../src-server/store/db';
import { loadMigrations, migrate } from '../../src-server/store/migrate';
import type { Message } from '../../src-shared/domain';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { login, SyncPeer } from '../support/sync-peer';
import { backends, emptyTestDatabase } from '../support/test-store';
import { startWhatsAppCloud, type WhatsAppCloud } from '../support/whatsapp-cloud';

const LUCIA = { conversationId: 'conversation-wa-lucia', contactId: 'contact-wa-lucia', number: '5491155550101' };
const JOAO = { conversationId: 'conversation-wa-joao', contactId: 'contact-wa-joao', number: '5511988880202' };
/** A second number each contact got by a merge before 009; it sorts before theirs. */
const OTHER = { lucia: '5491100000001', joao: '5511900000001' };

/** A WhatsApp message id as Meta makes them: base64 of a record that starts with the customer's number. */
function wamidOf(number: string): string {
  const digits = Buffer.from(number, 'ascii');
  const rest = Buffer.from(randomBytes(10).toString('hex').toUpperCase(), 'ascii');
  const record = Buffer.concat([
    Buffer.from([0x1c, 0x18, digits.length]),
    digits,
    Buffer.from([0x15, 0x02, 0x00, 0x12, 0x18, rest.length]),
    rest,
    Buffer.from([0x00]),
  ]);
  return `wamid.${record.toString('base64')}`;
}

/** The store as a server before 009 left it: Lucía's and João's contacts each have two numbers in the
 *  WhatsApp inbox, and their conversations no identity. Lucía's inbound ids name her own number; João's
 *  names none (his conversation cannot be told). */
async function storeFromBefore009(databaseUrl: string | undefined): Promise<{ db: Db; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bandeja-wa-identity-'));
  if (databaseUrl) await emptyTestDatabase(databaseUrl);
  const db = await openStore({ dataDir, databaseUrl });
  const all = loadMigrations();
  await migrate(
    db,
    all.slice(
      0,
      all.findIndex((m) => m.name === 'whatsapp_identity_backfill'),
    ),
  );
  await seedDemo(db);
  await db.tx(async (tx) => {
    await tx.query(
      `INSERT INTO contact_identities (inbox_id, external_id, contact_id) VALUES ('inbox-whatsapp', $1, $2), ('inbox-whatsapp', $3, $4)`,
      [OTHER.lucia, LUCIA.contactId, OTHER.joao, JOAO.contactId],
    );
    await tx.query('UPDATE conversations SET identity_external_id = NULL WHERE id = ANY($1::text[])', [
      [LUCIA.conversationId, JOAO.conversationId],
    ]);
    const inbound = await tx.query<{ id: string; conversation_id: string }>(
      `SELECT id, conversation_id FROM messages WHERE direction = 'in' AND conversation_id = ANY($1::text[]) ORDER BY id`,
      [[LUCIA.conversationId, JOAO.conversationId]],
    );
    await tx.query('DELETE FROM channel_message_ids WHERE message_id = ANY($1::text[])', [inbound.map((m) => m.id)]);
    for (const m of inbound) {
      // João's id is one that names no number (as an id of another shape would): his cannot be told.
      const id = m.conversation_id === LUCIA.conversationId ? wamidOf(LUCIA.number) : `wamid.${randomBytes(30).toString('base64')}`;
      await tx.query(`INSERT INTO channel_message_ids (inbox_id, external_id, message_id) VALUES ('inbox-whatsapp', $1, $2)`, [id, m.id]);
    }
    expect(new Set(inbound.map((m) => m.conversation_id)).size).toBe(2);
  });
  return { db, dataDir };
}

async function identities(db: Db): Promise<Record<string, string | null>> {
  const rows = await db.query<{ id: string; identity_external_id: string | null }>(
    'SELECT id, identity_external_id FROM conversations WHERE id = ANY($1::text[])',
    [[LUCIA.conversationId, JOAO.conversationId]],
  );
  return Object.fromEntries(rows.map((r) => [r.id, r.identity_external_id]));
}

/** The PGlite store the backfill test migrated, which the server of the reply test then opens. */
let migratedPglite: string | undefined;

describe.each(backends)('the identity backfill on %s', (_name, databaseUrl) => {
  it('gives a conversation the number its own inbound messages name, and leaves one it cannot tell without', async () => {
    const { db, dataDir } = await storeFromBefore009(databaseUrl);
    try {
      await migrate(db);
      expect(await identities(db)).toEqual({ [LUCIA.conversationId]: LUCIA.number, [JOAO.conversationId]: null });
    } finally {
      await db.close();
    }
    if (!databaseUrl) migratedPglite = dataDir;
  });
});

describe('replies in conversations from before 009', () => {
  let wa: WhatsAppCloud | undefined;
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.stop();
    await wa?.close();
  });

  it('reach the number the conversation is with; where it cannot be told, fail with the reason and reach nobody', async () => {
    let dataDir = migratedPglite;
    if (!dataDir) {
      const store = await storeFromBefore009(undefined);
      await migrate(store.db);
      await store.db.close();
      dataDir = store.dataDir;
    }
    wa = await startWhatsAppCloud();
    server = await startServerProcess({ dataDir, demo: true, env: wa.env });
    const agent = await SyncPeer.connect(server.url, { token: (await login(server.url, 'admin@demo.test')).token });
    try {
      const reply = uuidv7();
      expect(
        await agent.push('message.send', { id: reply, conversationId: LUCIA.conversationId, body: 'Ya lo revisamos', attachments: [] }),
      ).toMatchObject({
        status: 'ok',
      });
      await wa.waitForSent(() => true, 'the reply to Lucía');
      expect(wa.sent.map((s) => s.to)).toEqual([LUCIA.number]);

      // João's window is closed: a template, which must not go to either of his numbers.
      const template = uuidv7();
      expect(
        await agent.push('message.sendTemplate', {
          id: template,
          conversationId: JOAO.conversationId,
          templateId: 'template-retomar-atencion',
          variables: [],
        }),
      ).toMatchObject({ status: 'ok' });
      await agent.waitFor(() => agent.messages.get(template)?.state === 'failed', 'the template to João failing');
      const failed: Message = agent.messages.get(template)!;
      expect(failed.error).toBe(SEVERAL_NUMBERS);
      expect(wa.sent.map((s) => s.to)).toEqual([LUCIA.number]);
    } finally {
      agent.close();
    }
  });
});
