// Which pages may call the core over IPC: only the app's own index.html (loadFile's file:// URL, any route
// in its hash). Any other page (another local file, data:, blob:, a web page) is refused. Kept apart
// from main.ts so it is tested without Electron.
import { posix, win32 } from 'node:path';

/** The file a file:// URL names, as a path with forward slashes, or null for anything else. */
function localPagePath(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  // A host is a network share (file://server/…), a query is something the app never loads.
  if (parsed.protocol !== 'file:' || parsed.host !== '' || parsed.search !== '') return null;
  // The URL parser has resolved its dot segments; an escaped slash or backslash ('evil%2F..%2Frenderer')
  // would hide more, and the app's own URL never has one.
  if (/%(2f|5c)/i.test(parsed.pathname)) return null;
  try {
    return decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
}

/** A check of an IPC sender's URL against `indexHtml`, the app's page on disk. */
export function appPageCheck(indexHtml: string, platform: NodeJS.Platform = process.platform): (senderUrl: string | undefined) => boolean {
  const windows = platform === 'win32';
  // file:///C:/dir/index.html names C:\dir\index.html; Windows paths ignore case.
  const expected = windows ? `/${win32.normalize(indexHtml).replace(/\\/g, '/')}`.toLowerCase() : posix.normalize(indexHtml);
  return (senderUrl) => {
    if (!senderUrl) return false;
    const path = localPagePath(senderUrl);
    if (path === null || path.includes('\0')) return false;
    return (windows ? path.toLowerCase() : path) === expected;
  };
}
