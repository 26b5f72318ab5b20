// Which links leave the app for the system: web pages, mail and phone numbers. Everything else (file:,
// javascript:, data:, bandeja: deep links the renderer handles itself, custom schemes that would launch
// other programs) stays denied. Kept apart from window.ts so it is tested without Electron.
const EXTERNAL_PROTOCOLS = new Set(['http:', 'https:', 'mailto:', 'tel:']);

/** The link as the system browser should receive it (parsed and normalised), or null when it must not
 *  leave the app. */
export function externalLink(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (!EXTERNAL_PROTOCOLS.has(parsed.protocol)) return null;
  // A web link without a host ("https:foo" parses as https://foo/, but "http://" alone does not parse).
  if ((parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.hostname === '') return null;
  return parsed.href;
}
