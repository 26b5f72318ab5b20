// The real core worker (src-main/thread/worker.ts) with two additions for fault tests: a call to the op
// `test.crash` throws in the worker's event loop, as a bug in the core would, and the thread dies; one to
// `test.reject` leaves a promise rejected that nobody awaits.
import { parentPort } from 'node:worker_threads';
import '../../src-main/thread/worker';

parentPort!.on('message', (m: { t: string; op?: string }) => {
  if (m.t === 'call' && m.op === 'test.crash') throw new Error('the core tripped over a test');
  if (m.t === 'call' && m.op === 'test.reject') void Promise.reject(new Error('a promise nobody awaited'));
});
