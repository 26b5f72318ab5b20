// What belongs to one person: their notifications and their saved views.
import { BandejaError } from '../../../src-shared/errors';
import { canUseSavedView, mustMayChangeSavedView } from '../../../src-shared/rules/visibility';
import { getTeam, viewerOf } from '../../store/directory';
import { lockNotifications, markNotificationRead } from '../../store/notifications';
import { deleteSavedView, lockSavedView, writeSavedView } from '../../store/savedViews';
import { mustBeVisibleOrNewId, type MutatorTable } from './context';

export const personalMutators: MutatorTable<'notification.markRead' | 'view.save' | 'view.delete'> = {
  async 'notification.markRead'(ctx, args) {
    const ids = [...new Set(args.ids)];
    const rows = await lockNotifications(ctx.tx, ctx.actor.tenantId, ids);
    // Someone else's notification is answered exactly like one that does not exist.
    if (rows.length !== ids.length || rows.some((n) => n.userId !== ctx.actor.id))
      throw new BandejaError('NOT_FOUND', 'A notification does not exist.');
    for (const n of rows) if (n.readAt === null) await markNotificationRead(ctx.tx, ctx.batch, n, ctx.now);
  },

  async 'view.save'(ctx, args) {
    const before = await lockSavedView(ctx.tx, ctx.actor.tenantId, args.id);
    await mustBeVisibleOrNewId(ctx, 'savedView', args.id, before !== null && canUseSavedView(viewerOf(ctx.actor), before));
    mustMayChangeSavedView(viewerOf(ctx.actor), before, args.teamId);
    if (args.teamId !== null && !(await getTeam(ctx.tx, ctx.actor.tenantId, args.teamId)))
      throw new BandejaError('NOT_FOUND', 'This team does not exist.');
    await writeSavedView(ctx.tx, ctx.batch, before, { ...args, ownerId: ctx.actor.id });
  },

  async 'view.delete'(ctx, args) {
    const view = await lockSavedView(ctx.tx, ctx.actor.tenantId, args.id);
    if (!view) throw new BandejaError('NOT_FOUND', 'This view does not exist.');
    mustMayChangeSavedView(viewerOf(ctx.actor), view, null);
    await deleteSavedView(ctx.tx, ctx.batch, view);
  },
};
