// (d) Offline backlog: a real client core (createCore, in this process, on a copy of the supervisor's
// mirror) and a real server process. Online: 5,000 notes recorded while connected (the sync client
// pushes them as they come, batches of up to 100) until every one is confirmed. Offline: the server is
// stopped, 5,000 more notes are recorded, the server starts again on the same port; from the moment the
// client is back online until the outbox is empty. Both counted once and in order by the server's
// client counter (lmid), which the core's outbox mirrors.
import { join } from 'node:path';
import { createCore } from '../../src-main/core';
import { createHeadlessHost } from '../../src-main/host/headless/host';
import { MIRROR_OWNER, buildDirectory } from '../lib/dataset';
import type { BenchContext } from '../lib/context';
import { ms, round, until, type Result } from '../lib/measure';
import { prepareClientData } from '../lib/clientData';
import { freePort, serverDataCopy, startServer } from '../lib/processes';
import { messageBody } from '../lib/texts';
import { Random } from '../lib/random';

const ACTIONS = 5_000;

export async function offlineBacklog(ctx: BenchContext): Promise<Result> {
  const owner = buildDirectory(ctx.manifest.shape).users.find((u) => u.id === MIRROR_OWNER)!;
  const serverDir = serverDataCopy(ctx);
  const port = await freePort();
  let server = await startServer(serverDir, port);
  const dataDir = join(ctx.work, 'offline-client');
  prepareClientData(dataDir, server.url, owner, ctx.data.mirror);
  const core = createCore({
    host: createHeadlessHost(dataDir, () => undefined),
    lang: null,
    defaultServerUrl: server.url,
    log: () => undefined,
  });
  const rnd = new Random(21);
  try {
    await core.ready;
    await until(() => core.syncStatus().state === 'online', 600_000, 'the client to catch up', 20);
    const { db } = core.reader();
    const targets = db
      .prepare<[], { id: string }>("SELECT id FROM conversations WHERE status <> 'closed' ORDER BY last_message_at DESC LIMIT 500")
      .all()
      .map((r) => r.id);
    const record = async () => {
      for (let i = 0; i < ACTIONS; i++) {
        core.addNote(targets[i % targets.length]!, messageBody(rnd, i % 2 ? 'es' : 'pt', 'note'), []);
        // Let the sync client push between actions, as it would between an agent's clicks.
        if (i % 50 === 49) await new Promise((r) => setImmediate(r));
      }
    };

    let t = process.hrtime.bigint();
    await record();
    await until(() => core.syncStatus().pending === 0, 1_800_000, 'the online notes to be confirmed', 10);
    const onlineMs = ms(t);

    await server.stop();
    await until(() => core.syncStatus().state === 'offline', 60_000, 'the client to notice', 10);
    t = process.hrtime.bigint();
    await record();
    const recordOfflineMs = ms(t);
    const queued = core.syncStatus().pending;
    server = await startServer(serverDir, port);
    t = process.hrtime.bigint();
    await until(() => core.syncStatus().state === 'online', 120_000, 'the client to reconnect', 5);
    const reconnectMs = ms(t);
    t = process.hrtime.bigint();
    await until(() => core.syncStatus().pending === 0, 1_800_000, 'the backlog to be confirmed', 10);
    const backlogMs = ms(t);
    const rejected = core.syncStatus().lastError;
    const ratio = backlogMs / onlineMs;
    return {
      name: 'offline backlog',
      ratioLabel: 'backlog delivery after reconnect / the same sent online',
      ratio: round(ratio, 2),
      target: null,
      met: null,
      figures: {
        actions: ACTIONS,
        queuedOffline: queued,
        onlineMs: round(onlineMs),
        onlineActionsPerSec: Math.round((ACTIONS / onlineMs) * 1000),
        recordOfflineMs: round(recordOfflineMs),
        serverReadyToOnlineMs: round(reconnectMs),
        backlogDeliveredMs: round(backlogMs),
        backlogActionsPerSec: Math.round((ACTIONS / backlogMs) * 1000),
        lastError: rejected,
      },
      notes: ['serverReadyToOnlineMs is mostly the reconnect backoff (full jitter, up to 15 s) and the catch-up, not the backlog.'],
    };
  } finally {
    await core.close();
    await server.stop();
  }
}
