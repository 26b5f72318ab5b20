// Message templates as this device sees them (confirmed rows with unconfirmed admin edits laid over),
// and the checks the core makes before recording a template save, delete or send.
import type { Conversation, MessageTemplate } from '../../../src-shared/domain';
import { BandejaError } from '../../../src-shared/errors';
import type { MutationArgs } from '../../../src-shared/mutations';
import { mustBeTemplateOf, renderTemplate } from '../../../src-shared/rules/templates';
import type { ReadonlyDb, WritableDb } from './db';
import { overlayDelete, templateFromRow, upsertTemplate, type TemplateRow } from './rows';

const STATUS_ORDER = "CASE status WHEN 'approved' THEN 0 WHEN 'pending' THEN 1 ELSE 2 END";

/** Templates of one inbox (or of every inbox), approved ones first, then by name and language. */
export function listTemplates(db: ReadonlyDb, inboxId?: string): MessageTemplate[] {
  const order = `ORDER BY ${STATUS_ORDER}, name, language, id`;
  const rows =
    inboxId === undefined
      ? db.prepare<[], TemplateRow>(`SELECT * FROM templates_view ${order}`).all()
      : db.prepare<[string], TemplateRow>(`SELECT * FROM templates_view WHERE inbox_id = ? ${order}`).all(inboxId);
  return rows.map(templateFromRow);
}

export function viewTemplate(db: ReadonlyDb, id: string): MessageTemplate | null {
  const row = db.prepare<[string], TemplateRow>('SELECT * FROM templates_view WHERE id = ?').get(id);
  return row ? templateFromRow(row) : null;
}

/** The text a template send puts in the conversation: the template must belong to the conversation's
 *  inbox, be approved and get exactly its values (rules/templates.ts). */
export function renderTemplateFor(
  db: ReadonlyDb,
  c: Conversation,
  templateId: string,
  variables: readonly string[],
): { template: MessageTemplate; text: string } {
  const template = viewTemplate(db, templateId);
  mustBeTemplateOf(template, c.inboxId);
  return { template, text: renderTemplate(template, variables) };
}

/** admin.template.save on the overlay (the caller checked the admin role): for an inbox that exists, one
 *  template per name and language in an inbox (the provider knows a template by that pair). */
export function applyTemplateSave(db: WritableDb, args: MutationArgs<'admin.template.save'>): void {
  const inbox = db.prepare<[string], { id: string }>('SELECT id FROM inboxes_view WHERE id = ?').get(args.inboxId);
  if (!inbox) throw new BandejaError('NOT_FOUND', 'This inbox does not exist.');
  const clash = db
    .prepare<[string, string, string, string], { id: string }>(
      'SELECT id FROM templates_view WHERE inbox_id = ? AND name = ? AND language = ? AND id <> ?',
    )
    .get(args.inboxId, args.name, args.language, args.id);
  if (clash)
    throw new BandejaError('INVALID_ARGS', `This inbox already has the template "${args.name}" in ${args.language}.`, {
      name: args.name,
      language: args.language,
    });
  const before = viewTemplate(db, args.id);
  upsertTemplate(db, { ...args, version: before?.version ?? 0 }, true);
}

export function applyTemplateDelete(db: WritableDb, id: string): void {
  if (!viewTemplate(db, id)) throw new BandejaError('NOT_FOUND', 'This template does not exist.');
  overlayDelete(db, 'templates', id);
}
