// Replies with attachments: a voice note or file may go without words, and the list preview says what it is
// in any language.
import { describe, expect, it } from 'vitest';
import { BandejaError, attachmentPreview, sendReply, type Conversation, type Viewer } from '../../src-shared';

const ana: Viewer = { id: 'ana', role: 'agent', teamIds: ['soporte'] };
const conv: Conversation = {
  id: 'c1',
  inboxId: 'web',
  contactId: 'k1',
  teamId: 'soporte',
  assigneeId: 'ana',
  status: 'open',
  unreadCount: 0,
  lastMessageAt: 1,
  lastMessagePreview: 'Hola',
  lastCustomerMessageAt: 1,
  waitingSince: 1,
  tags: [],
  botActive: false,
  closingCategoryId: null,
  previousConversationId: null,
  snoozedUntil: null,
  createdAt: 1,
  version: 1,
};

describe('replies with attachments', () => {
  it('sends a voice note without words, previewed by its length', () => {
    const out = sendReply(ana, conv, 'webchat', '', 5, [{ kind: 'voice', name: 'voice.webm', durationMs: 72_400 }]);
    expect(out.conversation.lastMessagePreview).toBe('🎤 1:12');
  });

  it('previews files by name and prefers words when there are some', () => {
    expect(attachmentPreview({ kind: 'file', name: 'factura.pdf', durationMs: null })).toBe('📎 factura.pdf');
    expect(
      sendReply(ana, conv, 'webchat', 'Te adjunto la factura', 5, [{ kind: 'file', name: 'factura.pdf', durationMs: null }]).conversation
        .lastMessagePreview,
    ).toBe('Te adjunto la factura');
  });

  it('still refuses an empty reply without attachments', () => {
    expect(() => sendReply(ana, conv, 'webchat', '', 5, [])).toThrow(BandejaError);
  });
});
