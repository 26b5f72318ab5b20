// The open conversation's reply window (rules/channelWindow.ts) as time passes: re-read every minute
// (so "closes in 3 h" counts down) and at the moment it closes (so the composer locks itself then).
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { replyWindow, type ReplyWindow } from '../../src-shared/rules/channelWindow';
import type { ConversationItem } from '../../src-shared/ipc';
import { conversationQuery } from './queries';

const TICK_MS = 60_000;

export function useNow(every = TICK_MS): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), every);
    return () => clearInterval(timer);
  }, [every]);
  return now;
}

export function useReplyWindow(item: Pick<ConversationItem, 'channel' | 'lastCustomerMessageAt'> | null | undefined): ReplyWindow {
  const now = useNow();
  const [, setClosedAt] = useState(0);
  const current: ReplyWindow = item
    ? replyWindow(item.channel, item.lastCustomerMessageAt, Math.max(now, Date.now()))
    : { kind: 'unlimited' };
  const closesAt = current.kind === 'open' ? current.closesAt : null;
  // The minute it closes, not up to a minute later: the box locks before the agent writes into it.
  useEffect(() => {
    if (closesAt === null) return;
    const timer = setTimeout(() => setClosedAt(Date.now()), Math.max(0, closesAt - Date.now()) + 50);
    return () => clearTimeout(timer);
  }, [closesAt]);
  return current;
}

/** The window of a conversation known only by id (the timeline's failed messages). */
export function useReplyWindowOf(conversationId: string): ReplyWindow {
  const detail = useQuery(conversationQuery(conversationId));
  return useReplyWindow(detail.data?.conversation);
}
