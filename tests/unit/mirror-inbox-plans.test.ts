// Every inbox list (each built-in view, team queue and the saved-view filters, on every tab) reads one
// page through an index in the list's order: its cost follows the page, not the queue (issue 6,
// bench/benchmarks/inbox.ts measures it over 50,000 conversations). Plans are taken on a real mirror file.
import { describe, expect, it } from 'vitest';
import { openMirror } from '../../src-main/core/mirror/db';
import { ITEM_SELECT } from '../../src-main/core/mirror/items';
import { filtersClause, scopeClause, viewClause, type SqlClause } from '../../src-main/core/mirror/views';
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
  { name: 'saved · tag', where: saved(supervisor, { tags: ['vip'] }), index: /SEARCH c USING INDEX conversations_by_status \(status=\?\)/ },
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
