// A small mirror cut from a big one, for a reference measured against the big one: the app's schema
// (openMirror: every migration, index and trigger), the whole directory and meta (the session user), the
// conversations asked for plus a seeded sample of the others, and the contacts they name. Rows go in by
// INSERT, so the triggers keep the tallies and the contacts' search index as the app's would. Messages are
// left out: no inbox list or counter reads them.
import Database from 'better-sqlite3';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { openMirror } from '../../src-main/core/mirror/db';
import { Random } from './random';

/** Tables copied whole (the directory, meta, overlays, reminders...): every base table but these. */
const NOT_COPIED = new Set(['conversations', 'contacts', 'messages', 'conversation_tallies', 'conversation_tags']);

const removeDb = (path: string) => {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${path}${suffix}`, { force: true });
};

/** Writes `to` (replacing it): `size` conversations of `from`, `keep` among them. */
export function cutMirror(from: string, to: string, opts: { keep: readonly string[]; size: number; seed: number }): void {
  const source = new Database(from, { readonly: true });
  let copied: string[];
  let sample: string[];
  try {
    const keep = new Set(opts.keep);
    const others = source
      .prepare<[], string>('SELECT id FROM conversations ORDER BY id')
      .pluck()
      .all()
      .filter((id) => !keep.has(id));
    // A partial Fisher-Yates shuffle: the first `want` of `others` become a uniform sample.
    const want = Math.min(others.length, opts.size - keep.size);
    const rnd = new Random(opts.seed);
    for (let i = 0; i < want; i++) {
      const j = i + rnd.int(others.length - i);
      [others[i], others[j]] = [others[j]!, others[i]!];
    }
    sample = [...keep, ...others.slice(0, want)];
    copied = source
      .prepare<[], string>(
        `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'
           AND name NOT LIKE '%_fts_%' ORDER BY name`,
      )
      .pluck()
      .all()
      .filter((name) => !NOT_COPIED.has(name));
  } finally {
    source.close();
  }

  const tmp = `${to}.${process.pid}.tmp`;
  removeDb(tmp);
  const mirror = openMirror(tmp);
  try {
    const db = mirror.db;
    db.prepare('ATTACH DATABASE ? AS src').run(from);
    db.transaction(() => {
      for (const table of copied) {
        db.exec(`DELETE FROM main."${table}"`);
        db.exec(`INSERT INTO main."${table}" SELECT * FROM src."${table}"`);
      }
      db.prepare('INSERT INTO main.conversations SELECT * FROM src.conversations WHERE id IN (SELECT value FROM json_each(?))').run(
        JSON.stringify(sample),
      );
      db.exec('INSERT INTO main.contacts SELECT * FROM src.contacts WHERE id IN (SELECT contact_id FROM main.conversations)');
    })();
    db.exec('DETACH DATABASE src');
    const n = db.prepare<[], number>('SELECT count(*) FROM conversations').pluck().get()!;
    if (n !== sample.length) throw new Error(`cutMirror: ${n} conversations written, ${sample.length} asked for.`);
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    mirror.close();
  }
  removeDb(to);
  renameSync(tmp, to);
  removeDb(tmp);
  if (!existsSync(to)) throw new Error(`cutMirror: ${to} was not written.`);
}
