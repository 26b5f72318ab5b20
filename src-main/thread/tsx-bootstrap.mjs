// Runs a TypeScript worker module from the source tree (tests, `tsx`): a worker does not inherit the
// parent's `--import tsx` hooks on Node 20, so it registers tsx itself, then imports the module.
// The Electron build runs its bundled core-worker.mjs directly instead.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.module);
