// The hub passes over every connection outside a page's audience without asking visibleOps: that is only
// right if nobody outside it would receive anything. Checked here over generated pages and viewers.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ROLES } from '../../src-shared/domain';
import { AudienceIndex, audienceOf } from '../../src-server/sync/audience';
import { decisions, receivesNothing, visibleOps } from '../../src-server/sync/visibleChanges';
import type { LogEntry } from '../../src-server/store/changeLog';
import type { ConversationScope, Viewer } from '../../src-server/visibility';

const USERS = ['u1', 'u2', 'u3'];
const TEAMS = ['t1', 't2', 't3'];
const CONVERSATIONS = ['c1', 'c2'];
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });

const scopeArb: fc.Arbitrary<ConversationScope> = fc.record({
  assigneeId: maybe(fc.constantFrom(...USERS)),
  teamId: maybe(fc.constantFrom(...TEAMS)),
});

const entryArb: fc.Arbitrary<LogEntry> = fc
  .record({
    kind: fc.constantFrom('conversation', 'message', 'delete', 'user', 'contact', 'notification', 'savedView', 'invite', 'snippet'),
    scope: scopeArb,
    prev: scopeArb,
    prevKnown: fc.boolean(),
    scopeKind: fc.constantFrom('tenant', 'user', 'view', 'admins', 'conversation'),
    scopeUser: maybe(fc.constantFrom(...USERS)),
    conversation: fc.constantFrom(...CONVERSATIONS),
  })
  .map((g): LogEntry => {
    const onConversation = g.kind === 'conversation' || g.kind === 'message';
    return {
      version: 1,
      seq: 0,
      kind: g.kind as LogEntry['kind'],
      entity_id: g.kind === 'conversation' ? g.conversation : g.kind === 'user' ? (g.scopeUser ?? 'u1') : `e-${g.conversation}`,
      scope_kind: onConversation ? 'conversation' : (g.scopeKind as LogEntry['scope_kind']),
      scope_user_id: g.scopeUser,
      scope_assignee_id: g.scope.assigneeId,
      scope_team_id: g.scope.teamId,
      prev_assignee_id: g.prev.assigneeId,
      prev_team_id: g.prev.teamId,
      prev_known: g.kind === 'conversation' && g.prevKnown,
      row:
        g.kind === 'message'
          ? { id: `m-${g.conversation}`, conversationId: g.conversation, version: 1 }
          : g.kind === 'delete'
            ? { entity: 'savedView', id: 'v1' }
            : { id: g.conversation },
    };
  });

const viewerArb: fc.Arbitrary<Viewer> = fc.record({
  id: fc.constantFrom(...USERS),
  role: fc.constantFrom(...ROLES),
  teamIds: fc.subarray(TEAMS),
});

const currentArb = fc.tuple(scopeArb, scopeArb, fc.boolean()).map(
  ([a, b, gone]) =>
    new Map<string, ConversationScope>(
      gone
        ? [['c1', a]]
        : [
            ['c1', a],
            ['c2', b],
          ],
    ),
);

describe('a page audience', () => {
  it('leaves out only viewers who receive nothing from the page', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(entryArb, { maxLength: 6 }), viewerArb, currentArb, async (entries, viewer, current) => {
        const index = new AudienceIndex<string>();
        index.set('conn', viewer);
        const inAudience = index.members(audienceOf(entries)).has('conn');
        const ops = await visibleOps(entries, viewer, current, async () => []);
        if (!inAudience) {
          expect(receivesNothing(decisions(entries, viewer, current))).toBe(true);
          expect(ops).toEqual([]);
        }
      }),
      { seed: 1313, numRuns: 2000 },
    );
  });

  it('gives viewers with the same decisions the same ops', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(entryArb, { maxLength: 6 }), viewerArb, viewerArb, currentArb, async (entries, a, b, current) => {
        fc.pre(decisions(entries, a, current) === decisions(entries, b, current));
        const messages = async (id: string) => [{ id: `all-${id}`, conversationId: id, version: 1 } as never];
        expect(await visibleOps(entries, a, current, messages)).toEqual(await visibleOps(entries, b, current, messages));
      }),
      { seed: 1314, numRuns: 1000 },
    );
  });

  it('moves a connection to its new teams and role when re-indexed', () => {
    const index = new AudienceIndex<string>();
    index.set('conn', { id: 'u1', role: 'agent', teamIds: ['t1'] });
    const teamTwo = { everyone: false, users: new Set<string>(), teams: new Set(['t2']), roles: new Set<never>() };
    expect(index.members(teamTwo).has('conn')).toBe(false);
    index.set('conn', { id: 'u1', role: 'agent', teamIds: ['t2'] });
    expect(index.members(teamTwo).has('conn')).toBe(true);
    index.remove('conn');
    expect(index.members(teamTwo).size).toBe(0);
    expect(index.size).toBe(0);
  });
});
