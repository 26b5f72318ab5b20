// Reminders and the presence a person chooses: what belongs to one agent. The shared rules
// (rules/reminders.ts, rules/conversation.ts snoozeUntilReminder) decide; these write it.
import { BandejaError } from '../../../src-shared/errors';
import { snoozeUntilReminder } from '../../../src-shared/rules/conversation';
import { isLateMove, setReminder, setReminderState } from '../../../src-shared/rules/reminders';
import { choosePresence, setPresence, viewerOf } from '../../store/directory';
import { lockReminder, writeReminder } from '../../store/reminders';
import { mustBeVisibleOrNewId, mustFindConversation, writeOutcome, type MutatorTable } from './context';

export const reminderMutators: MutatorTable<'reminder.set' | 'reminder.setState' | 'presence.set'> = {
  async 'reminder.set'(ctx, args) {
    const conversation = await mustFindConversation(ctx, args.conversationId);
    const before = await lockReminder(ctx.tx, ctx.actor.tenantId, args.id);
    // Reminders are their owner's alone: anyone else's is answered like an id of another tenant.
    await mustBeVisibleOrNewId(ctx, 'reminder', args.id, before?.userId === ctx.actor.id);
    const viewer = viewerOf(ctx.actor);
    // Also the visibility check: a reminder is only set on a conversation the agent may see.
    const outcome = snoozeUntilReminder(viewer, conversation, args.dueAt, args.postpone, ctx.now);
    const reminder = setReminder(viewer, before, args, ctx.now);
    if (isLateMove(before)) return;
    await writeReminder(ctx.tx, ctx.batch, before, reminder);
    await writeOutcome(ctx, conversation, outcome);
  },

  async 'reminder.setState'(ctx, args) {
    const before = await lockReminder(ctx.tx, ctx.actor.tenantId, args.id);
    if (!before) throw new BandejaError('NOT_FOUND', 'This reminder does not exist.');
    const after = setReminderState(viewerOf(ctx.actor), before, args.state);
    if (after !== before) await writeReminder(ctx.tx, ctx.batch, before, after);
  },

  async 'presence.set'(ctx, args) {
    await choosePresence(ctx.tx, ctx.actor.id, args.presence);
    // The person pushes over a live connection, so the chosen presence is what teammates see now.
    await setPresence(ctx.tx, ctx.batch, ctx.actor.id, args.presence);
  },
};
