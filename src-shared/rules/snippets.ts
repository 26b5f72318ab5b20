// Snippet variables ({{contact.first_name}}, {{agent.name}}…) filled when a snippet is inserted.
// A variable without a value is never sent blank: it stays a placeholder the composer highlights,
// and a reply that still holds one cannot be sent.
import { BandejaError } from '../errors';

export interface SnippetContext {
  contact: { name: string; phones: readonly string[]; emails: readonly string[]; custom: Readonly<Record<string, unknown>> };
  agent: { name: string };
  conversation: { id: string };
}

export type SnippetPart = { kind: 'text'; text: string } | { kind: 'missing'; variable: string };

const VARIABLE = /\{\{\s*([a-z]+(?:\.[a-z0-9_]+)+)\s*\}\}/gi;

function firstName(name: string): string {
  return name.trim().split(/\s+/)[0] ?? '';
}

function present(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return null; // a yes/no field has no words to put in a sentence
  const text = String(value).trim();
  return text === '' ? null : text;
}

/** The value of one variable, or null when it has none (or does not exist). */
export function variableValue(variable: string, ctx: SnippetContext): string | null {
  switch (variable) {
    case 'contact.name':
      return present(ctx.contact.name);
    case 'contact.first_name':
      return present(firstName(ctx.contact.name));
    case 'contact.phone':
      return present(ctx.contact.phones[0]);
    case 'contact.email':
      return present(ctx.contact.emails[0]);
    case 'agent.name':
      return present(ctx.agent.name);
    case 'agent.first_name':
      return present(firstName(ctx.agent.name));
    case 'conversation.id':
      return present(ctx.conversation.id);
  }
  const custom = /^contact\.([a-z][a-z0-9_]*)$/.exec(variable);
  if (custom && Object.prototype.hasOwnProperty.call(ctx.contact.custom, custom[1]!)) return present(ctx.contact.custom[custom[1]!]);
  return null;
}

/** Fills a snippet's variables in one pass: a value that itself looks like `{{…}}` is inserted as text,
 *  never expanded again. */
export function renderSnippet(body: string, ctx: SnippetContext): SnippetPart[] {
  const parts: SnippetPart[] = [];
  let last = 0;
  const push = (text: string) => {
    if (!text) return;
    const prev = parts[parts.length - 1];
    if (prev?.kind === 'text') prev.text += text;
    else parts.push({ kind: 'text', text });
  };
  for (const m of body.matchAll(VARIABLE)) {
    push(body.slice(last, m.index));
    const variable = m[1]!.toLowerCase();
    const value = variableValue(variable, ctx);
    if (value === null) parts.push({ kind: 'missing', variable });
    else push(value);
    last = m.index! + m[0].length;
  }
  push(body.slice(last));
  return parts;
}

/** The composer text for rendered parts: missing variables stay as `{{variable}}` for the agent to fill. */
export function partsToText(parts: readonly SnippetPart[]): string {
  return parts.map((p) => (p.kind === 'text' ? p.text : `{{${p.variable}}}`)).join('');
}

/** Placeholders still in a reply (the composer refuses to send while there are any). */
export function unfilledVariables(text: string): string[] {
  return [...text.matchAll(VARIABLE)].map((m) => m[1]!.toLowerCase());
}

/** Who may change or delete a snippet: shared ones (ownerId null) are the admins' (FORBIDDEN for others),
 *  personal ones their owner's (anyone else never saw it: NOT_FOUND, as for an id nobody uses). The server
 *  decides with this; the core shows it early. */
export function mustMayChangeSnippet(actor: { id: string; role: string }, ownerId: string | null): void {
  if (ownerId === null) {
    if (actor.role !== 'admin') throw new BandejaError('FORBIDDEN', 'Only administrators may change shared snippets.');
  } else if (ownerId !== actor.id) throw new BandejaError('NOT_FOUND', 'This snippet does not exist.');
}

/** Who owns a snippet once `snippet.save` is applied (null = shared), refusing what the actor may not do:
 *  keep a shared snippet without being an admin, or change someone else's. The server and the overlay
 *  both decide with this. */
export function ownerOnSave(
  actor: { id: string; role: string },
  before: { ownerId: string | null } | null,
  shared: boolean,
): string | null {
  if (shared && actor.role !== 'admin') throw new BandejaError('FORBIDDEN', 'Only administrators may keep shared snippets.');
  if (before) mustMayChangeSnippet(actor, before.ownerId);
  return shared ? null : actor.id;
}

/** The snippets a person may insert: shared ones and their own, sorted by shortcut; a personal
 *  snippet hides a shared one with the same shortcut (their own wording wins). */
export function usableSnippets<S extends { shortcut: string; ownerId: string | null }>(snippets: readonly S[], userId: string): S[] {
  const mine = snippets.filter((s) => s.ownerId === userId);
  const taken = new Set(mine.map((s) => s.shortcut));
  const shared = snippets.filter((s) => s.ownerId === null && !taken.has(s.shortcut));
  return [...mine, ...shared].sort((a, b) => (a.shortcut < b.shortcut ? -1 : a.shortcut > b.shortcut ? 1 : 0));
}

/** Lower case without accents, so "/sal" finds "Saludo" and "accion" finds "Acción". */
export function foldForSearch(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
}

/** The snippets matching what the agent typed after "/": shortcut prefix first, then any word of
 *  the shortcut or title containing it. */
export function filterSnippets<S extends { shortcut: string; title: string }>(snippets: readonly S[], query: string): S[] {
  const q = foldForSearch(query.trim());
  if (!q) return [...snippets];
  const starts: S[] = [];
  const contains: S[] = [];
  for (const s of snippets) {
    const shortcut = foldForSearch(s.shortcut);
    if (shortcut.startsWith(q)) starts.push(s);
    else if (shortcut.includes(q) || foldForSearch(s.title).includes(q)) contains.push(s);
  }
  return [...starts, ...contains];
}
