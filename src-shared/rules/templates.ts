// Message templates: the only thing a business may send outside a channel's reply window. Variables
// are numbered {{1}}, {{2}}… (WhatsApp's own syntax) and every one must be filled: a template is never
// sent with a blank.
import type { MessageTemplate } from '../domain';
import { BandejaError } from '../errors';

const VARIABLE = /\{\{\s*(\d{1,2})\s*\}\}/g;

/** How many variables the template's body uses: the highest {{n}}. */
export function templateVariableCount(body: string): number {
  let max = 0;
  for (const m of body.matchAll(VARIABLE)) max = Math.max(max, Number(m[1]));
  return max;
}

export type TemplatePart = { kind: 'text'; text: string } | { kind: 'variable'; index: number; value: string | null };

/** The body split into text and variables (value null while unfilled), for the fill-in form's preview. */
export function templateParts(body: string, values: readonly string[]): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const m of body.matchAll(VARIABLE)) {
    if (m.index > last) parts.push({ kind: 'text', text: body.slice(last, m.index) });
    const index = Number(m[1]);
    const value = values[index - 1]?.trim() ? values[index - 1]! : null;
    parts.push({ kind: 'variable', index, value });
    last = m.index + m[0].length;
  }
  if (last < body.length) parts.push({ kind: 'text', text: body.slice(last) });
  return parts;
}

/** The template a send names, for a conversation of `inboxId`: one that exists (NOT_FOUND) and belongs to
 *  that inbox (INVALID_ARGS; the provider knows a template per account). */
export function mustBeTemplateOf<T extends Pick<MessageTemplate, 'inboxId'>>(template: T | null, inboxId: string): asserts template is T {
  if (!template) throw new BandejaError('NOT_FOUND', 'This template does not exist.');
  if (template.inboxId !== inboxId)
    throw new BandejaError('INVALID_ARGS', "This template belongs to another inbox. Pick one of this conversation's inbox.");
}

/** The text the customer receives (and the timeline shows). Refuses an unapproved template, a wrong
 *  number of values and a blank value, so server and client refuse the same sends. */
export function renderTemplate(template: Pick<MessageTemplate, 'body' | 'status'>, values: readonly string[]): string {
  if (template.status !== 'approved') throw new BandejaError('INVALID_ARGS', 'This template is not approved yet. Pick an approved one.');
  const count = templateVariableCount(template.body);
  if (values.length !== count) throw new BandejaError('INVALID_ARGS', `This template needs ${count} values.`, { expected: String(count) });
  const blank = values.findIndex((v) => v.trim().length === 0);
  if (blank >= 0) throw new BandejaError('INVALID_ARGS', `Fill in {{${blank + 1}}} before sending.`, { variable: String(blank + 1) });
  return body(template.body, values);
}

function body(text: string, values: readonly string[]): string {
  return text.replace(VARIABLE, (_, n: string) => values[Number(n) - 1]!.trim());
}
