// Drafts: what the agent was writing in each conversation, kept on this device only (never synced)
// so it survives switching conversations and restarting the app.
import type { ReadonlyDb, WritableDb } from './db';

export function readDraft(db: ReadonlyDb, conversationId: string): string {
  return db.prepare<[string], { body: string }>('SELECT body FROM drafts WHERE conversation_id = ?').get(conversationId)?.body ?? '';
}

/** An empty (or blank) body removes the draft. */
export function writeDraft(db: WritableDb, conversationId: string, body: string, now: number): void {
  if (body.trim() === '') clearDraft(db, conversationId);
  else
    db.prepare(
      `INSERT INTO drafts (conversation_id, body, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (conversation_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`,
    ).run(conversationId, body, now);
}

export function clearDraft(db: WritableDb, conversationId: string): void {
  db.prepare('DELETE FROM drafts WHERE conversation_id = ?').run(conversationId);
}
