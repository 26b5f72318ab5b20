// The server side of each mutation, by name. The shared rules decide; the modules in mutations/ write
// what they decided.
import { BandejaError } from '../../src-shared/errors';
import { isMutationName, mutationArgs, type MutationArgs, type MutationName } from '../../src-shared/mutations';
import { adminMutators } from './mutations/admin';
import { contactMutators } from './mutations/contacts';
import type { MutationContext, Mutator, MutatorTable } from './mutations/context';
import { conversationMutators } from './mutations/conversations';
import { personalMutators } from './mutations/personal';
import { reminderMutators } from './mutations/reminders';
import { snippetMutators } from './mutations/snippets';
import { templateMutators } from './mutations/templates';

export type { AfterCommit, MutationContext } from './mutations/context';

const mutators: MutatorTable<MutationName> = {
  ...conversationMutators,
  ...contactMutators,
  ...personalMutators,
  ...adminMutators,
  ...snippetMutators,
  ...templateMutators,
  ...reminderMutators,
};

/** Validates and runs one mutation. Business refusals throw a BandejaError. */
export async function runMutation(ctx: MutationContext, name: string, rawArgs: unknown): Promise<void> {
  if (!isMutationName(name)) throw new BandejaError('UNKNOWN_MUTATION', `Unknown mutation: ${name}.`);
  const parsed = mutationArgs[name].safeParse(rawArgs);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BandejaError('INVALID_ARGS', `Invalid ${name} arguments${issue ? `: ${issue.path.join('.')} ${issue.message}` : ''}.`);
  }
  const mutator = mutators[name] as Mutator<MutationName>;
  await mutator(ctx, parsed.data as MutationArgs<MutationName>);
}
