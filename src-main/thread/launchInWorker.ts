// launchInWorker(): launch() on a worker thread (worker.ts), seen from the main thread with the same
// shape as launch()'s result. The host's Host and DesktopShell stay here: window.* and desktop.* ops are
// answered on this thread; every other op is posted to the worker, whose dispatcher validates it.
import { Worker } from 'node:worker_threads';
import type { ErrorBody } from '../../src-shared/errors';
import type { IpcEventName, IpcEventPayload, IpcOp, IpcReply } from '../../src-shared/ipc';
import { browserShell, desktopHandlers, type SupportLog } from '../ipc/desktop';
import { createDispatch, type Dispatch } from '../ipc/dispatcher';
import { IpcEventEmitter } from '../ipc/events';
import { FlagError, parseLaunchFlags } from '../flags';
import type { Launched, LaunchOptions } from '../launch';
import type { FromWorker, SecretCall, ToWorker, WorkerStart } from './messages';

export interface WorkerLaunchOptions extends LaunchOptions {
  /** The worker's module. The Electron build passes its bundled core-worker.mjs; by default the source
   *  worker.ts, run through tsx (tsx-bootstrap.mjs). */
  workerModule?: URL;
  /** The worker stopped without being asked (an uncaught error): the host says so and exits. Calls
   *  waiting for it have already been answered INTERNAL, and the error logged. */
  onCrash?: (error: Error) => void;
  /** Lines of the core's thread (default: `log`). */
  coreLog?: (line: string) => void;
  /** The app's log file: the desktop.log.* ops open it and write renderer errors to it. */
  supportLog?: SupportLog;
}

const STOPPED: ErrorBody = {
  code: 'INTERNAL',
  message:
    'Bandeja’s core stopped unexpectedly. Restart Bandeja, and check before repeating your last action: it may have been kept and will be sent. The details are in the log.',
};
const CLOSED: ErrorBody = { code: 'INTERNAL', message: 'Bandeja is closing.' };

function workerFor(module: URL, start: Omit<WorkerStart, 'module'>, env: NodeJS.ProcessEnv): Worker {
  const typescript = module.pathname.endsWith('.ts');
  const workerData: WorkerStart = typescript ? { ...start, module: module.href } : start;
  // env: the worker reads its flags' fallbacks (BANDEJA_DATA_DIR, DATABASE_URL) and BANDEJA_SQLITE_BINDING there.
  return new Worker(typescript ? new URL('./tsx-bootstrap.mjs', import.meta.url) : module, { workerData, env: { ...env } });
}

export async function launchInWorker(opts: WorkerLaunchOptions): Promise<Launched> {
  const log = opts.log ?? ((m: string) => console.error(m));
  const env = opts.env ?? process.env;
  // Bad flags are refused here, before a thread starts; the worker parses the same argv and env.
  const flags = parseLaunchFlags(opts.argv, env);
  const host = opts.makeHost(flags.dataDir);
  const onMain = desktopHandlers(opts.shell ?? browserShell, opts.supportLog);
  const coreLog = opts.coreLog ?? log;
  const dispatchOnMain = createDispatch(onMain, log);

  const worker = workerFor(
    opts.workerModule ?? new URL('./worker.ts', import.meta.url),
    { argv: [...opts.argv], kind: host.kind, wake: host.onWake !== undefined },
    env,
  );
  const events = new IpcEventEmitter();
  const waiting = new Map<number, (reply: IpcReply<IpcOp>) => void>();
  let nextCall = 1;
  /** Set once the worker is gone: later calls are answered with it at once. */
  let gone: ErrorBody | null = null;
  let closing = false;
  let crash: Error | null = null;
  let answerClosed: ((error: string | null) => void) | null = null;
  const stopWake = host.onWake?.(() => post({ t: 'wake' }));

  function post(message: ToWorker): void {
    worker.postMessage(message);
  }

  async function answerSecret(id: number, call: SecretCall): Promise<void> {
    try {
      const { secrets } = host;
      const value =
        call.method === 'get'
          ? await secrets.get(call.key)
          : call.method === 'set'
            ? await secrets.set(call.key, call.value)
            : await secrets.delete(call.key);
      post({ t: 'secretReply', id, ok: true, value: value ?? null });
    } catch (e) {
      post({ t: 'secretReply', id, ok: false, message: e instanceof Error ? e.message : String(e) });
    }
  }

  let started: { resolve: (m: Extract<FromWorker, { t: 'ready' }>) => void; reject: (e: Error) => void } | null = null;
  const ready = new Promise<Extract<FromWorker, { t: 'ready' }>>((resolve, reject) => (started = { resolve, reject }));

  worker.on('message', (m: FromWorker) => {
    switch (m.t) {
      case 'log':
        coreLog(m.line);
        return;
      case 'serverReady':
        opts.onServerReady?.(m.url);
        return;
      case 'ready':
        started?.resolve(m);
        return;
      case 'failed':
        started?.reject(m.flagError ? new FlagError(m.message) : new Error(m.message));
        return;
      case 'reply': {
        const answer = waiting.get(m.id);
        waiting.delete(m.id);
        answer?.(m.reply);
        return;
      }
      case 'event':
        events.emit(m.event, m.payload as IpcEventPayload<IpcEventName>);
        return;
      case 'notify':
        host.notify(m.notification);
        return;
      case 'badge':
        host.setBadge(m.count);
        return;
      case 'secret':
        void answerSecret(m.id, m.call);
        return;
      case 'closed':
        answerClosed?.(m.error);
        return;
    }
  });
  // An uncaught error in the worker: 'error' comes first, then 'exit'.
  worker.on('error', (e: unknown) => (crash = e instanceof Error ? e : new Error(String(e))));
  worker.on('exit', (code) => {
    stopWake?.();
    gone = closing ? CLOSED : STOPPED;
    for (const answer of waiting.values()) answer({ ok: false, error: gone });
    waiting.clear();
    answerClosed?.(crash ? (crash.stack ?? crash.message) : null);
    if (closing) return;
    const error = crash ?? new Error(`Bandeja’s core thread stopped (exit code ${code}).`);
    // During start-up launchInWorker() throws it; later the host hears of it.
    if (started) return started.reject(error);
    log(`The core thread stopped: ${error.stack ?? error.message}`);
    opts.onCrash?.(error);
  });

  let begun: Extract<FromWorker, { t: 'ready' }>;
  try {
    begun = await ready;
  } catch (e) {
    closing = true;
    await worker.terminate();
    stopWake?.();
    throw e;
  }
  started = null;

  const dispatch: Dispatch = (op, args) => {
    if (Object.prototype.hasOwnProperty.call(onMain, op)) return dispatchOnMain(op, args);
    if (gone) return Promise.resolve({ ok: false, error: gone });
    const id = nextCall++;
    return new Promise((resolve) => {
      try {
        post({ t: 'call', id, op, args });
        waiting.set(id, resolve);
      } catch (e) {
        // Arguments the structured clone refuses (a function, a symbol) are not arguments of any op.
        resolve({
          ok: false,
          error: { code: 'INVALID_ARGS', message: `Invalid arguments for ${op}: ${e instanceof Error ? e.message : String(e)}.` },
        });
      }
    });
  };

  let closed: Promise<void> | null = null;
  return {
    flags: begun.flags,
    dispatch,
    events,
    defaultServerUrl: begun.defaultServerUrl,
    close() {
      closed ??= (async () => {
        if (gone) return;
        closing = true;
        // The worker closes the core (sync stopped, mirror closed) and the embedded server, then ends.
        const error = await new Promise<string | null>((resolve) => {
          answerClosed = resolve;
          post({ t: 'close' });
        });
        await worker.terminate();
        if (error) throw new Error(`Bandeja’s core did not close cleanly: ${error}`);
      })();
      return closed;
    },
  };
}
