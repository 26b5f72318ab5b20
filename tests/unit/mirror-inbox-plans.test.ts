// Every inbox list (each built-in view, team queue and the saved-view filters, on every tab) reads one
// page through an index in the list's order: its cost follows the page, not the queue (issue 6,
// bench/benchmarks/inbox.ts measures it over 50,000 conversations). Plans are taken on a real mirror file.
import { describe, expect, it } from 'vitest';
import { openMirror } from '../../src-main/core/mirror/db';
import { ITEM_SELECT } from '../../src-main/core/mirror/items';
import { filteredListQuery, filtersClause, scopeClause, viewClause, type SqlClause } from '../../src-main/core/mirror/views';
import { CONVERSATION_STATUSES, type ViewFilters } from '../../src-shared/domain';
import type { ViewRef, Viewer } from '../../src-shared/rules/visibility';
import { tempMirrorPath } from './mirror-fixtures';

const NOW = 1_800_000_000_000;
const supervisor: Viewer = { id: 'user-sup', role: 'supervisor', teamIds: [] };
const agent: Viewer = { id: 'user-ana', role: 'agent', teamIds: ['team-1'] };

function planOf(where: SqlClause, status: string): string {
  const mirror = openMirror(tempMirrorPath());
  try {
    const rows = mirror.db
      .prepare(
        `EXPLAIN QUERY PLAN ${ITEM_SELECT} WHERE (c.status = ?) AND (${where.sql}) ORDER BY c.last_message_at DESC, c.id DESC LIMIT 50`,
      )
      .all(status, ...where.params) as { detail: string }[];
    return rows.map((r) => r.detail).join('\n');
  } finally {
    mirror.close();
  }
}

function builtIn(viewer: Viewer, ref: ViewRef): SqlClause {
  const mirror = openMirror(tempMirrorPath());
  try {
    return viewClause(mirror.read, viewer, ref, NOW);
  } finally {
    mirror.close();
  }
}

function saved(viewer: Viewer, filters: ViewFilters): SqlClause {
  const f = filtersClause(filters, viewer, NOW);
  const scope = scopeClause(viewer);
  return { sql: `(${f.sql}) AND (${scope.sql})`, params: [...f.params, ...scope.params] };
}

const CASES: { name: string; where: SqlClause; index: RegExp }[] = [
  {
    name: 'supervisor · mine',
    where: builtIn(supervisor, { kind: 'mine' }),
    index: /SEARCH c USING INDEX conversations_by_assignee \(assignee_id=\? AND status=\?\)/,
  },
  {
    name: 'supervisor · unassigned',
    where: builtIn(supervisor, { kind: 'unassigned' }),
    index: /SEARCH c USING INDEX conversations_by_assignee \(assignee_id=\? AND status=\?\)/,
  },
  {
    name: 'supervisor · all',
    where: builtIn(supervisor, { kind: 'all' }),
    index: /SEARCH c USING INDEX conversations_by_status \(status=\?\)/,
  },
  {
    name: 'supervisor · teammates',
    where: builtIn(supervisor, { kind: 'teammates' }),
    index: /SEARCH c USING INDEX conversations_by_status \(status=\?\)/,
  },
  {
    name: 'supervisor · team queue',
    where: builtIn(supervisor, { kind: 'team', teamId: 'team-2' }),
    index: /SEARCH c USING INDEX conversations_by_team \(team_id=\? AND status=\?\)/,
  },
  {
    name: 'agent · mine',
    where: builtIn(agent, { kind: 'mine' }),
    index: /SEARCH c USING INDEX conversations_by_assignee \(assignee_id=\? AND status=\?\)/,
  },
  {
    name: 'agent · unassigned',
    where: builtIn(agent, { kind: 'unassigned' }),
    index: /SEARCH c USING INDEX conversations_by_assignee \(assignee_id=\? AND status=\?\)/,
  },
  {
    name: 'agent · team queue',
    where: builtIn(agent, { kind: 'team', teamId: 'team-1' }),
    index: /SEARCH c USING INDEX conversations_by_team \(team_id=\? AND status=\?\)/,
  },
  {
    name: 'saved · unread only',
    where: saved(supervisor, { channels: ['whatsapp'], unreadOnly: true }),
    index: /SEARCH c USING INDEX conversations_unread \(status=\?\)/,
  },
  {
    name: 'saved · waiting 30 min',
    where: saved(supervisor, { waitingMinutes: 30 }),
    index: /SEARCH c USING INDEX conversations_waiting \(status=\?\)/,
  },
  {
    name: 'saved · team queue unassigned',
    where: saved(supervisor, { teamIds: ['team-1'], assignees: ['none'] }),
    index: /SEARCH c USING INDEX conversations_by_team \(team_id=\? AND status=\?\)/,
  },
];

describe('inbox list query plans', () => {
  for (const c of CASES)
    it(`${c.name}: every tab reads its index in the list's order, with no scan of the conversations and no sort`, () => {
      for (const status of CONVERSATION_STATUSES) {
        const plan = planOf(c.where, status);
        expect(plan, `${c.name} · ${status}`).toMatch(c.index);
        expect(plan).toMatch(/SEARCH o USING INDEX overlay_conversations_by_status/);
        expect(plan).not.toMatch(/SCAN c\b/);
        // A sort would read every matching row before the first page could be returned.
        expect(plan).not.toMatch(/TEMP B-TREE FOR (RIGHT PART OF )?ORDER BY/);
        expect(plan).not.toMatch(/SCAN (ct|oct|i|oi|u|ou)\b/);
      }
    });
});

// A saved view on tags reads the tag index (mirror migration 8): one ordered read per wanted tag and status,
// beside this device's overlay rows read through their status index, merged in the list's order; the page
// of at most 50 rows is then named (contacts, inboxes, users) in that order.
const TAG_CASES: { name: string; viewer: Viewer; filters: ViewFilters; tags: number }[] = [
  { name: 'supervisor · one tag', viewer: supervisor, filters: { tags: ['VIP'] }, tags: 1 },
  {
    name: 'supervisor · three tags and a channel',
    viewer: supervisor,
    filters: { tags: ['vip', 'Reclamo', 'otro'], channels: ['whatsapp'] },
    tags: 3,
  },
  {
    name: 'agent · two tags, mine, waiting 30 min',
    viewer: agent,
    filters: { tags: ['vip', 'VIP', 'reclamo'], assignees: ['me'], waitingMinutes: 30 },
    tags: 2,
  },
];

describe('tag-filtered list query plans', () => {
  for (const c of TAG_CASES)
    it(`${c.name}: every tab and sort reads the tag index in the list's order, with no scan of the conversations and no sort`, () => {
      const mirror = openMirror(tempMirrorPath());
      try {
        for (const status of CONVERSATION_STATUSES)
          for (const sort of ['newest', 'oldest'] as const)
            for (const after of [undefined, { lastMessageAt: 5, id: 'conv-5' }]) {
              const q = filteredListQuery(c.filters, c.viewer, { status, sort, limit: 50, ...(after ? { after } : {}) }, NOW);
              const rows = mirror.db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params) as { parent: number; detail: string }[];
              const plan = rows.map((r) => r.detail).join('\n');
              const label = `${c.name} · ${status} · ${sort}${after ? ' · next page' : ''}`;
              const tagReads =
                plan.match(
                  /SEARCH t USING PRIMARY KEY \(tag_key=\? AND status=\?(?: AND \(last_message_at,conversation_id\)[<>]\(\?,\?\))?\)/g,
                ) ?? [];
              expect(tagReads, label).toHaveLength(c.tags);
              expect(plan, label).toMatch(/SEARCH c USING INDEX overlay_conversations_by_status \(status=\?/);
              expect(plan, label).toMatch(/MERGE \(UNION ALL\)/);
              expect(plan, label).toMatch(/SEARCH c USING INDEX sqlite_autoindex_conversations_1 \(id=\?\)/);
              expect(plan, label).not.toMatch(/TEMP B-TREE/);
              expect(plan, label).not.toMatch(
                /SCAN (t|e|ct|oct|i|oi|u|ou|conversations|overlay_conversations|conversation_tags)\b(?! EXISTS VIRTUAL)/,
              );
              // The only read of `c` that is a scan is the outer one, over the page the merge returned.
              const scans = rows.filter((r) => r.detail === 'SCAN c');
              expect(
                scans.map((r) => r.parent),
                label,
              ).toEqual([0]);
              expect(plan, label).toMatch(/^CO-ROUTINE c/);
            }
      } finally {
        mirror.close();
      }
    });
});
