// Per-field contact edits: edits of different fields merge; for the same field the server's order wins
// and the overwritten value is kept in history (design, conflict rule 3).
import type { Contact, ContactFieldDefinition, CustomValue } from '../domain';
import { CONTACT_FIELDS } from '../domain';
import { BandejaError } from '../errors';
import { canSeeConversation, seesEverything, type ConversationScope, type Viewer } from './visibility';

/**
 * Who may edit or merge contacts: someone who may see every conversation of the contacts involved.
 * Supervisors and admins see every conversation, so they always may; an agent may change a contact whose
 * conversations are all hers or in her teams' queues (or one without conversations, made by hand). Editing
 * sets the owner that routes the contact's next conversations, and a merge moves whole histories and
 * channel identities between contacts: neither may reach conversations the person may not see.
 * The server passes every conversation of the contacts; a client core only knows those it may see, so the
 * server may still refuse what the core let through (the refusal reaches the person as usual).
 */
export function mustMayChangeContacts(viewer: Viewer, conversations: readonly ConversationScope[]): void {
  if (seesEverything(viewer.role) || conversations.every((c) => canSeeConversation(viewer, c))) return;
  throw new BandejaError(
    'FORBIDDEN',
    'Only someone who may see every conversation of this contact may change or merge it. Ask a supervisor.',
  );
}

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
  /** Someone else wrote this field after the base the editor saw: their value is overwritten and kept in history. */
  conflict: boolean;
}

function normalizeList(raw: unknown, field: string, max: number): string[] {
  if (!Array.isArray(raw) || raw.some((v) => typeof v !== 'string'))
    throw new BandejaError('INVALID_ARGS', `${field} must be a list of text values.`);
  const seen = new Set<string>();
  const out: string[] = [];
  for (const v of raw as string[]) {
    const t = v.trim();
    if (t && !seen.has(t.toLowerCase())) {
      seen.add(t.toLowerCase());
      out.push(t);
    }
  }
  if (out.length > max) throw new BandejaError('INVALID_ARGS', `${field} may have at most ${max} values.`);
  return out;
}

function customValue(def: ContactFieldDefinition, raw: unknown): CustomValue {
  if (raw === null || raw === '') return null;
  switch (def.type) {
    case 'text':
      if (typeof raw !== 'string' || raw.length > 2000) throw new BandejaError('INVALID_ARGS', `${def.label} must be text.`);
      return raw.trim();
    case 'number':
      if (typeof raw !== 'number' || !Number.isFinite(raw)) throw new BandejaError('INVALID_ARGS', `${def.label} must be a number.`);
      return raw;
    case 'date':
      if (typeof raw !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(raw))
        throw new BandejaError('INVALID_ARGS', `${def.label} must be a date (YYYY-MM-DD).`);
      return raw;
    case 'select':
      if (typeof raw !== 'string' || !def.options.includes(raw))
        throw new BandejaError('INVALID_ARGS', `${def.label} must be one of its options.`);
      return raw;
    case 'checkbox':
      if (typeof raw !== 'boolean') throw new BandejaError('INVALID_ARGS', `${def.label} must be yes or no.`);
      return raw;
  }
}

/** Validates a patch and applies it at `version`. Unknown fields and bad values are refused as a whole. */
export function patchContact(
  contact: Contact,
  fields: Record<string, unknown>,
  base: Record<string, number>,
  definitions: readonly ContactFieldDefinition[],
  isUser: (id: string) => boolean,
  version: number,
): { contact: Contact; changes: FieldChange[] } {
  if (contact.mergedIntoId) throw new BandejaError('NOT_FOUND', 'This contact was merged into another one.');
  const next: Contact = { ...contact, custom: { ...contact.custom }, fieldVersions: { ...contact.fieldVersions } };
  const changes: FieldChange[] = [];
  const entries = Object.entries(fields);
  if (entries.length === 0) throw new BandejaError('INVALID_ARGS', 'Nothing to change.');
  for (const [field, raw] of entries) {
    let before: unknown;
    let after: unknown;
    if ((CONTACT_FIELDS as readonly string[]).includes(field)) {
      before = contact[field as (typeof CONTACT_FIELDS)[number]];
      if (field === 'name') {
        if (typeof raw !== 'string' || !raw.trim() || raw.length > 120)
          throw new BandejaError('INVALID_ARGS', 'The name must be 1 to 120 characters.');
        after = raw.trim();
      } else if (field === 'phones') after = normalizeList(raw, 'Phones', 10);
      else if (field === 'emails') {
        after = normalizeList(raw, 'Emails', 10);
        if ((after as string[]).some((e) => !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e)))
          throw new BandejaError('INVALID_ARGS', 'An email address is not valid.');
      } else {
        if (raw !== null && (typeof raw !== 'string' || !isUser(raw)))
          throw new BandejaError('INVALID_ARGS', 'The owner must be a user of this workspace.');
        after = raw;
      }
      (next as Record<string, unknown>)[field] = after;
    } else if (field.startsWith('custom.')) {
      const key = field.slice('custom.'.length);
      const def = definitions.find((d) => d.key === key && d.active);
      if (!def) throw new BandejaError('INVALID_ARGS', `There is no contact field "${key}".`);
      before = contact.custom[key] ?? null;
      after = customValue(def, raw);
      next.custom[key] = after as CustomValue;
    } else throw new BandejaError('INVALID_ARGS', `Unknown contact field: ${field}.`);
    const seen = base[field] ?? 0;
    const current = contact.fieldVersions[field] ?? 0;
    if (JSON.stringify(before) === JSON.stringify(after)) continue;
    next.fieldVersions[field] = version;
    changes.push({ field, before, after, conflict: current > seen });
  }
  return { contact: next, changes };
}

/** A contact with no details yet (a stand-in while its row has not arrived, or the start of a new one). */
export function blankContact(id: string, createdAt: number): Contact {
  return {
    id,
    name: '',
    phones: [],
    emails: [],
    ownerId: null,
    custom: {},
    identities: [],
    fieldVersions: {},
    mergedIntoId: null,
    createdAt,
    version: 0,
  };
}

/** A contact added by hand, validated like an edit (unknown custom fields and bad values are refused).
 *  The server and the client's optimistic overlay both build it here. */
export function createContact(
  args: { id: string; name: string; phones: readonly string[]; emails: readonly string[]; custom: Readonly<Record<string, unknown>> },
  createdAt: number,
  definitions: readonly ContactFieldDefinition[],
  isUser: (id: string) => boolean,
  version: number,
): Contact {
  const fields: Record<string, unknown> = { name: args.name, phones: args.phones, emails: args.emails };
  for (const [key, value] of Object.entries(args.custom)) fields[`custom.${key}`] = value;
  return patchContact(blankContact(args.id, createdAt), fields, {}, definitions, isUser, version).contact;
}
