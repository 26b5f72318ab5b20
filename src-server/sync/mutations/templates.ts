// Message templates: admins register them per inbox with the provider's name and language.
import { BandejaError } from '../../../src-shared/errors';
import { getInbox } from '../../store/directory';
import { deleteTemplate, lockTemplate, templateNameTaken, writeTemplate } from '../../store/templates';
import { mustBeVisibleOrNewId, requireAdmin, type MutatorTable } from './context';

export const templateMutators: MutatorTable<'admin.template.save' | 'admin.template.delete'> = {
  async 'admin.template.save'(ctx, args) {
    requireAdmin(ctx);
    const before = await lockTemplate(ctx.tx, ctx.actor.tenantId, args.id);
    await mustBeVisibleOrNewId(ctx, 'template', args.id, before !== null);
    const inbox = await getInbox(ctx.tx, args.inboxId);
    if (!inbox || inbox.tenantId !== ctx.actor.tenantId) throw new BandejaError('NOT_FOUND', 'This inbox does not exist.');
    if (await templateNameTaken(ctx.tx, args.inboxId, args.name, args.language, args.id))
      throw new BandejaError('INVALID_ARGS', `This inbox already has the template "${args.name}" in ${args.language}.`, {
        name: args.name,
        language: args.language,
      });
    await writeTemplate(ctx.tx, ctx.batch, before !== null, args);
  },

  async 'admin.template.delete'(ctx, args) {
    requireAdmin(ctx);
    // Messages sent with it keep their own copy (name, language, values), so deleting loses nothing.
    if (!(await lockTemplate(ctx.tx, ctx.actor.tenantId, args.id))) throw new BandejaError('NOT_FOUND', 'This template does not exist.');
    await deleteTemplate(ctx.tx, ctx.batch, args.id);
  },
};
