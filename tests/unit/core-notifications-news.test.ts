// New-conversation notifications from a `changes` frame, over a real mirror file: a conversation this
// device's own transfer started is not news; one that only shares text with a pending mutation is.
import { describe, expect, it } from 'vitest';
import { DEFAULT_NOTIFICATION_SETTINGS, type DesktopNotification } from '../../src-shared/ipc';
import { applyChanges, applySnapshotBegin, applySnapshotEnd, applySnapshotPage } from '../../src-main/core/mirror/apply';
import { openMirror } from '../../src-main/core/mirror/db';
import { writeSessionUser } from '../../src-main/core/mirror/meta';
import { BURST_MS, Notifier } from '../../src-main/core/notifications';
import { record } from '../../src-main/core/outbox';
import { FakeClock } from '../support/fake-clock';
import { ana, contact, conversation, inbox, tempMirrorPath } from './mirror-fixtures';

const NOW = 1_800_000_000_000;
const uuid = (n: number) => `0190a7a0-0000-7000-8000-${String(n).padStart(12, '0')}`;
const viewer = { id: ana.id, role: ana.role, teamIds: ana.teamIds };

describe('new conversation notifications', () => {
  it('skips the conversation this device transferred into, and shows one whose id another pending mutation only mentions', () => {
    const mirror = openMirror(tempMirrorPath());
    writeSessionUser(mirror.db, ana);
    applySnapshotBegin(mirror.db, 'e');
    applySnapshotPage(mirror.db, [
      { kind: 'user', row: ana },
      { kind: 'team', row: { id: 'team-1', name: 'Soporte', version: 1 } },
      { kind: 'inbox', row: inbox },
      { kind: 'contact', row: contact },
      { kind: 'conversation', row: conversation({ assigneeId: ana.id }) },
    ]);
    applySnapshotEnd(mirror.db, 10);
    // Ana hands conv-1 to her team's queue (a new conversation uuid(1)), and writes uuid(2) in a note.
    record(
      mirror.db,
      'conversation.transfer',
      { conversationId: 'conv-1', toUserId: null, toTeamId: 'team-1', newConversationId: uuid(1) },
      NOW,
    );
    record(mirror.db, 'note.add', { id: uuid(3), conversationId: 'conv-1', body: `ver ${uuid(2)}`, mentions: [] }, NOW);

    const shown: DesktopNotification[] = [];
    const clock = new FakeClock(NOW);
    const notifier = new Notifier({
      host: { notify: (n) => shown.push(n) },
      clock,
      lang: 'en',
      settings: () => DEFAULT_NOTIFICATION_SETTINGS,
    });
    const applied = applyChanges(mirror.db, {
      from: 10,
      to: 11,
      ops: [
        { kind: 'conversation', row: conversation({ id: uuid(1), previousConversationId: 'conv-1', version: 11 }) },
        { kind: 'conversation', row: conversation({ id: uuid(2), version: 11 }) },
      ],
    });
    notifier.news(mirror.read, viewer, applied.news, undefined);
    clock.advance(BURST_MS);
    expect(shown.map((n) => [n.title, n.conversationId])).toEqual([['New conversation: Carla', uuid(2)]]);
    mirror.close();
  });
});
