// The webchat customer page's own socket protocol (/webchat/<slug>/socket). The customer is
// identified by a visitor id and a secret kept in their browser; they only ever see their own chat.
import { z } from 'zod';
import { MESSAGE_MAX_CHARS, Millis } from './domain';
import { ErrorBody } from './errors';
import { key, line, text } from './values';

export const VisitorJoin = z.object({
  type: z.literal('join'),
  visitorId: z.string().uuid(),
  secret: key(128, { min: 16 }),
  name: line(120, { min: 1 }),
});
export const VisitorSay = z.object({
  type: z.literal('say'),
  /** Client-made UUID: a resend after a reconnect is stored once. */
  id: z.string().uuid(),
  /** Control characters are left out (an empty message is then refused with EMPTY_MESSAGE). */
  body: text(MESSAGE_MAX_CHARS),
});
/** The page showed the customer every agent message up to this one (the newest on screen while the
 *  page was visible): they become `read` for the agents. */
export const VisitorSeen = z.object({
  type: z.literal('seen'),
  messageId: key(64, { min: 1 }),
});
export const VisitorFrame = z.discriminatedUnion('type', [VisitorJoin, VisitorSay, VisitorSeen]);
export type VisitorFrame = z.infer<typeof VisitorFrame>;
export const VISITOR_FRAME_TYPES = ['join', 'say', 'seen'] as const;

/** An agent's file or voice note as the customer's page gets it: a URL signed for this visitor only. */
export const WebchatAttachment = z.object({
  url: z.string(),
  name: z.string(),
  mime: z.string(),
  kind: z.enum(['image', 'audio', 'voice', 'video', 'file']),
  durationMs: z.number().nullable(),
});

export const WebchatMessage = z.object({
  id: z.string(),
  from: z.enum(['customer', 'agent']),
  authorName: z.string().nullable(),
  body: z.string(),
  attachments: z.array(WebchatAttachment),
  createdAt: Millis,
});
export type WebchatMessage = z.infer<typeof WebchatMessage>;

export const WebchatServerFrame = z.discriminatedUnion('type', [
  z.object({ type: z.literal('joined'), name: z.string(), history: z.array(WebchatMessage) }),
  z.object({ type: z.literal('message'), message: WebchatMessage }),
  /** `messageId`: the customer's message this refuses (a `say`). It is not sent again unless the code is
   *  INTERNAL (a passing failure: the page keeps it and sends it again after a reconnect). */
  z.object({ type: z.literal('error'), error: ErrorBody, messageId: z.string().optional() }),
]);
export type WebchatServerFrame = z.infer<typeof WebchatServerFrame>;
