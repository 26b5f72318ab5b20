// bandeja:// deep links to a conversation or one of its messages. Anything else is refused, so a link
// from a web page can only ever open a conversation, never trigger an action.
export const DEEP_LINK_SCHEME = 'bandeja:';

export type DeepLink = { kind: 'conversation'; conversationId: string; messageId: string | null };

const ID = /^[A-Za-z0-9_-]{1,64}$/;

export function parseDeepLink(raw: string): DeepLink | null {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  if (url.protocol !== DEEP_LINK_SCHEME) return null;
  // bandeja://conversation/<id>[/message/<id>]: the first segment parses as the host.
  const parts = [url.hostname, ...url.pathname.split('/').filter(Boolean)].map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return '';
    }
  });
  if (parts[0] !== 'conversation' || !ID.test(parts[1] ?? '')) return null;
  if (parts.length === 2) return { kind: 'conversation', conversationId: parts[1]!, messageId: null };
  if (parts.length === 4 && parts[2] === 'message' && ID.test(parts[3]!))
    return { kind: 'conversation', conversationId: parts[1]!, messageId: parts[3]! };
  return null;
}

export function formatDeepLink(conversationId: string, messageId: string | null = null): string {
  const base = `bandeja://conversation/${encodeURIComponent(conversationId)}`;
  return messageId === null ? base : `${base}/message/${encodeURIComponent(messageId)}`;
}

/** The deep link among a second launch's arguments (Windows and Linux pass it on the command line). */
export function deepLinkFromArgv(argv: readonly string[]): DeepLink | null {
  for (const arg of argv) {
    if (arg.startsWith(DEEP_LINK_SCHEME)) {
      const link = parseDeepLink(arg);
      if (link) return link;
    }
  }
  return null;
}
