// Shared steps of the client sync integration tests: sign an agent in and wait for the inbox.
import Database from 'better-sqlite3';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ConversationItem, MessageItem } from '../../src-shared/ipc';
import type { ClientProcess } from '../support/client-process';

export const PASSWORD = 'demo1234';

export async function signIn(client: ClientProcess, serverUrl: string, email: string): Promise<void> {
  await client.ipc.ok('session.login', { serverUrl, email, password: PASSWORD });
  await client.ipc.until('sync.status', {}, (s) => s.state === 'online');
}

export async function waitForConversation(
  client: ClientProcess,
  view: 'mine' | 'unassigned',
  contactName: string,
): Promise<ConversationItem> {
  const list = await client.ipc.until('inbox.list', { view: { kind: view }, status: 'open' }, (items) =>
    items.some((c) => c.contactName === contactName),
  );
  return list.find((c) => c.contactName === contactName)!;
}

export function bodies(messages: MessageItem[], direction: MessageItem['direction']): string[] {
  return messages.filter((m) => m.direction === direction).map((m) => m.body);
}

/** Reads the client's mirror file with a handle of our own, as anyone with access to the disk could. */
export function readMirrorFile<T>(client: ClientProcess, read: (db: Database.Database) => T): T {
  const dir = join(client.dataDir, 'client', 'mirrors');
  const files = readdirSync(dir).filter((f) => f.endsWith('.sqlite'));
  if (files.length !== 1) throw new Error(`expected one mirror in ${dir}, found ${files.join(', ')}`);
  const db = new Database(join(dir, files[0]!), { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}
