// Pure rules of message templates, which the server and the client core both run before a template is
// sent: the template must be one of the conversation's inbox, approved, and get exactly its values.
import { describe, expect, it } from 'vitest';
import type { MessageTemplate } from '../../src-shared/domain';
import { isBandejaError } from '../../src-shared/errors';
import { mustBeTemplateOf, renderTemplate, templateVariableCount } from '../../src-shared/rules/templates';

const seguimiento: MessageTemplate = {
  id: 'tpl-1',
  inboxId: 'inbox-whatsapp',
  name: 'seguimiento',
  language: 'es',
  category: 'utility',
  body: 'Hola {{1}}, su pedido {{2}} está en camino.',
  status: 'approved',
  version: 1,
};

function refusal(run: () => unknown): { code: string; params?: Record<string, string> } | null {
  try {
    run();
    return null;
  } catch (e) {
    if (!isBandejaError(e)) throw e;
    return { code: e.code, ...(e.params ? { params: e.params } : {}) };
  }
}

describe('the template a send names', () => {
  it('is accepted when it exists and belongs to the conversation’s inbox', () => {
    expect(refusal(() => mustBeTemplateOf(seguimiento, 'inbox-whatsapp'))).toBeNull();
  });

  it('is NOT_FOUND when it does not exist (deleted, or never known here)', () => {
    expect(refusal(() => mustBeTemplateOf(null, 'inbox-whatsapp'))).toEqual({ code: 'NOT_FOUND' });
  });

  it('is refused when it belongs to another inbox', () => {
    expect(refusal(() => mustBeTemplateOf(seguimiento, 'inbox-web'))).toEqual({ code: 'INVALID_ARGS' });
  });
});

describe('rendering a template', () => {
  it('fills every variable with its trimmed value', () => {
    expect(templateVariableCount(seguimiento.body)).toBe(2);
    expect(renderTemplate(seguimiento, [' Ana ', '4411'])).toBe('Hola Ana, su pedido 4411 está en camino.');
  });

  it('refuses an unapproved template, a wrong number of values and a blank one', () => {
    expect(refusal(() => renderTemplate({ ...seguimiento, status: 'pending' }, ['Ana', '4411']))?.code).toBe('INVALID_ARGS');
    expect(refusal(() => renderTemplate(seguimiento, ['Ana']))).toEqual({ code: 'INVALID_ARGS', params: { expected: '2' } });
    expect(refusal(() => renderTemplate(seguimiento, ['Ana', '  ']))).toEqual({ code: 'INVALID_ARGS', params: { variable: '2' } });
  });
});
