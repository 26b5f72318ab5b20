// The few Graph API calls the WhatsApp adapter makes (Cloud API): send a message, upload media, fetch a
// customer's media. Every failure is classified for the dispatcher: transient (retry later), refused (the
// provider said no: the message fails with its reason) or uncertain (the request may have been taken).
import { MAX_ATTACHMENT_BYTES } from '../../../src-shared/domain';
import type { WhatsAppAccount } from '../../store/channelAccounts';

export type GraphFailure = { ok: false; kind: 'transient' | 'refused' | 'uncertain'; reason: string };
export type GraphResult<T> = { ok: true; value: T } | GraphFailure;

/** Longest a Graph request may take (headers and body) before it is given up. */
export const REQUEST_TIMEOUT_MS = 30_000;
/** Network errors raised before a request reached the provider: retrying cannot send anything twice. */
const NOT_REACHED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);
/** Graph error codes that mean "later": throughput and pair rate limits, temporary unavailability. */
const TRANSIENT_CODES = new Set([1, 2, 4, 80007, 130429, 131000, 131016, 131056]);

interface GraphErrorBody {
  error?: { message?: string; code?: number; error_subcode?: number; error_data?: { details?: string }; is_transient?: boolean };
}

/** "(#131047) Re-engagement message: Message failed to send because…" — the provider's words, for people. */
export function providerReason(
  e: { code?: number; title?: string; message?: string; error_data?: { details?: string } } | undefined,
  status?: number,
): string {
  if (!e) return status ? `WhatsApp answered HTTP ${status}.` : 'WhatsApp refused the message.';
  const title = (e.title ?? e.message ?? '').replace(/^\(#\d+\)\s*/, '').trim() || 'Error';
  const details = e.error_data?.details?.trim();
  return `(#${e.code ?? '?'}) ${title}${details && details !== title ? `: ${details}` : ''}`;
}

function networkCode(e: unknown): string | undefined {
  const cause = (e as { cause?: { code?: string; errors?: { code?: string }[] } }).cause;
  return cause?.code ?? cause?.errors?.[0]?.code;
}

async function call<T>(url: string, init: RequestInit, account: WhatsAppAccount, sends: boolean): Promise<GraphResult<T>> {
  let res: Response;
  try {
    res = await fetch(url, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${account.accessToken}` },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (e) {
    const code = networkCode(e);
    const reason = `Could not reach WhatsApp (${code ?? (e instanceof Error ? e.name : 'network error')}).`;
    // A cut after the request left may have delivered it: a send is then uncertain, never retried.
    return { ok: false, kind: !sends || (code !== undefined && NOT_REACHED.has(code)) ? 'transient' : 'uncertain', reason };
  }
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    if (res.ok) return { ok: false, kind: sends ? 'uncertain' : 'transient', reason: 'WhatsApp answered with an unreadable body.' };
  }
  if (res.ok) return { ok: true, value: body as T };
  const error = (body as GraphErrorBody | null)?.error;
  const reason = providerReason(error, res.status);
  const transient = res.status === 429 || res.status >= 500 || error?.is_transient === true || TRANSIENT_CODES.has(error?.code ?? -1);
  return { ok: false, kind: transient ? 'transient' : 'refused', reason };
}

/** POST /<phone-number-id>/messages; returns the provider's message id (wamid). */
export async function sendMessage(account: WhatsAppAccount, message: Record<string, unknown>): Promise<GraphResult<string>> {
  const result = await call<{ messages?: { id?: string }[] }>(
    `${account.graphUrl}/${account.phoneNumberId}/messages`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messaging_product: 'whatsapp', recipient_type: 'individual', ...message }),
    },
    account,
    true,
  );
  if (!result.ok) return result;
  const id = result.value.messages?.[0]?.id;
  return id ? { ok: true, value: id } : { ok: false, kind: 'uncertain', reason: 'WhatsApp accepted the message without an id.' };
}

/** POST /<phone-number-id>/media (multipart); returns the media id to send. */
export async function uploadMedia(account: WhatsAppAccount, bytes: Buffer, mime: string, filename: string): Promise<GraphResult<string>> {
  const form = new FormData();
  form.set('messaging_product', 'whatsapp');
  form.set('type', mime);
  form.set('file', new Blob([bytes], { type: mime }), filename);
  const result = await call<{ id?: string }>(
    `${account.graphUrl}/${account.phoneNumberId}/media`,
    { method: 'POST', body: form },
    account,
    false,
  );
  if (!result.ok) return result;
  return result.value.id
    ? { ok: true, value: result.value.id }
    : { ok: false, kind: 'transient', reason: 'WhatsApp stored the file without an id.' };
}

/** A customer's media: GET /<media-id> for its URL, then the bytes (both with the access token). */
export async function fetchMedia(account: WhatsAppAccount, mediaId: string): Promise<GraphResult<{ bytes: Buffer; mime: string }>> {
  const meta = await call<{ url?: string; mime_type?: string; file_size?: number | string }>(
    `${account.graphUrl}/${encodeURIComponent(mediaId)}`,
    { method: 'GET' },
    account,
    false,
  );
  if (!meta.ok) return meta;
  if (!meta.value.url) return { ok: false, kind: 'refused', reason: 'WhatsApp gave no address for this file.' };
  if (Number(meta.value.file_size ?? 0) > MAX_ATTACHMENT_BYTES)
    return { ok: false, kind: 'refused', reason: 'The file is larger than 16 MB.' };
  let res: Response;
  try {
    res = await fetch(meta.value.url, {
      headers: { authorization: `Bearer ${account.accessToken}` },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (e) {
    return { ok: false, kind: 'transient', reason: `Could not download the file (${networkCode(e) ?? 'network error'}).` };
  }
  if (!res.ok)
    return {
      ok: false,
      kind: res.status >= 500 || res.status === 429 ? 'transient' : 'refused',
      reason: `Downloading the file answered HTTP ${res.status}.`,
    };
  const bytes = Buffer.from(await res.arrayBuffer());
  if (bytes.length > MAX_ATTACHMENT_BYTES) return { ok: false, kind: 'refused', reason: 'The file is larger than 16 MB.' };
  return { ok: true, value: { bytes, mime: (meta.value.mime_type ?? res.headers.get('content-type') ?? '').split(';')[0]!.trim() } };
}
