// What a file really is, from its first bytes: both the client (attachment.stage) and the server
// (PUT /blobs) refuse a file whose bytes are not an allowed type or contradict the type it claims,
// so a renamed executable never travels as "factura.pdf".
import { ALLOWED_ATTACHMENT_TYPES, type Attachment } from '../domain';

export type AllowedMime = (typeof ALLOWED_ATTACHMENT_TYPES)[number];

/** How many leading bytes sniffMime needs (a text file is judged on this much). */
export const SNIFF_BYTES = 4096;

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** 'audio/webm;codecs=opus' -> 'audio/webm'; '' and octet-stream mean "not said". */
export function baseMime(declared: string): string {
  const m = declared.split(';')[0]!.trim().toLowerCase();
  return m === 'application/octet-stream' ? '' : m;
}

export function isAllowedMime(m: string): m is AllowedMime {
  return (ALLOWED_ATTACHMENT_TYPES as readonly string[]).includes(m);
}

function startsWith(b: Uint8Array, sig: readonly number[], at = 0): boolean {
  if (b.length < at + sig.length) return false;
  return sig.every((x, i) => b[at + i] === x);
}
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/** Text: valid UTF-8 (a sequence cut at the end of the sample is fine) without NULs or control bytes. */
function looksLikeText(b: Uint8Array): boolean {
  if (b.length === 0) return false;
  let i = 0;
  while (i < b.length) {
    const x = b[i]!;
    if (x < 0x80) {
      if (x < 0x20 && x !== 0x09 && x !== 0x0a && x !== 0x0d && x !== 0x0c) return false;
      if (x === 0x7f) return false;
      i++;
      continue;
    }
    const n = x >= 0xf0 && x <= 0xf4 ? 3 : x >= 0xe0 ? (x <= 0xef ? 2 : -1) : x >= 0xc2 && x <= 0xdf ? 1 : -1;
    if (n < 0) return false;
    for (let k = 1; k <= n; k++) {
      if (i + k >= b.length) return true;
      if ((b[i + k]! & 0xc0) !== 0x80) return false;
    }
    i += n + 1;
  }
  return true;
}

/** The families the first bytes allow; several when the bytes alone cannot tell (a zip may be a .docx
 *  or a .xlsx, an mp4 may be sound or video, text may be CSV). Empty: nothing we accept. */
export function sniffCandidates(head: Uint8Array): AllowedMime[] {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return ['image/jpeg'];
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return ['image/png'];
  if (startsWith(head, ascii('GIF87a')) || startsWith(head, ascii('GIF89a'))) return ['image/gif'];
  if (startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WEBP'), 8)) return ['image/webp'];
  if (startsWith(head, ascii('OggS'))) return ['audio/ogg'];
  if (startsWith(head, [0x1a, 0x45, 0xdf, 0xa3])) return ['audio/webm'];
  if (startsWith(head, ascii('ftyp'), 4)) {
    const brand = String.fromCharCode(...head.slice(8, 12));
    return brand === 'M4A ' || brand === 'M4B ' ? ['audio/mp4'] : ['video/mp4', 'audio/mp4'];
  }
  if (startsWith(head, ascii('ID3')) || (head.length >= 2 && head[0] === 0xff && (head[1]! & 0xe0) === 0xe0)) return ['audio/mpeg'];
  if (startsWith(head, ascii('%PDF-'))) return ['application/pdf'];
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) return [DOCX, XLSX];
  if (looksLikeText(head)) return ['text/plain', 'text/csv'];
  return [];
}

/** The allowed type these bytes are, agreeing with the declared one when one was given; null when the
 *  bytes are not an allowed type or say something else than the declaration. */
export function sniffMime(head: Uint8Array, declared: string): AllowedMime | null {
  const candidates = sniffCandidates(head);
  const said = baseMime(declared);
  if (said === '') return candidates[0] ?? null;
  return candidates.find((c) => c === said) ?? null;
}

/** The attachment kind a type is shown as (a recording is 'voice', chosen by whoever recorded it). */
export function kindOfMime(mime: AllowedMime): Attachment['kind'] {
  if (mime.startsWith('image/')) return 'image';
  if (mime.startsWith('audio/')) return 'audio';
  if (mime.startsWith('video/')) return 'video';
  return 'file';
}
