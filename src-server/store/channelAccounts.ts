// Channel accounts (WhatsApp Cloud API) per inbox. Server-only rows: tokens and secrets never enter the
// change log, a snapshot or any frame.
import type { Queryable } from './db';

export interface WhatsAppAccount {
  inboxId: string;
  /** Graph API base, e.g. https://graph.facebook.com/v21.0 */
  graphUrl: string;
  phoneNumberId: string;
  accessToken: string;
  /** Signs webhooks (X-Hub-Signature-256). */
  appSecret: string;
  /** Answers Meta's subscription check (GET hub.verify_token). */
  verifyToken: string;
}

interface AccountRow {
  inbox_id: string;
  graph_url: string;
  phone_number_id: string;
  access_token: string;
  app_secret: string;
  verify_token: string;
  [k: string]: unknown;
}

const COLUMNS = 'inbox_id, graph_url, phone_number_id, access_token, app_secret, verify_token';

function toAccount(r: AccountRow): WhatsAppAccount {
  return {
    inboxId: r.inbox_id,
    graphUrl: r.graph_url,
    phoneNumberId: r.phone_number_id,
    accessToken: r.access_token,
    appSecret: r.app_secret,
    verifyToken: r.verify_token,
  };
}

/** Sets the inbox's account (the phone number moves to it if another inbox had it). */
export async function saveWhatsAppAccount(db: Queryable, a: WhatsAppAccount, now: number): Promise<void> {
  await db.query('DELETE FROM channel_accounts WHERE phone_number_id = $1 AND inbox_id <> $2', [a.phoneNumberId, a.inboxId]);
  await db.query(
    `INSERT INTO channel_accounts (inbox_id, graph_url, phone_number_id, access_token, app_secret, verify_token, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (inbox_id) DO UPDATE SET graph_url = $2, phone_number_id = $3, access_token = $4, app_secret = $5, verify_token = $6,
       updated_at = $7`,
    [a.inboxId, a.graphUrl.replace(/\/+$/, ''), a.phoneNumberId, a.accessToken, a.appSecret, a.verifyToken, now],
  );
}

export async function whatsAppAccountOf(db: Queryable, inboxId: string): Promise<WhatsAppAccount | null> {
  const [row] = await db.query<AccountRow>(`SELECT ${COLUMNS} FROM channel_accounts WHERE inbox_id = $1`, [inboxId]);
  return row ? toAccount(row) : null;
}

export async function listWhatsAppAccounts(db: Queryable): Promise<WhatsAppAccount[]> {
  return (await db.query<AccountRow>(`SELECT ${COLUMNS} FROM channel_accounts ORDER BY inbox_id`)).map(toAccount);
}
