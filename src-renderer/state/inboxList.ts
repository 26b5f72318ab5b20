// The conversations of the view and tab on screen, read in keyset pages as the list is scrolled: the
// list, the keyboard's next/previous and select-all share this one cache entry.
import { useInfiniteQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { ConversationItem } from '../../src-shared/ipc';
import { inboxPagesQuery, type InboxListParams } from './queries';

export function useInboxList(p: InboxListParams) {
  const query = useInfiniteQuery(inboxPagesQuery(p));
  const items = useMemo(() => rowsOf(query.data?.pages ?? []), [query.data]);
  return { items, query };
}

/** The pages as one list. A conversation that moved between two page reads could come twice; the
 *  first place wins (the next refetch puts every row where it belongs). */
export function rowsOf(pages: readonly ConversationItem[][]): ConversationItem[] {
  const seen = new Set<string>();
  const out: ConversationItem[] = [];
  for (const page of pages)
    for (const c of page) {
      if (seen.has(c.id)) continue;
      seen.add(c.id);
      out.push(c);
    }
  return out;
}
