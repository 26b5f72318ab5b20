// Every change an agent can make, as it is stored in the outbox and pushed to the server.
// A mutation is numbered per device (1, 2, 3…, never reused) and applied exactly once.
import { z } from 'zod';
import { ConversationStatus, Id, MESSAGE_MAX_CHARS, Uuid } from './domain';

export const mutationArgs = {
  'message.send': z.object({
    /** UUIDv7 made by the client; also the idempotency key toward the channel. */
    id: Uuid,
    conversationId: Id,
    // Length is checked by the rules so an oversized body is a clear business rejection, not a bad frame.
    body: z.string().max(MESSAGE_MAX_CHARS * 4),
  }),
  'conversation.assign': z.object({ conversationId: Id, assigneeId: Id.nullable() }),
  'conversation.setStatus': z.object({ conversationId: Id, status: ConversationStatus }),
  'conversation.markRead': z.object({ conversationId: Id }),
} as const;

export type MutationName = keyof typeof mutationArgs;
export type MutationArgs<N extends MutationName> = z.infer<(typeof mutationArgs)[N]>;
export const MUTATION_NAMES = Object.keys(mutationArgs) as MutationName[];

/** A mutation as the wire carries it. `args` is validated against `mutationArgs[name]` separately,
 *  so an unknown name or bad args is rejected on its own without failing the whole push. */
export const MutationEnvelope = z.object({
  id: z.number().int().positive(),
  name: z.string().min(1).max(64),
  args: z.unknown(),
  clientTime: z.number().int().nonnegative(),
});
export type MutationEnvelope = z.infer<typeof MutationEnvelope>;

export type AnyMutation = { [N in MutationName]: { id: number; name: N; args: MutationArgs<N>; clientTime: number } }[MutationName];

export function isMutationName(name: string): name is MutationName {
  return Object.prototype.hasOwnProperty.call(mutationArgs, name);
}

/** The conversation a mutation touches: used to rebase optimistic overlays and to check visibility. */
export function mutationConversationId(m: AnyMutation): string {
  return m.args.conversationId;
}
