// Runs the real headless host (src-main/host/headless/cli.ts) as a child process for tests, and
// connects to its /ipc socket.
//
//   const ana = await startClientProcess({ serverUrl: server.url });   // temp data dir, free UI port
//   const fresh = await startClientProcess({ serverUrl: null });       // a first run: no --server, nothing saved
//   await ana.ipc.ok('session.login', { serverUrl: server.url, email: 'ana@demo.test', password: 'demo1234' });
//   await ana.kill();        // SIGKILL (crash), no clean shutdown
//   await ana.restart();     // same data dir, server and UI port; `ana.ipc` is a new connection
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connectIpc, type IpcClient } from './ipc-client';

export interface ClientProcess {
  /** The UI URL. The first run picks a free port and restarts keep it, so a browser page already
   *  open on the UI finds the restarted host by itself, as it would after a real restart. */
  readonly url: string;
  readonly ipc: IpcClient;
  /** The IPC token this host's pages carry (raw /ipc tests open the socket with it). */
  readonly token: string;
  readonly dataDir: string;
  stderr(): string;
  /** SIGTERM, waits for the exit (a clean shutdown). */
  stop(): Promise<void>;
  /** SIGKILL: the process dies wherever it is. */
  kill(): Promise<void>;
  /** Starts it again on the same data dir, server and UI port (after stop/kill, or stops it first). */
  restart(): Promise<void>;
}

const ROOT = resolve(import.meta.dirname, '../..');
const READY = /Bandeja headless UI on (http:\/\/127\.0\.0\.1:\d+)/;

export async function startClientProcess(opts: {
  /** --server; null starts it without one (a first run asks on its sign-in screen). */
  serverUrl: string | null;
  /** More flags, e.g. ['--server-port', '0'] for the local demo it may start. */
  args?: string[];
  dataDir?: string;
  /** UI port; 0 (default) picks a free one on the first run. */
  port?: number;
  env?: NodeJS.ProcessEnv;
}): Promise<ClientProcess> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'bandeja-client-'));
  let port = opts.port ?? 0;
  const token = randomBytes(16).toString('hex');
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let logs = '';
  let url = '';
  let ipc: IpcClient | null = null;

  const launch = () =>
    new Promise<string>((resolveReady, reject) => {
      const args = [
        '--import',
        'tsx',
        'src-main/host/headless/cli.ts',
        ...(opts.serverUrl === null ? [] : ['--server', opts.serverUrl]),
        ...(opts.args ?? []),
        '--port',
        String(port),
        '--data-dir',
        dataDir,
      ];
      const proc = spawn(process.execPath, args, {
        cwd: ROOT,
        env: { ...process.env, ...opts.env, BANDEJA_IPC_TOKEN: token },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = proc;
      let out = '';
      proc.stdout!.setEncoding('utf8');
      proc.stderr!.setEncoding('utf8');
      proc.stderr!.on('data', (d: string) => (logs += d));
      proc.stdout!.on('data', (d: string) => {
        out += d;
        const m = READY.exec(out);
        if (m) resolveReady(m[1]!);
      });
      exited = new Promise((done) => proc.once('exit', () => done()));
      proc.once('exit', (code, signal) =>
        reject(new Error(`Client exited before it was ready (code ${code}, signal ${signal}).\n${logs}`)),
      );
    });

  const start = async () => {
    // The same port must come back; retry briefly if the OS has not released it yet.
    for (let attempt = 0; ; attempt++) {
      try {
        url = await launch();
        break;
      } catch (e) {
        if (port === 0 || attempt >= 20 || !/EADDRINUSE/.test(logs)) throw e;
        logs = '';
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    port = Number(new URL(url).port);
    ipc = await connectIpc(url, token);
  };

  const end = async (signal: NodeJS.Signals) => {
    ipc?.close();
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill(signal);
    await exited;
  };

  await start();
  return {
    get url() {
      return url;
    },
    get ipc() {
      return ipc!;
    },
    token,
    dataDir,
    stderr: () => logs,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
    async restart() {
      await end('SIGTERM');
      await start();
    },
  };
}
