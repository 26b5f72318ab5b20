// Contact mutations: per-field patches (rules/contact.ts) with history, hand-made contacts, merges.
import { v7 as uuidv7 } from 'uuid';
import type { Contact, CustomValue } from '../../../src-shared/domain';
import { BandejaError } from '../../../src-shared/errors';
import { createContact, mustMayChangeContacts, patchContact } from '../../../src-shared/rules/contact';
import { insertContact, insertContactChange, lockContact, logContact, moveIdentities, updateContact } from '../../store/contacts';
import { lockConversationsOfContact, updateConversation } from '../../store/conversations';
import { listContactFields } from '../../store/definitions';
import { activeUserIds, viewerOf } from '../../store/directory';
import { mustBeNewId, type MutationContext, type MutatorTable } from './context';

async function fieldRules(ctx: MutationContext) {
  const [definitions, users] = await Promise.all([
    listContactFields(ctx.tx, ctx.actor.tenantId),
    activeUserIds(ctx.tx, ctx.actor.tenantId),
  ]);
  return { definitions, isUser: (id: string) => users.has(id) };
}

async function recordChange(ctx: MutationContext, contactId: string, field: string, before: unknown, after: unknown, conflict: boolean) {
  await insertContactChange(ctx.tx, ctx.batch, {
    id: uuidv7(),
    contactId,
    field,
    before,
    after,
    byId: ctx.actor.id,
    at: ctx.now,
    conflict,
  });
}

function union(a: readonly string[], b: readonly string[]): string[] {
  const seen = new Set(a.map((v) => v.toLowerCase()));
  return [...a, ...b.filter((v) => !seen.has(v.toLowerCase()))];
}

export const contactMutators: MutatorTable<'contact.create' | 'contact.update' | 'contact.merge'> = {
  async 'contact.create'(ctx, args) {
    await mustBeNewId(ctx, 'contact', args.id);
    const { definitions, isUser } = await fieldRules(ctx);
    const contact = createContact(args, ctx.now, definitions, isUser, ctx.batch.version);
    const { version: _v, identities: _i, mergedIntoId: _m, ...row } = contact;
    await insertContact(ctx.tx, ctx.batch, row);
    await logContact(ctx.tx, ctx.batch, contact.id);
  },

  async 'contact.update'(ctx, args) {
    const contact = await lockContact(ctx.tx, ctx.actor.tenantId, args.contactId);
    if (!contact) throw new BandejaError('NOT_FOUND', 'This contact does not exist.');
    mustMayChangeContacts(viewerOf(ctx.actor), await lockConversationsOfContact(ctx.tx, contact.id));
    const { definitions, isUser } = await fieldRules(ctx);
    const { contact: next, changes } = patchContact(contact, args.fields, args.base, definitions, isUser, ctx.batch.version);
    if (changes.length === 0) return;
    await updateContact(ctx.tx, ctx.batch, next);
    for (const c of changes) await recordChange(ctx, contact.id, c.field, c.before, c.after, c.conflict);
  },

  async 'contact.merge'(ctx, args) {
    if (args.targetId === args.sourceId) throw new BandejaError('INVALID_ARGS', 'Pick two different contacts to merge.');
    // Lock in id order, so two merges of the same pair cannot deadlock.
    const [firstId, secondId] = [args.targetId, args.sourceId].sort();
    const first = await lockContact(ctx.tx, ctx.actor.tenantId, firstId!);
    const second = await lockContact(ctx.tx, ctx.actor.tenantId, secondId!);
    const target = first?.id === args.targetId ? first : second;
    const source = first?.id === args.sourceId ? first : second;
    if (!target || !source) throw new BandejaError('NOT_FOUND', 'This contact does not exist.');
    if (target.mergedIntoId || source.mergedIntoId)
      throw new BandejaError('NOT_FOUND', 'This contact was already merged into another one.');

    const sourceConversations = await lockConversationsOfContact(ctx.tx, source.id);
    const targetConversations = await lockConversationsOfContact(ctx.tx, target.id);
    mustMayChangeContacts(viewerOf(ctx.actor), [...sourceConversations, ...targetConversations]);
    for (const c of sourceConversations) {
      if (c.status === 'closed') continue;
      if (targetConversations.some((t) => t.inboxId === c.inboxId && t.status !== 'closed'))
        throw new BandejaError(
          'INVALID_TRANSITION',
          'Both contacts have an active conversation in the same inbox. Close one of them first.',
          {
            conversationId: c.id,
          },
        );
    }
    await moveIdentities(ctx.tx, source.id, target.id);
    for (const c of sourceConversations) await updateConversation(ctx.tx, ctx.batch, c, { ...c, contactId: target.id });

    // The target keeps its values; empty ones are filled from the source, and lists are joined.
    const filled: Contact = { ...target, custom: { ...target.custom }, fieldVersions: { ...target.fieldVersions } };
    const changed: { field: string; before: unknown; after: unknown }[] = [];
    const phones = union(target.phones, source.phones);
    if (phones.length !== target.phones.length) changed.push({ field: 'phones', before: target.phones, after: (filled.phones = phones) });
    const emails = union(target.emails, source.emails);
    if (emails.length !== target.emails.length) changed.push({ field: 'emails', before: target.emails, after: (filled.emails = emails) });
    if (target.ownerId === null && source.ownerId !== null)
      changed.push({ field: 'ownerId', before: null, after: (filled.ownerId = source.ownerId) });
    for (const [key, value] of Object.entries(source.custom)) {
      const current: CustomValue | undefined = target.custom[key];
      if ((current === undefined || current === null || current === '') && value !== null && value !== '') {
        filled.custom[key] = value;
        changed.push({ field: `custom.${key}`, before: current ?? null, after: value });
      }
    }
    for (const c of changed) filled.fieldVersions[c.field] = ctx.batch.version;
    await updateContact(ctx.tx, ctx.batch, filled);
    for (const c of changed) await recordChange(ctx, target.id, c.field, c.before, c.after, false);
    await updateContact(ctx.tx, ctx.batch, { ...source, mergedIntoId: target.id });
  },
};
