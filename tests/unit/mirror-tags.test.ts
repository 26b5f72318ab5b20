// Tag autocomplete reads the tags in use on this device's conversations: one spelling per tag,
// most used first, and a revoked conversation's tags disappear with it.
import { describe, expect, it } from 'vitest';
import { applyChanges, applySnapshotBegin, applySnapshotEnd, applySnapshotPage } from '../../src-main/core/mirror/apply';
import { openMirror } from '../../src-main/core/mirror/db';
import { tagsInUse } from '../../src-main/core/mirror/queries';
import type { Op } from '../../src-shared/protocol';
import { contact, conversation, inbox, tempMirrorPath } from './mirror-fixtures';

describe('tags in use', () => {
  it('lists each tag once, most used first, and forgets the tags of a revoked conversation', () => {
    const mirror = openMirror(tempMirrorPath());
    try {
      const ops: Op[] = [
        { kind: 'inbox', row: inbox },
        { kind: 'contact', row: contact },
        { kind: 'conversation', row: conversation({ id: 'c1', tags: ['VIP', 'reclamo'] }) },
        { kind: 'conversation', row: conversation({ id: 'c2', tags: ['vip'] }) },
        { kind: 'conversation', row: conversation({ id: 'c3', tags: ['Facturación'] }) },
      ];
      applySnapshotBegin(mirror.db, 'epoch-1');
      applySnapshotPage(mirror.db, ops);
      applySnapshotEnd(mirror.db, 5);
      expect(tagsInUse(mirror.read)).toEqual([
        { tag: 'VIP', count: 2 },
        { tag: 'Facturación', count: 1 },
        { tag: 'reclamo', count: 1 },
      ]);
      applyChanges(mirror.db, { from: 5, to: 6, ops: [{ kind: 'revoke', conversationId: 'c3' }] });
      expect(tagsInUse(mirror.read).map((t) => t.tag)).not.toContain('Facturación');
    } finally {
      mirror.close();
    }
  });
});
