// (h) The main thread while the core works: the supervisor's data folder over the dataset's mirror, the
// core offline (its server unreachable), driven through launch() in this process (the core on the main
// thread, as before) and through launchInWorker() (the core on its own thread, as both hosts run it).
// The same bursts of heavy calls (inbox.counts, the first page of every view and tab, three searches),
// all issued at once as the renderer does after a change, in alternation on both. Reported: the main
// thread's event-loop delay while they run (perf_hooks.monitorEventLoopDelay: how long a window's
// input or a timer would wait), the wait of a desktop.* call issued during the burst (answered on the
// main thread), the burst's duration, and each call's latency one at a time (the worker adds a hop).
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createHeadlessHost } from '../../src-main/host/headless/host';
import type { Dispatch } from '../../src-main/ipc/dispatcher';
import { launch, type Launched } from '../../src-main/launch';
import { launchInWorker } from '../../src-main/thread/launchInWorker';
import { CONVERSATION_STATUSES } from '../../src-shared/domain';
import type { IpcOp } from '../../src-shared/ipc';
import { prepareClientData } from '../lib/clientData';
import type { BenchContext } from '../lib/context';
import { MIRROR_OWNER, buildDirectory } from '../lib/dataset';
import { ms, percentile, round, sleep, type Result } from '../lib/measure';
import { freePort } from '../lib/processes';
import { SEARCH_TERMS } from '../lib/texts';
import { INBOX_VIEWS } from './inbox';

const ROUNDS = 12;
const SERIAL_ROUNDS = 3;

function heavyCalls(): { op: IpcOp; args: unknown }[] {
  const calls: { op: IpcOp; args: unknown }[] = [{ op: 'inbox.counts', args: {} }];
  for (const v of INBOX_VIEWS)
    for (const status of CONVERSATION_STATUSES) calls.push({ op: 'inbox.list', args: { view: v.ref, status, sort: 'newest', limit: 50 } });
  for (const q of Object.values(SEARCH_TERMS)) calls.push({ op: 'search.query', args: { q, limit: 20 } });
  return calls;
}

interface Side {
  name: 'inProcess' | 'worker';
  app: Launched;
  /** Per burst: the main thread's longest event-loop stall, and the p99 of its loop delay. */
  stallMs: number[];
  delayP99Ms: number[];
  burstMs: number[];
  windowCallMs: number[];
  serialMs: number[];
}

async function expectOk(dispatch: Dispatch, op: IpcOp, args: unknown): Promise<void> {
  const reply = await dispatch(op, args);
  if (!reply.ok) throw new Error(`${op} failed: ${JSON.stringify(reply.error)}`);
}

/** One burst, all calls at once, with a desktop.* call issued right after them; the loop delay is recorded meanwhile. */
async function burst(side: Side, calls: { op: IpcOp; args: unknown }[]): Promise<void> {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  // The histogram measures from its timer's first run: a loop blocked before that would go unseen.
  await sleep(3);
  const t = process.hrtime.bigint();
  const replies = calls.map((c) => expectOk(side.app.dispatch, c.op, c.args));
  const windowCall = side.app.dispatch('desktop.settings.get', {}).then(() => side.windowCallMs.push(ms(t)));
  await Promise.all([...replies, windowCall]);
  side.burstMs.push(ms(t));
  // A loop blocked by the burst is recorded when the histogram's timer next runs: let it run.
  await sleep(5);
  delay.disable();
  side.stallMs.push(delay.max / 1e6);
  side.delayP99Ms.push(delay.percentile(99) / 1e6);
}

async function serial(side: Side, calls: { op: IpcOp; args: unknown }[]): Promise<void> {
  for (const c of calls) {
    const t = process.hrtime.bigint();
    await expectOk(side.app.dispatch, c.op, c.args);
    side.serialMs.push(ms(t));
  }
}

const p = (xs: number[], q: number) => round(percentile(xs, q));

export async function mainThread(ctx: BenchContext): Promise<Result> {
  const owner = buildDirectory(ctx.manifest.shape).users.find((u) => u.id === MIRROR_OWNER)!;
  // Nobody listens there: the core reads its mirror and syncs nothing while it is measured.
  const serverUrl = `http://127.0.0.1:${await freePort()}`;
  const start = async (name: Side['name']): Promise<Side> => {
    const dataDir = join(ctx.work, `main-thread-${name}`);
    prepareClientData(dataDir, serverUrl, owner, ctx.data.mirror);
    const opts = {
      argv: ['--server', serverUrl, '--data-dir', dataDir],
      makeHost: (dir: string) => createHeadlessHost(dir, () => undefined),
      log: () => undefined,
    };
    const app = name === 'inProcess' ? await launch(opts) : await launchInWorker(opts);
    return { name, app, stallMs: [], delayP99Ms: [], burstMs: [], windowCallMs: [], serialMs: [] };
  };
  const inProcess = await start('inProcess');
  const worker = await start('worker');
  const calls = heavyCalls();
  try {
    // Warm both (statement caches, the page cache of each mirror copy), unmeasured.
    for (const side of [inProcess, worker]) await serial(side, calls);
    for (const side of [inProcess, worker]) side.serialMs = [];
    for (let i = 0; i < ROUNDS; i++) for (const side of i % 2 ? [worker, inProcess] : [inProcess, worker]) await burst(side, calls);
    for (let i = 0; i < SERIAL_ROUNDS; i++) for (const side of [inProcess, worker]) await serial(side, calls);
  } finally {
    await inProcess.app.close();
    await worker.app.close();
  }
  const figures: Record<string, unknown> = { callsPerBurst: calls.length, bursts: ROUNDS };
  for (const side of [inProcess, worker]) {
    figures[`${side.name}LoopDelayP99Ms`] = p(side.delayP99Ms, 50);
    figures[`${side.name}LoopDelayMaxMs`] = p(side.stallMs, 50);
    figures[`${side.name}LoopDelayWorstMs`] = p(side.stallMs, 100);
    figures[`${side.name}WindowCallP50Ms`] = p(side.windowCallMs, 50);
    figures[`${side.name}BurstP50Ms`] = p(side.burstMs, 50);
    figures[`${side.name}CallP50Ms`] = p(side.serialMs, 50);
    figures[`${side.name}CallP95Ms`] = p(side.serialMs, 95);
  }
  figures.loopDelayP99Ratio = round(percentile(inProcess.delayP99Ms, 50) / percentile(worker.delayP99Ms, 50), 1);
  figures.windowCallP50Ratio = round(percentile(inProcess.windowCallMs, 50) / percentile(worker.windowCallMs, 50), 1);
  figures.callP50HopMs = round(percentile(worker.serialMs, 50) - percentile(inProcess.serialMs, 50));
  return {
    name: 'main thread',
    ratioLabel: 'main thread event-loop delay max in a burst (median of bursts), core in-process / on its thread',
    ratio: round(percentile(inProcess.stallMs, 50) / percentile(worker.stallMs, 50), 1),
    target: null,
    met: null,
    figures,
    notes: [
      'Loop delay sampled every 1 ms (monitorEventLoopDelay) in each burst; p99 and max are per burst, the median over bursts reported (worst: the largest max).',
      'It counts time the OS did not run the thread too: on a loaded machine the worst figures are partly noise.',
    ],
  };
}
