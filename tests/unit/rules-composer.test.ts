// Snippet variables and channel reply windows (issue 4's pure rules).
import { describe, expect, it } from 'vitest';
import { ownerOnSave } from '../../src-shared/rules/snippets';
import {
  HOUR_MS,
  canSendFreeText,
  partsToText,
  renderSnippet,
  replyWindow,
  unfilledVariables,
  type SnippetContext,
} from '../../src-shared';

const ctx: SnippetContext = {
  contact: { name: 'María José Pérez', phones: ['+54 11 5555 0101'], emails: [], custom: { plan: 'Pro', dni: '', vip: true } },
  agent: { name: 'Ana Souza' },
  conversation: { id: '0190c2c4-aaaa-7bbb-8ccc-000000000001' },
};

describe('snippet variables', () => {
  it('fills contact, agent, conversation and custom-field variables', () => {
    const parts = renderSnippet(
      'Hola {{contact.first_name}}, soy {{agent.first_name}} ({{agent.name}}). Plan: {{contact.plan}}. Ref {{conversation.id}}',
      ctx,
    );
    expect(partsToText(parts)).toBe('Hola María, soy Ana (Ana Souza). Plan: Pro. Ref 0190c2c4-aaaa-7bbb-8ccc-000000000001');
    expect(parts.every((p) => p.kind === 'text')).toBe(true);
  });

  it('keeps a variable without a value as a highlighted placeholder, never blank', () => {
    const parts = renderSnippet('Te escribimos a {{contact.email}} sobre el DNI {{contact.dni}}.', ctx);
    expect(parts).toEqual([
      { kind: 'text', text: 'Te escribimos a ' },
      { kind: 'missing', variable: 'contact.email' },
      { kind: 'text', text: ' sobre el DNI ' },
      { kind: 'missing', variable: 'contact.dni' },
      { kind: 'text', text: '.' },
    ]);
    expect(unfilledVariables(partsToText(parts))).toEqual(['contact.email', 'contact.dni']);
  });

  it('treats unknown variables and yes/no fields as missing, and tolerates spaces and case', () => {
    expect(renderSnippet('{{ Contact.Phone }} {{contact.vip}} {{order.total}}', ctx)).toEqual([
      { kind: 'text', text: '+54 11 5555 0101 ' },
      { kind: 'missing', variable: 'contact.vip' },
      { kind: 'text', text: ' ' },
      { kind: 'missing', variable: 'order.total' },
    ]);
  });

  it('never expands a value that looks like a variable (one pass)', () => {
    const tricky = { ...ctx, contact: { ...ctx.contact, name: '{{agent.name}}' } };
    expect(partsToText(renderSnippet('Hola {{contact.name}}', tricky))).toBe('Hola {{agent.name}}');
  });

  it('leaves text without variables alone', () => {
    expect(renderSnippet('Gracias por escribirnos.', ctx)).toEqual([{ kind: 'text', text: 'Gracias por escribirnos.' }]);
    expect(renderSnippet('', ctx)).toEqual([]);
  });
});

describe('reply windows', () => {
  const last = 1_700_000_000_000;

  it('gives WhatsApp, Messenger and Instagram 24 hours after the customer last wrote', () => {
    for (const channel of ['whatsapp', 'messenger', 'instagram'] as const) {
      expect(replyWindow(channel, last, last + 24 * HOUR_MS - 1)).toEqual({ kind: 'open', closesAt: last + 24 * HOUR_MS });
      expect(replyWindow(channel, last, last + 24 * HOUR_MS)).toEqual({ kind: 'closed', since: last + 24 * HOUR_MS });
    }
  });

  it('needs a template when the customer never wrote on a windowed channel', () => {
    expect(replyWindow('whatsapp', null, last)).toEqual({ kind: 'closed', since: null });
    expect(canSendFreeText('whatsapp', null, last)).toBe(false);
  });

  it('puts no window on webchat, email, SMS or Telegram', () => {
    for (const channel of ['webchat', 'email', 'sms', 'telegram'] as const) {
      expect(replyWindow(channel, last, last + 1000 * HOUR_MS)).toEqual({ kind: 'unlimited' });
      expect(canSendFreeText(channel, null, last)).toBe(true);
    }
  });

  it('checks a reply written offline again at send time', () => {
    const writtenAt = last + 23 * HOUR_MS;
    expect(canSendFreeText('whatsapp', last, writtenAt)).toBe(true);
    expect(canSendFreeText('whatsapp', last, writtenAt + 2 * HOUR_MS)).toBe(false);
  });
});

describe('who owns a saved snippet', () => {
  const admin = { id: 'admin', role: 'admin' };
  const ana = { id: 'ana', role: 'agent' };
  const codeOf = (f: () => unknown) => {
    try {
      f();
      return null;
    } catch (e) {
      return (e as { code?: string }).code ?? 'thrown';
    }
  };

  it('keeps shared snippets for admins and personal ones for their author', () => {
    expect(ownerOnSave(admin, null, true)).toBeNull();
    expect(ownerOnSave(ana, null, false)).toBe('ana');
    expect(ownerOnSave(admin, { ownerId: null }, false)).toBe('admin');
    expect(codeOf(() => ownerOnSave(ana, null, true))).toBe('FORBIDDEN');
    expect(codeOf(() => ownerOnSave(ana, { ownerId: null }, false))).toBe('FORBIDDEN');
    expect(codeOf(() => ownerOnSave(ana, { ownerId: 'bruno' }, false))).toBe('NOT_FOUND');
  });
});
