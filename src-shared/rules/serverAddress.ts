// What the sign-in screen accepts as a server's address: an http(s) URL with a host and nothing a
// server address never has (user:password@, a query, a fragment). One spelling per server.

export type ServerAddressProblem = 'empty' | 'scheme' | 'invalid' | 'credentials' | 'extra';

export type ServerAddress = { ok: true; url: string } | { ok: false; problem: ServerAddressProblem };

export const SERVER_ADDRESS_MAX = 2048;

export function parseServerAddress(text: string): ServerAddress {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, problem: 'empty' };
  if (trimmed.length > SERVER_ADDRESS_MAX) return { ok: false, problem: 'invalid' };
  // "bandeja.example.com" or "ftp://…": say which beginning is wanted, rather than guess one.
  if (!/^https?:\/\//i.test(trimmed)) return { ok: false, problem: 'scheme' };
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return { ok: false, problem: 'invalid' };
  }
  if (url.hostname === '') return { ok: false, problem: 'invalid' };
  if (url.username !== '' || url.password !== '') return { ok: false, problem: 'credentials' };
  if (url.search !== '' || url.hash !== '') return { ok: false, problem: 'extra' };
  return { ok: true, url: `${url.origin}${url.pathname.replace(/\/+$/, '')}` };
}

export function isServerAddress(text: string): boolean {
  return parseServerAddress(text).ok;
}
