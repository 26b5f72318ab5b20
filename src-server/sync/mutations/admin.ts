// Administration: users (invite, role, teams, deactivate), teams, inboxes, contact fields, closing categories.
// Every one requires the admin role; anyone else gets FORBIDDEN and nothing changes.
import { v7 as uuidv7 } from 'uuid';
import { BandejaError } from '../../../src-shared/errors';
import { assign } from '../../../src-shared/rules/conversation';
import { definitionTenant, saveClosingCategory, saveContactField } from '../../store/definitions';
import {
  countActiveAdmins,
  emailTaken,
  getInbox,
  getTeam,
  getTenantUser,
  insertTeam,
  insertUser,
  renameTeam,
  updateInbox,
  updateUser,
  viewerOf,
} from '../../store/directory';
import { INVITE_TTL_MS, insertInvite, newInviteToken } from '../../store/invites';
import { lockActiveConversationsOfAssignee } from '../../store/conversations';
import { mustBeNewId, mustBeVisibleOrNewId, requireAdmin, writeOutcome, type MutationContext, type MutatorTable } from './context';

async function mustBeTeams(ctx: MutationContext, teamIds: readonly string[]): Promise<string[]> {
  const unique = [...new Set(teamIds)].sort();
  for (const id of unique)
    if (!(await getTeam(ctx.tx, ctx.actor.tenantId, id))) throw new BandejaError('NOT_FOUND', 'A team does not exist.');
  return unique;
}

export const adminMutators: MutatorTable<
  | 'admin.user.invite'
  | 'admin.user.update'
  | 'admin.team.save'
  | 'admin.inbox.update'
  | 'admin.contactField.save'
  | 'admin.closingCategory.save'
> = {
  async 'admin.user.invite'(ctx, args) {
    requireAdmin(ctx);
    await mustBeNewId(ctx, 'user', args.id);
    if (await emailTaken(ctx.tx, args.email)) throw new BandejaError('INVALID_ARGS', 'Someone already has an account with this email.');
    const teamIds = await mustBeTeams(ctx, args.teamIds);
    await insertUser(ctx.tx, ctx.batch, { ...args, teamIds, passwordHash: null, invited: true });
    const token = newInviteToken();
    await insertInvite(ctx.tx, ctx.batch, {
      id: uuidv7(),
      userId: args.id,
      token,
      url: `${ctx.publicUrl}/invite/${token}`,
      expiresAt: ctx.now + INVITE_TTL_MS,
    });
  },

  async 'admin.user.update'(ctx, args) {
    requireAdmin(ctx);
    const user = await getTenantUser(ctx.tx, ctx.actor.tenantId, args.userId);
    if (!user) throw new BandejaError('NOT_FOUND', 'This person does not exist.');
    const teamIds = args.teamIds ? await mustBeTeams(ctx, args.teamIds) : undefined;
    const loses = (args.role !== undefined && args.role !== 'admin') || args.active === false;
    // Someone must always be able to administer the workspace.
    if (user.role === 'admin' && user.active && loses && (await countActiveAdmins(ctx.tx, ctx.actor.tenantId)) <= 1)
      throw new BandejaError('FORBIDDEN', 'This is the last administrator. Make someone else an administrator first.');
    const scopeChanged =
      (args.role !== undefined && args.role !== user.role) ||
      (args.active !== undefined && args.active !== user.active) ||
      (teamIds !== undefined && teamIds.join('\u0000') !== [...user.teamIds].sort().join('\u0000'));
    await updateUser(ctx.tx, ctx.batch, user.id, { name: args.name, role: args.role, active: args.active, teamIds }, scopeChanged);
    // A deactivated agent's customers must not wait on someone who is gone: their open work goes back to
    // the team's queue (closed history keeps its assignee).
    if (args.active === false && user.active)
      for (const c of await lockActiveConversationsOfAssignee(ctx.tx, ctx.actor.tenantId, user.id))
        await writeOutcome(ctx, c, assign(viewerOf(ctx.actor), c, null));
  },

  async 'admin.team.save'(ctx, args) {
    requireAdmin(ctx);
    if (await getTeam(ctx.tx, ctx.actor.tenantId, args.id)) return renameTeam(ctx.tx, ctx.batch, args);
    await mustBeNewId(ctx, 'team', args.id);
    await insertTeam(ctx.tx, ctx.batch, args);
  },

  async 'admin.inbox.update'(ctx, args) {
    requireAdmin(ctx);
    const inbox = await getInbox(ctx.tx, args.inboxId);
    if (!inbox || inbox.tenantId !== ctx.actor.tenantId) throw new BandejaError('NOT_FOUND', 'This inbox does not exist.');
    if (args.teamId && !(await getTeam(ctx.tx, ctx.actor.tenantId, args.teamId)))
      throw new BandejaError('NOT_FOUND', 'This team does not exist.');
    await updateInbox(ctx.tx, ctx.batch, inbox.id, { name: args.name, teamId: args.teamId, settings: args.settings });
  },

  async 'admin.contactField.save'(ctx, args) {
    requireAdmin(ctx);
    const owner = await definitionTenant(ctx.tx, 'contact_field_definitions', args.id);
    await mustBeVisibleOrNewId(ctx, 'contactField', args.id, owner === ctx.actor.tenantId);
    if (args.type === 'select' && args.options.length === 0)
      throw new BandejaError('INVALID_ARGS', 'A list field needs at least one option.');
    if (!(await saveContactField(ctx.tx, ctx.batch, args)))
      throw new BandejaError('INVALID_ARGS', `Another field already uses the key "${args.key}".`);
  },

  async 'admin.closingCategory.save'(ctx, args) {
    requireAdmin(ctx);
    const owner = await definitionTenant(ctx.tx, 'closing_categories', args.id);
    await mustBeVisibleOrNewId(ctx, 'closingCategory', args.id, owner === ctx.actor.tenantId);
    await saveClosingCategory(ctx.tx, ctx.batch, args);
  },
};
