// Staging a file on this device: checked by size and by its first bytes (not its name or declared type),
// kept once under its sha256, and nothing kept when refused.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_ATTACHMENT_BYTES, sniffMime } from '../../src-shared';
import { ClientBlobs, sha256Hex } from '../../src-main/core/blobs';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82]);
const PDF = Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n');
const WEBM = Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01]);
const EXE = Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00]);

const dirs: string[] = [];
function store(): ClientBlobs {
  const dir = mkdtempSync(join(tmpdir(), 'bandeja-blobs-'));
  dirs.push(dir);
  return new ClientBlobs(join(dir, 'blobs'));
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('file types by their first bytes', () => {
  it('knows images, recordings, documents and text', () => {
    expect(sniffMime(PNG, 'image/png')).toBe('image/png');
    expect(sniffMime(WEBM, 'audio/webm;codecs=opus')).toBe('audio/webm');
    expect(sniffMime(PDF, '')).toBe('application/pdf');
    expect(sniffMime(Buffer.from('nombre,plan\nAna,Pro\n'), 'text/csv')).toBe('text/csv');
    expect(sniffMime(Buffer.from('Olá, señor ✓'), 'text/plain')).toBe('text/plain');
  });

  it('refuses executables and files that lie about their type', () => {
    expect(sniffMime(EXE, 'application/pdf')).toBeNull();
    expect(sniffMime(EXE, '')).toBeNull();
    expect(sniffMime(PNG, 'application/pdf')).toBeNull();
    expect(sniffMime(PDF, 'image/png')).toBeNull();
    expect(sniffMime(Buffer.from([0x41, 0x00, 0x42]), 'text/plain')).toBeNull();
  });
});

describe('attachment.stage on this device', () => {
  it('keeps the bytes under their sha256 and returns the attachment', () => {
    const blobs = store();
    const a = blobs.stage({ name: 'factura.pdf', mime: 'application/pdf', bytes: PDF, kind: 'file', durationMs: null });
    expect(a).toEqual({
      sha256: sha256Hex(PDF),
      name: 'factura.pdf',
      mime: 'application/pdf',
      size: PDF.length,
      kind: 'file',
      durationMs: null,
    });
    expect(blobs.read(a.sha256).equals(PDF)).toBe(true);
    // The same bytes again: one copy.
    blobs.stage({ name: 'copia.pdf', mime: 'application/pdf', bytes: PDF, kind: 'file', durationMs: null });
    expect(readdirSync(blobs.dir)).toEqual([a.sha256]);
  });

  it('a recording stays a voice note with its length; a picture is an image whatever the picker said', () => {
    const blobs = store();
    expect(blobs.stage({ name: 'nota.webm', mime: 'audio/webm', bytes: WEBM, kind: 'voice', durationMs: 3200.4 })).toMatchObject({
      kind: 'voice',
      durationMs: 3200,
    });
    expect(blobs.stage({ name: 'foto.png', mime: '', bytes: PNG, kind: 'file', durationMs: null })).toMatchObject({
      kind: 'image',
      mime: 'image/png',
    });
  });

  it('refuses an oversized file and a forbidden type with their codes, keeping nothing', () => {
    const blobs = store();
    const big = Buffer.alloc(MAX_ATTACHMENT_BYTES + 1, 0x20);
    expect(() => blobs.stage({ name: 'grande.txt', mime: 'text/plain', bytes: big, kind: 'file', durationMs: null })).toThrow(
      expect.objectContaining({ code: 'FILE_TOO_LARGE' }),
    );
    expect(() => blobs.stage({ name: 'factura.pdf', mime: 'application/pdf', bytes: EXE, kind: 'file', durationMs: null })).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN_FILE_TYPE' }),
    );
    expect(() => blobs.keep(sha256Hex(PDF), PNG)).toThrow(expect.objectContaining({ code: 'HASH_MISMATCH' }));
    expect(blobs.has(sha256Hex(PDF))).toBe(false);
    let files: string[] = [];
    try {
      files = readdirSync(blobs.dir);
    } catch {
      files = [];
    }
    expect(files).toEqual([]);
  });
});
