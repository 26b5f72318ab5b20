// Start-up housekeeping of this device's attachment files (<data>/client/blobs). A file the server holds
// can always be fetched again, so once nothing waiting on this device needs it (no outbox row, pending or
// failed message, or snippet of any mirror here) and it was uploaded or fetched more than a week ago, it
// is removed. Files never uploaded nor fetched stay: they may be the only copy.
import Database from 'better-sqlite3';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LATEST_VERSION } from './mirror/migrations';

export const BLOB_KEEP_MS = 7 * 24 * 3_600_000;
/** A temporary file of a write still running in another process is younger than this. */
const PART_KEEP_MS = 3_600_000;

const SHA256 = /^[0-9a-f]{64}$/;
const SHA256_IN_TEXT = /[0-9a-f]{64}/g;

// Every place a mirror keeps a file it still needs (drafts hold text only). Read as text: any sha256
// mentioned counts, so a new shape of arguments can only keep a file, never lose one.
const REFERENCES = [
  'SELECT args AS text FROM outbox',
  'SELECT attachments AS text FROM pending_messages',
  'SELECT attachment AS text FROM snippets WHERE attachment IS NOT NULL',
  'SELECT attachment AS text FROM overlay_snippets WHERE attachment IS NOT NULL',
];

interface MirrorKnowledge {
  referenced: Set<string>;
  /** sha256 -> the latest time any mirror recorded the server holding it (uploaded, or fetched from it). */
  heldSince: Map<string, number>;
}

/** What every mirror file in `mirrorsDir` says about blobs, or null when one cannot be read or was
 *  written by a newer app (it might reference files in ways this version does not know). */
function readMirrors(mirrorsDir: string, nativeBinding?: string): MirrorKnowledge | null {
  const knowledge: MirrorKnowledge = { referenced: new Set(), heldSince: new Map() };
  if (!existsSync(mirrorsDir)) return knowledge;
  for (const name of readdirSync(mirrorsDir)) {
    if (!name.endsWith('.sqlite')) continue;
    let db: Database.Database | null = null;
    try {
      db = new Database(join(mirrorsDir, name), { readonly: true, fileMustExist: true, ...(nativeBinding ? { nativeBinding } : {}) });
      if ((db.pragma('user_version', { simple: true }) as number) > LATEST_VERSION) return null;
      for (const sql of REFERENCES)
        for (const row of db.prepare(sql).all() as { text: string }[])
          for (const sha of row.text.match(SHA256_IN_TEXT) ?? []) knowledge.referenced.add(sha);
      for (const row of db.prepare("SELECT sha256, at FROM blob_uploads WHERE state = 'uploaded'").all() as {
        sha256: string;
        at: number;
      }[])
        knowledge.heldSince.set(row.sha256, Math.max(row.at, knowledge.heldSince.get(row.sha256) ?? 0));
    } catch {
      return null;
    } finally {
      db?.close();
    }
  }
  return knowledge;
}

export interface Swept {
  removed: string[];
  /** Why nothing was removed, when the mirrors could not all be read. */
  skipped: string | null;
}

/** Removes the blob files nothing here needs any more (see the top of this file). */
export function sweepBlobs(blobsDir: string, mirrorsDir: string, now: number): Swept {
  if (!existsSync(blobsDir)) return { removed: [], skipped: null };
  const knowledge = readMirrors(mirrorsDir, process.env.BANDEJA_SQLITE_BINDING);
  if (!knowledge) return { removed: [], skipped: 'a mirror file could not be read' };
  const removed: string[] = [];
  for (const name of readdirSync(blobsDir)) {
    const path = join(blobsDir, name);
    // Leftovers of a write cut short (ClientBlobs.keep): never renamed into place, never needed.
    if (name.endsWith('.part')) {
      if (now - statSync(path).mtimeMs > PART_KEEP_MS) rmSync(path, { force: true });
      continue;
    }
    if (!SHA256.test(name) || knowledge.referenced.has(name)) continue;
    const heldSince = knowledge.heldSince.get(name);
    if (heldSince === undefined || now - heldSince <= BLOB_KEEP_MS) continue;
    // Staged again lately (ClientBlobs.stage touches the file): the agent may be about to send it.
    if (now - statSync(path).mtimeMs <= BLOB_KEEP_MS) continue;
    rmSync(path, { force: true });
    removed.push(name);
  }
  return { removed, skipped: null };
}
