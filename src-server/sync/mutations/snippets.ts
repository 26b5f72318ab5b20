// Snippets: admins keep shared ones, everyone keeps personal ones.
import { BandejaError } from '../../../src-shared/errors';
import { mustMayChangeSnippet, ownerOnSave } from '../../../src-shared/rules/snippets';
import { deleteSnippet, lockSnippet, snippetShortcutTaken, writeSnippet } from '../../store/snippets';
import { mustBeVisibleOrNewId, mustHoldBlobs, type MutatorTable } from './context';

export const snippetMutators: MutatorTable<'snippet.save' | 'snippet.delete'> = {
  async 'snippet.save'(ctx, args) {
    const before = await lockSnippet(ctx.tx, ctx.actor.tenantId, args.id);
    // Shared snippets are everyone's to see; a personal one only its owner's.
    await mustBeVisibleOrNewId(ctx, 'snippet', args.id, before !== null && (before.ownerId === null || before.ownerId === ctx.actor.id));
    const ownerId = ownerOnSave(ctx.actor, before, args.shared);
    // The file must already be uploaded (PUT /blobs/<sha256>), like a message's.
    if (args.attachment !== null) await mustHoldBlobs(ctx, [args.attachment]);
    if (await snippetShortcutTaken(ctx.tx, ctx.actor.tenantId, ownerId, args.shortcut, args.id))
      throw new BandejaError('INVALID_ARGS', `Another snippet already uses the shortcut "/${args.shortcut}".`, { shortcut: args.shortcut });
    await writeSnippet(ctx.tx, ctx.batch, before, {
      id: args.id,
      title: args.title,
      shortcut: args.shortcut,
      body: args.body,
      attachment: args.attachment,
      ownerId,
    });
  },

  async 'snippet.delete'(ctx, args) {
    const snippet = await lockSnippet(ctx.tx, ctx.actor.tenantId, args.id);
    if (!snippet) throw new BandejaError('NOT_FOUND', 'This snippet does not exist.');
    mustMayChangeSnippet(ctx.actor, snippet.ownerId);
    await deleteSnippet(ctx.tx, ctx.batch, snippet);
  },
};
