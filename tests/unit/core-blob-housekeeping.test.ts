// Start-up housekeeping of attachment files, on real files and real mirror files.
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Attachment } from '../../src-shared/domain';
import { createCore } from '../../src-main/core';
import { BLOB_KEEP_MS, sweepBlobs } from '../../src-main/core/blobHousekeeping';
import { ClientBlobs, sha256Hex } from '../../src-main/core/blobs';
import { applySnapshotBegin, applySnapshotEnd, applySnapshotPage } from '../../src-main/core/mirror/apply';
import { markUpload } from '../../src-main/core/mirror/blobUploads';
import { openMirror } from '../../src-main/core/mirror/db';
import { writeSessionUser } from '../../src-main/core/mirror/meta';
import { LATEST_VERSION } from '../../src-main/core/mirror/migrations';
import { confirm, record, reject } from '../../src-main/core/outbox';
import { createHeadlessHost } from '../../src-main/host/headless/host';
import { ana, bruno, contact, conversation, inbox } from './mirror-fixtures';

const DAY = 24 * 3_600_000;
const NOW = Date.now();

/** A data folder with blob files (bytes `name`), each written `ageDays` ago. */
function dataDir() {
  const dir = mkdtempSync(join(tmpdir(), 'bandeja-housekeeping-'));
  const blobsDir = join(dir, 'client', 'blobs');
  const mirrorsDir = join(dir, 'client', 'mirrors');
  mkdirSync(blobsDir, { recursive: true });
  mkdirSync(mirrorsDir, { recursive: true });
  const blob = (name: string, ageDays: number): Attachment => {
    const bytes = Buffer.from(`%PDF-1.4 ${name}`);
    const sha256 = sha256Hex(bytes);
    writeFileSync(join(blobsDir, sha256), bytes);
    const at = new Date(NOW - ageDays * DAY);
    utimesSync(join(blobsDir, sha256), at, at);
    return { sha256, name: `${name}.pdf`, mime: 'application/pdf', size: bytes.length, kind: 'file', durationMs: null };
  };
  const mirror = (file: string, user = ana) => {
    const m = openMirror(join(mirrorsDir, file));
    writeSessionUser(m.db, user);
    applySnapshotBegin(m.db, 'e');
    applySnapshotPage(m.db, [
      { kind: 'user', row: user },
      { kind: 'inbox', row: inbox },
      { kind: 'contact', row: contact },
      { kind: 'conversation', row: conversation() },
    ]);
    applySnapshotEnd(m.db, 1);
    return m;
  };
  const present = () => new Set(readdirSync(blobsDir));
  return { dir, blobsDir, mirrorsDir, blob, mirror, present };
}

const uuid = (n: number) => `0190a7a0-0000-7000-8000-${String(n).padStart(12, '0')}`;

describe('attachment housekeeping at start', () => {
  it('removes only files the server has held for over a week that nothing on this device still needs', () => {
    const d = dataDir();
    const old = d.blob('old', 10); // uploaded 9 days ago, nothing refers to it
    const queuedByBruno = d.blob('queued', 10); // in Bruno's outbox (another mirror on this device)
    const recent = d.blob('recent', 10); // uploaded 2 days ago
    const neverSent = d.blob('staged', 30); // staged a month ago, never uploaded: may be the only copy
    const restaged = d.blob('restaged', 1); // uploaded long ago, but staged again yesterday
    const failed = d.blob('failed', 10); // in a message the server refused (the agent may resend it)
    const inSnippet = d.blob('snippet', 10); // a snippet's file
    const fetched = d.blob('fetched', 9); // fetched from the server 9 days ago

    const anaMirror = d.mirror('ana.sqlite');
    for (const a of [old, queuedByBruno, neverSent, restaged, failed, inSnippet])
      markUpload(anaMirror.db, a.sha256, { state: 'uploaded' }, NOW - 9 * DAY);
    markUpload(anaMirror.db, neverSent.sha256, { state: 'refused', error: { code: 'FILE_TOO_LARGE', message: 'x' } }, NOW - 9 * DAY);
    markUpload(anaMirror.db, recent.sha256, { state: 'uploaded' }, NOW - 2 * DAY);
    markUpload(anaMirror.db, fetched.sha256, { state: 'uploaded' }, NOW - 9 * DAY);
    record(anaMirror.db, 'message.send', { id: uuid(1), conversationId: 'conv-1', body: '', attachments: [failed] }, NOW - 9 * DAY);
    reject(anaMirror.db, 1, { code: 'INTERNAL', message: 'no' });
    applySnapshotPage(anaMirror.db, [
      { kind: 'snippet', row: { id: 'snip', ownerId: ana.id, title: 'T', shortcut: 't', body: 'b', attachment: inSnippet, version: 1 } },
    ]);
    anaMirror.close();
    const brunoMirror = d.mirror('bruno.sqlite', bruno);
    record(brunoMirror.db, 'message.send', { id: uuid(2), conversationId: 'conv-1', body: '', attachments: [queuedByBruno] }, NOW);
    brunoMirror.close();
    // A write cut short two hours ago, and a file that is no blob at all.
    writeFileSync(join(d.blobsDir, '.cut.part'), 'half');
    utimesSync(join(d.blobsDir, '.cut.part'), new Date(NOW - 2 * 3_600_000), new Date(NOW - 2 * 3_600_000));
    writeFileSync(join(d.blobsDir, 'notes.txt'), 'mine');

    const swept = sweepBlobs(d.blobsDir, d.mirrorsDir, NOW);
    expect(swept.removed.sort()).toEqual([old.sha256, fetched.sha256].sort());
    const left = d.present();
    for (const a of [queuedByBruno, recent, neverSent, restaged, failed, inSnippet]) expect(left.has(a.sha256), a.name).toBe(true);
    expect(left.has(old.sha256)).toBe(false);
    expect(left.has('.cut.part')).toBe(false);
    expect(left.has('notes.txt')).toBe(true);
    // Nothing more to do the second time.
    expect(sweepBlobs(d.blobsDir, d.mirrorsDir, NOW).removed).toEqual([]);
    // A week and a bit later, with Bruno's message gone, his file goes too.
    const later = openMirror(join(d.mirrorsDir, 'bruno.sqlite'));
    confirm(later.db, 1);
    markUpload(later.db, queuedByBruno.sha256, { state: 'uploaded' }, NOW);
    later.close();
    // (the "recent" and "restaged" ones, a week older by then, go on the way)
    expect(sweepBlobs(d.blobsDir, d.mirrorsDir, NOW + BLOB_KEEP_MS - DAY).removed).not.toContain(queuedByBruno.sha256);
    expect(sweepBlobs(d.blobsDir, d.mirrorsDir, NOW + BLOB_KEEP_MS + DAY).removed).toContain(queuedByBruno.sha256);
  });

  it('removes nothing when a mirror was written by a newer app (it may need files in ways this one does not know)', () => {
    const d = dataDir();
    const old = d.blob('old', 10);
    const m = d.mirror('ana.sqlite');
    markUpload(m.db, old.sha256, { state: 'uploaded' }, NOW - 9 * DAY);
    m.close();
    const raw = new Database(join(d.mirrorsDir, 'ana.sqlite'));
    raw.pragma(`user_version = ${LATEST_VERSION + 1}`);
    raw.close();
    expect(sweepBlobs(d.blobsDir, d.mirrorsDir, NOW)).toEqual({ removed: [], skipped: expect.any(String) });
    expect(d.present().has(old.sha256)).toBe(true);
  });

  it('staging a file again keeps it another week', () => {
    const d = dataDir();
    const old = d.blob('old', 10);
    const m = d.mirror('ana.sqlite');
    markUpload(m.db, old.sha256, { state: 'uploaded' }, NOW - 9 * DAY);
    m.close();
    new ClientBlobs(d.blobsDir).stage({
      name: 'old.pdf',
      mime: 'application/pdf',
      bytes: Buffer.from('%PDF-1.4 old'),
      kind: 'file',
      durationMs: null,
    });
    expect(sweepBlobs(d.blobsDir, d.mirrorsDir, Date.now()).removed).toEqual([]);
    expect(d.present().has(old.sha256)).toBe(true);
  });

  it('runs when the core starts', async () => {
    const d = dataDir();
    const old = d.blob('old', 10);
    const m = d.mirror('ana.sqlite');
    markUpload(m.db, old.sha256, { state: 'uploaded' }, NOW - 9 * DAY);
    m.close();
    const logged: string[] = [];
    const core = createCore({ host: createHeadlessHost(d.dir, () => {}), lang: 'en', defaultServerUrl: null, log: (l) => logged.push(l) });
    await core.ready;
    expect(existsSync(join(d.blobsDir, old.sha256))).toBe(false);
    expect(logged.join('\n')).toContain('removed 1 attachment file');
    await core.close();
  });
});
