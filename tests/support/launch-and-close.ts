// Launches the core on its thread, asks it one thing, closes it, and then does nothing: the process
// ends by itself only if close() left no thread (or socket, or timer) behind.
//   node --import tsx tests/support/launch-and-close.ts --server URL --data-dir DIR
import { createHeadlessHost } from '../../src-main/host/headless/host';
import { launchInWorker } from '../../src-main/thread/launchInWorker';

const app = await launchInWorker({
  argv: process.argv.slice(2),
  makeHost: (dataDir) => createHeadlessHost(dataDir, () => undefined),
  log: () => undefined,
});
const info = await app.dispatch('app.info', {});
await app.close();
process.stdout.write(`closed ${JSON.stringify(info)}\n`);
