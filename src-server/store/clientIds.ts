// Ids a client makes (UUIDv7) for the rows it creates: whether one is taken, by any row of any tenant.
// Mutations answer a taken id one way whoever holds it (sync/mutations/context.ts mustBeNewId).
import type { Queryable } from './db';

const TABLE_OF = {
  conversation: 'conversations',
  message: 'messages',
  reminder: 'reminders',
  savedView: 'saved_views',
  snippet: 'snippets',
  template: 'message_templates',
  contact: 'contacts',
  team: 'teams',
  user: 'users',
  contactField: 'contact_field_definitions',
  closingCategory: 'closing_categories',
} as const;

export type ClientIdKind = keyof typeof TABLE_OF;

export async function clientIdTaken(db: Queryable, kind: ClientIdKind, id: string): Promise<boolean> {
  return (await db.query(`SELECT 1 FROM ${TABLE_OF[kind]} WHERE id = $1`, [id])).length > 0;
}
