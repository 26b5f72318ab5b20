// The core's thread: runs launch() (embedded server, core, dispatcher) in a worker_threads Worker, so
// SQL and PGlite never hold up the main thread. Its Host is a proxy: notifications and the badge are
// posted to the main thread, secrets are asked of it, wake-ups come from it. Started by launchInWorker().
import { parentPort, workerData } from 'node:worker_threads';
import type { Host } from '../core/host';
import { FlagError, launch, type Launched } from '../launch';
import type { FromWorker, SecretCall, ToWorker, WorkerStart } from './messages';

if (!parentPort) throw new Error('src-main/thread/worker.ts runs in a worker thread (see launchInWorker).');
const port = parentPort;
const start = workerData as WorkerStart;
const post = (message: FromWorker) => port.postMessage(message);
const log = (line: string) => post({ t: 'log', line });

const secretAnswers = new Map<number, { resolve: (value: string | null) => void; reject: (error: Error) => void }>();
let nextSecret = 1;
function askSecret(call: SecretCall): Promise<string | null> {
  const id = nextSecret++;
  return new Promise((resolve, reject) => {
    secretAnswers.set(id, { resolve, reject });
    post({ t: 'secret', id, call });
  });
}

const wakeListeners = new Set<() => void>();

function proxyHost(dataDir: string): Host {
  return {
    kind: start.kind,
    dataDir,
    secrets: {
      get: (key) => askSecret({ method: 'get', key }),
      set: async (key, value) => void (await askSecret({ method: 'set', key, value })),
      delete: async (key) => void (await askSecret({ method: 'delete', key })),
    },
    notify: (notification) => post({ t: 'notify', notification }),
    setBadge: (count) => post({ t: 'badge', count }),
    ...(start.wake
      ? {
          onWake(listener: () => void) {
            wakeListeners.add(listener);
            return () => void wakeListeners.delete(listener);
          },
        }
      : {}),
  };
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

// A promise nobody awaited failed (a bug): logged, not the end of the thread and of every call waiting in it.
process.on('unhandledRejection', (reason: unknown) => {
  log(`core: unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`);
});

let app: Launched | null = null;

async function call(id: number, op: string, args: unknown): Promise<void> {
  // The main thread sends calls only once 'ready' is posted, so the core is there.
  const reply = await app!.dispatch(op, args);
  try {
    post({ t: 'reply', id, reply });
  } catch (e) {
    // A result that cannot cross threads is a bug in the handler, reported like any other.
    log(`ipc: ${op} failed: its result cannot be sent to the main thread: ${message(e)}`);
    post({
      t: 'reply',
      id,
      reply: { ok: false, error: { code: 'INTERNAL', message: 'Something went wrong inside Bandeja. The details are in the log.' } },
    });
  }
}

port.on('message', (m: ToWorker) => {
  switch (m.t) {
    case 'call':
      void call(m.id, m.op, m.args);
      return;
    case 'secretReply': {
      const waiting = secretAnswers.get(m.id);
      secretAnswers.delete(m.id);
      if (m.ok) waiting?.resolve(m.value);
      else waiting?.reject(new Error(m.message));
      return;
    }
    case 'wake':
      for (const listener of [...wakeListeners]) listener();
      return;
    case 'close':
      void (app?.close() ?? Promise.resolve()).then(
        () => post({ t: 'closed', error: null }),
        (e: unknown) => post({ t: 'closed', error: e instanceof Error ? (e.stack ?? e.message) : String(e) }),
      );
      return;
  }
});

launch({
  argv: start.argv,
  env: process.env,
  makeHost: proxyHost,
  log,
  onServerReady: (url) => post({ t: 'serverReady', url }),
}).then(
  (launched) => {
    app = launched;
    launched.events.onAny((event, payload) => post({ t: 'event', event, payload }));
    post({ t: 'ready', flags: launched.flags, defaultServerUrl: launched.defaultServerUrl });
  },
  (e: unknown) => post({ t: 'failed', message: message(e), flagError: e instanceof FlagError }),
);
