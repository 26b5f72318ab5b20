// The real core worker (src-main/thread/worker.ts) with one addition for fault tests: a call to the op
// `test.crash` throws in the worker's event loop, as a bug in the core would, and the thread dies.
import { parentPort } from 'node:worker_threads';
import '../../src-main/thread/worker';

parentPort!.on('message', (m: { t: string; op?: string }) => {
  if (m.t === 'call' && m.op === 'test.crash') throw new Error('the core tripped over a test');
});
