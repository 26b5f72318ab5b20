// `npm run bench:data [-- --scale 0.02] [--force]`: builds the benchmark dataset (lib/dataset.ts) into
// a server store (PGlite) and a supervisor's mirror under bench/.data/scale-<s>/, plus the 1,000-
// conversation mirror the inbox benchmark compares against. A dataset already built is reused.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { openPglite } from '../src-server/store/db';
import { canSeeConversation } from '../src-shared/rules/visibility';
import type { Op } from '../src-shared/protocol';
import { BENCH_AGENT, ConversationStream, MIRROR_OWNER, buildDirectory, shapeFor } from './lib/dataset';
import { MirrorWriter } from './lib/mirrorStore';
import { REFERENCE_SCALE, datasetPaths, parseScale, readManifest, type Manifest } from './lib/paths';
import { finishServer, writeConversations, writeDirectory, writeMessages } from './lib/serverStore';

const BATCH = 5000;
const log = (line: string) => process.stdout.write(`${line}\n`);

export async function buildDataset(scale: number, opts: { server: boolean; force: boolean }): Promise<Manifest> {
  const existing = readManifest(scale);
  if (existing && !opts.force && (!opts.server || existing.counts.users > 0)) {
    log(`scale ${scale}: already built (${existing.counts.conversations} conversations, ${existing.counts.messages} messages)`);
    return existing;
  }
  const started = Date.now();
  const paths = datasetPaths(scale);
  rmSync(paths.dir, { recursive: true, force: true });
  mkdirSync(paths.pgdata, { recursive: true });
  const shape = shapeFor(scale);
  const dir = buildDirectory(shape);
  log(`scale ${scale}: ${shape.conversations} conversations, ${shape.messages} messages, ${dir.users.length} users`);

  // First pass: the messages decide each conversation's last activity, unread count and preview.
  const planning = new ConversationStream(shape, dir);
  while (!planning.done) planning.next(BATCH);
  const conversations = planning.conversations();

  const db = opts.server ? await openPglite(paths.pgdata) : null;
  const owner = dir.users.find((u) => u.id === MIRROR_OWNER)!;
  const mirror = new MirrorWriter(paths.mirror, owner);
  try {
    if (db) await writeDirectory(db, dir);
    mirror.add(dir.users.map((row): Op => ({ kind: 'user', row })));
    mirror.add(dir.teams.map((row): Op => ({ kind: 'team', row })));
    mirror.add(dir.inboxes.map(({ slug: _slug, ...row }): Op => ({ kind: 'inbox', row })));
    mirror.add(dir.contacts.map((row): Op => ({ kind: 'contact', row })));
    mirror.add(dir.savedViews.map((row): Op => ({ kind: 'savedView', row })));
    if (db) await writeConversations(db, conversations);
    mirror.add(conversations.map((row): Op => ({ kind: 'conversation', row })));
    log(`  directory and conversations written (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    const stream = new ConversationStream(shape, dir);
    let written = 0;
    while (!stream.done) {
      const batch = stream.next(BATCH);
      if (db) await writeMessages(db, batch);
      mirror.add(batch.map((row): Op => ({ kind: 'message', row })));
      written += batch.length;
      if (written % 100_000 < BATCH) log(`  ${written} messages (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    }
    mirror.finish();
    if (db) await finishServer(db);
  } finally {
    await db?.close();
  }
  const agent = dir.users.find((u) => u.id === BENCH_AGENT)!;
  const manifest: Manifest = {
    shape,
    counts: {
      conversations: conversations.length,
      messages: shape.messages,
      contacts: dir.contacts.length,
      users: opts.server ? dir.users.length : 0,
    },
    benchAgentVisible: conversations.filter((c) => canSeeConversation({ id: agent.id, role: agent.role, teamIds: agent.teamIds }, c))
      .length,
    builtAt: new Date().toISOString(),
    seconds: (Date.now() - started) / 1000,
  };
  writeFileSync(paths.manifest, JSON.stringify(manifest, null, 2));
  log(`scale ${scale}: done in ${manifest.seconds.toFixed(1)} s`);
  return manifest;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const scale = parseScale(process.argv.slice(2));
  const force = process.argv.includes('--force');
  await buildDataset(scale, { server: true, force });
  if (scale !== REFERENCE_SCALE) await buildDataset(REFERENCE_SCALE, { server: false, force });
}
