// Secrets every server process sharing the database reads alike (server_secrets), such as the webchat media
// signing key: a link one process signs is accepted by every other. Created once: processes racing to
// create one all insert-if-absent, then all read the one that won.
import type { Queryable } from './db';

/** The secret `name`, made by `create` (and stored) when there is none yet. */
export async function sharedSecret(db: Queryable, name: string, create: () => string, now: number): Promise<string> {
  await db.query('INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING', [
    name,
    create(),
    now,
  ]);
  const [row] = await db.query<{ value: string }>('SELECT value FROM server_secrets WHERE name = $1', [name]);
  if (!row) throw new Error(`The secret ${name} could not be stored.`);
  return row.value;
}
