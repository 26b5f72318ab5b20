// Where a WhatsApp inbox's account comes from: startServer's `whatsapp` option, or else the environment
// (BANDEJA_WHATSAPP_*), applied to the inbox at start. Kept only in channel_accounts, server-side.
import type { WhatsAppAccount } from '../../store/channelAccounts';
import { saveWhatsAppAccount } from '../../store/channelAccounts';
import type { Db } from '../../store/db';
import { getInbox } from '../../store/directory';

export const DEFAULT_GRAPH_URL = 'https://graph.facebook.com/v21.0';
/** The demo tenant's WhatsApp inbox (src-server/demo.ts). */
export const DEFAULT_WHATSAPP_INBOX_ID = 'inbox-whatsapp';

export type WhatsAppAccountOptions = Omit<WhatsAppAccount, 'inboxId' | 'graphUrl'> & { inboxId?: string; graphUrl?: string };

const ENV = {
  phoneNumberId: 'BANDEJA_WHATSAPP_PHONE_NUMBER_ID',
  accessToken: 'BANDEJA_WHATSAPP_TOKEN',
  appSecret: 'BANDEJA_WHATSAPP_APP_SECRET',
  verifyToken: 'BANDEJA_WHATSAPP_VERIFY_TOKEN',
} as const;

/** The account the environment describes; undefined when no WhatsApp variable is set. Throws when only some are. */
export function whatsAppAccountFromEnv(env: NodeJS.ProcessEnv): WhatsAppAccountOptions | undefined {
  const values = Object.fromEntries(Object.entries(ENV).map(([key, name]) => [key, env[name]?.trim() ?? ''])) as Record<
    keyof typeof ENV,
    string
  >;
  const missing = Object.entries(ENV)
    .filter(([key]) => !values[key as keyof typeof ENV])
    .map(([, name]) => name);
  if (missing.length === Object.keys(ENV).length) return undefined;
  if (missing.length > 0) throw new Error(`WhatsApp is half configured: set ${missing.join(', ')} too.`);
  return {
    ...values,
    graphUrl: env.BANDEJA_WHATSAPP_GRAPH_URL?.trim() || DEFAULT_GRAPH_URL,
    inboxId: env.BANDEJA_WHATSAPP_INBOX_ID?.trim() || undefined,
  };
}

/** Stores the account for its inbox (which must be a WhatsApp inbox). Returns false when there is none. */
export async function applyWhatsAppAccount(db: Db, opts: WhatsAppAccountOptions, log: (line: string) => void): Promise<boolean> {
  const inboxId = opts.inboxId ?? DEFAULT_WHATSAPP_INBOX_ID;
  const inbox = await getInbox(db, inboxId);
  if (!inbox || inbox.channel !== 'whatsapp') {
    log(`WhatsApp account not applied: inbox ${inboxId} is not a WhatsApp inbox of this server.`);
    return false;
  }
  await saveWhatsAppAccount(db, { ...opts, inboxId, graphUrl: opts.graphUrl ?? DEFAULT_GRAPH_URL }, Date.now());
  log(`WhatsApp connected for inbox ${inboxId} (phone number id ${opts.phoneNumberId})`);
  return true;
}
