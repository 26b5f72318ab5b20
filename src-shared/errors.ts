// Error codes shared by server, core and UI. The UI translates each code for the person reading it.
import { z } from 'zod';

export const ERROR_CODES = [
  'INVALID_CREDENTIALS',
  'UNAUTHORIZED',
  'PROTOCOL_MISMATCH',
  'BAD_FRAME',
  'UNKNOWN_FRAME',
  'FRAME_TOO_LARGE',
  'INVALID_ARGS',
  'UNKNOWN_MUTATION',
  'NOT_FOUND',
  'FORBIDDEN',
  'ALREADY_ASSIGNED',
  'MESSAGE_TOO_LONG',
  'FILE_TOO_LARGE',
  'FORBIDDEN_FILE_TYPE',
  /** An upload whose bytes do not hash to the sha256 it was sent as. */
  'HASH_MISMATCH',
  /** A message names an attachment this device or the server does not hold. */
  'ATTACHMENT_MISSING',
  'EMPTY_MESSAGE',
  /** Free text outside the channel's reply window (WhatsApp, Messenger, Instagram: 24 h after the
   *  customer's last message): only a template may be sent. */
  'REPLY_WINDOW_CLOSED',
  /** The channel (e.g. WhatsApp) refused or could not take a message; the message is the provider's reason. */
  'PROVIDER_REJECTED',
  'CONVERSATION_CLOSED',
  'INVALID_TRANSITION',
  /** The server could not store this for good (a value its database refuses, or a fault in the server):
   *  refused like a business rule, never retried, so what comes after it goes on. */
  'UNPROCESSABLE',
  'CLIENT_MISMATCH',
  'NOT_SIGNED_IN',
  'SERVER_UNREACHABLE',
  /** Something answers at the address, but not as a Bandeja server (GET /api/health). */
  'NOT_A_BANDEJA_SERVER',
  /** Too many requests (sign-ins, messages, uploads…) in a short time; params.retryAfterMs says when to try again. */
  'RATE_LIMITED',
  'INTERNAL',
] as const;
export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorBody = z.object({
  code: ErrorCode,
  message: z.string(),
  /** Values the UI needs to say it in the reader's language, e.g. { assigneeId } for ALREADY_ASSIGNED. */
  params: z.record(z.string()).optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** An error meant to reach a person (or another process) with its code intact. */
export class BandejaError extends Error {
  readonly code: ErrorCode;
  readonly params: Record<string, string> | undefined;
  constructor(code: ErrorCode, message: string, params?: Record<string, string>) {
    super(message);
    this.name = 'BandejaError';
    this.code = code;
    this.params = params;
  }
  toBody(): ErrorBody {
    return this.params ? { code: this.code, message: this.message, params: this.params } : { code: this.code, message: this.message };
  }
}

export function isBandejaError(e: unknown): e is BandejaError {
  return e instanceof BandejaError;
}
