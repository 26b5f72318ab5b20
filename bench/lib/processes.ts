// Real processes for the benchmarks: the sync server (src-server/cli.ts) on a copy of the dataset's
// store, and the headless client host. Like tests/support, but exposing the pid (memory is measured).
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { BenchContext } from './context';
import type { ProbeMemory } from './memoryProbe';
import { BENCH_DIR, ROOT } from './paths';

export interface Child {
  url: string;
  pid: number;
  proc: ChildProcess;
  /** Milliseconds from spawn to the ready line. */
  readyMs: number;
  logs(): string;
  stop(): Promise<void>;
}

/** `probe` runs the entry point under lib/memoryProbe.ts (--expose-gc, an IPC channel): see memoryOf. */
export function spawnReady(
  args: string[],
  ready: RegExp,
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 600_000,
  cwd = ROOT,
  probe = false,
): Promise<Child> {
  const started = process.hrtime.bigint();
  const node = probe ? ['--expose-gc', '--import', 'tsx', join(BENCH_DIR, 'lib', 'memoryProbe.ts')] : ['--import', 'tsx'];
  const proc = spawn(process.execPath, [...node, ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: probe ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let logs = '';
  const exited = new Promise<void>((done) => proc.once('exit', () => done()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${args.join(' ')} was not ready after ${timeoutMs} ms.\n${logs}`));
    }, timeoutMs);
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => (logs += d));
    proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = ready.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        url: m[1]!,
        pid: proc.pid!,
        proc,
        readyMs: Number(process.hrtime.bigint() - started) / 1e6,
        logs: () => logs,
        stop: async () => {
          if (proc.exitCode === null && proc.signalCode === null) {
            proc.kill('SIGTERM');
            const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
            await exited;
            clearTimeout(t);
          }
        },
      });
    });
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited before it was ready (code ${code}, signal ${signal}).\n${logs}`));
    });
  });
}

/** A copy of the dataset's server store as a server data folder (<dir>/server/pgdata), made once per run. */
export function serverDataCopy(ctx: BenchContext): string {
  const dir = join(ctx.work, 'server-data');
  const pgdata = join(dir, 'server', 'pgdata');
  mkdirSync(join(dir, 'server'), { recursive: true });
  cpSync(ctx.data.pgdata, pgdata, { recursive: true, force: false, errorOnExist: false });
  return dir;
}

/** BENCH_SERVER_ROOT runs the server of another checkout (e.g. a worktree at an earlier commit), to
 *  measure a server-side change back to back with the same dataset and client. */
export function startServer(dataDir: string, port = 0, opts: { probe?: boolean } = {}): Promise<Child> {
  const root = process.env.BENCH_SERVER_ROOT ?? ROOT;
  return spawnReady(
    ['src-server/cli.ts', '--port', String(port), '--data-dir', dataDir],
    /Bandeja server listening on (http:\/\/127\.0\.0\.1:\d+)/,
    {},
    600_000,
    root,
    opts.probe,
  );
}

/** Memory of a process started with `probe`: after two full collections in it (lib/memoryProbe.ts). */
export function memoryOf(child: Child, timeoutMs = 60_000): Promise<ProbeMemory> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`No memory reply from pid ${child.pid} in ${timeoutMs} ms.`)), timeoutMs);
    child.proc.once('message', (m) => {
      clearTimeout(timer);
      resolve(m as ProbeMemory);
    });
    child.proc.send('memory');
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
