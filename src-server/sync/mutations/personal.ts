// What belongs to one person: their notifications and their saved views.
import { BandejaError } from '../../../src-shared/errors';
import { seesEverything } from '../../../src-shared/rules/visibility';
import { getTeam } from '../../store/directory';
import { lockNotifications, markNotificationRead } from '../../store/notifications';
import { deleteSavedView, lockSavedView, savedViewIdTaken, writeSavedView } from '../../store/savedViews';
import type { MutatorTable } from './context';

export const personalMutators: MutatorTable<'notification.markRead' | 'view.save' | 'view.delete'> = {
  async 'notification.markRead'(ctx, args) {
    const ids = [...new Set(args.ids)];
    const rows = await lockNotifications(ctx.tx, ctx.actor.tenantId, ids);
    if (rows.length !== ids.length) throw new BandejaError('NOT_FOUND', 'A notification does not exist.');
    if (rows.some((n) => n.userId !== ctx.actor.id)) throw new BandejaError('FORBIDDEN', 'You may only mark your own notifications read.');
    for (const n of rows) if (n.readAt === null) await markNotificationRead(ctx.tx, ctx.batch, n, ctx.now);
  },

  async 'view.save'(ctx, args) {
    const before = await lockSavedView(ctx.tx, ctx.actor.tenantId, args.id);
    if (!before && (await savedViewIdTaken(ctx.tx, args.id))) throw new BandejaError('INVALID_ARGS', 'This view id is already used.');
    if (before && before.ownerId !== ctx.actor.id) throw new BandejaError('FORBIDDEN', 'Only the person who made this view may change it.');
    if (args.teamId !== null) {
      if (!(await getTeam(ctx.tx, ctx.actor.tenantId, args.teamId))) throw new BandejaError('NOT_FOUND', 'This team does not exist.');
      if (!seesEverything(ctx.actor.role) && !ctx.actor.teamIds.includes(args.teamId))
        throw new BandejaError('FORBIDDEN', 'You may only share a view with a team you belong to.');
    }
    await writeSavedView(ctx.tx, ctx.batch, before, { ...args, ownerId: ctx.actor.id });
  },

  async 'view.delete'(ctx, args) {
    const view = await lockSavedView(ctx.tx, ctx.actor.tenantId, args.id);
    if (!view) throw new BandejaError('NOT_FOUND', 'This view does not exist.');
    if (view.ownerId !== ctx.actor.id) throw new BandejaError('FORBIDDEN', 'Only the person who made this view may delete it.');
    await deleteSavedView(ctx.tx, ctx.batch, view);
  },
};
