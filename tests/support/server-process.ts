// Runs the real sync server (src-server/cli.ts) as a child process for tests.
//
//   const server = await startServerProcess({ demo: true });   // temp data dir, free port
//   server.url        // http://127.0.0.1:<port>
//   await server.stop();       // SIGTERM, waits for exit
//   await server.kill();       // SIGKILL (crash)
//   await server.restart();    // same port and data dir
//
// Pass `env: { DATABASE_URL }` to run it on PostgreSQL. The data dir is a fresh folder under
// os.tmpdir() unless `dataDir` is given; it is not deleted (tests may inspect it).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { blankPgliteStore } from './pglite-template';

export interface ServerProcess {
  url: string;
  port: number;
  dataDir: string;
  /** Everything the process wrote to stderr so far (logs). */
  stderr(): string;
  /** Sends the signal (default SIGTERM) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Exit code of the last run (null while running or when killed by a signal). */
  exitCode(): number | null;
  kill(): Promise<void>;
  restart(): Promise<void>;
}

export { LOAD_TEST_LIMITS } from './load-test-limits';

const ROOT = resolve(import.meta.dirname, '../..');
const READY = /Bandeja server listening on http:\/\/127\.0\.0\.1:(\d+)/;

export async function startServerProcess(
  opts: { dataDir?: string; port?: number; demo?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<ServerProcess> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'bandeja-server-'));
  if (!opts.env?.DATABASE_URL) await blankPgliteStore(dataDir);
  let port = opts.port ?? 0;
  let child: ChildProcess | null = null;
  let exited: Promise<number | null> = Promise.resolve(null);
  let logs = '';

  const launch = () =>
    new Promise<number>((resolveReady, reject) => {
      const args = ['--import', 'tsx', 'src-server/cli.ts', '--port', String(port), '--data-dir', dataDir];
      if (opts.demo) args.push('--demo');
      const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
      if (!opts.env || !('DATABASE_URL' in opts.env)) delete env.DATABASE_URL;
      const proc = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      child = proc;
      let out = '';
      proc.stdout!.setEncoding('utf8');
      proc.stderr!.setEncoding('utf8');
      proc.stderr!.on('data', (d: string) => (logs += d));
      proc.stdout!.on('data', (d: string) => {
        out += d;
        const m = READY.exec(out);
        if (m) resolveReady(Number(m[1]));
      });
      exited = new Promise((done) => proc.once('exit', (code) => done(code)));
      proc.once('exit', (code, signal) =>
        reject(new Error(`Server exited before it was ready (code ${code}, signal ${signal}).\n${logs}`)),
      );
    });

  const waitExit = async (signal: NodeJS.Signals) => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return proc?.exitCode ?? null;
    proc.kill(signal);
    return exited;
  };

  port = await launch();
  const server: ServerProcess = {
    url: `http://127.0.0.1:${port}`,
    port,
    dataDir,
    stderr: () => logs,
    async stop(signal = 'SIGTERM') {
      await waitExit(signal);
    },
    exitCode: () => child?.exitCode ?? null,
    async kill() {
      await waitExit('SIGKILL');
    },
    async restart() {
      await waitExit('SIGTERM');
      // The same port must come back; retry briefly if the OS has not released it yet.
      for (let attempt = 0; ; attempt++) {
        try {
          await launch();
          return;
        } catch (e) {
          if (attempt >= 20 || !/EADDRINUSE/.test(logs)) throw e;
          logs = '';
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
  };
  return server;
}

/**
 * Prepares a store before the server starts: migrations and the demo tenant, which has two teams:
 * "Soporte" (everyone) with the webchat inbox `demo`, and "Ventas" (Sofía and Bruno) with its own
 * webchat inbox `ventas`, so tests can reach a conversation Ana may not see at all.
 * Pass `databaseUrl` to prepare PostgreSQL instead.
 */
export async function prepareDemoStore(opts: { dataDir: string; databaseUrl?: string }): Promise<void> {
  const { openStore } = await import('../../src-server/app');
  const { migrate } = await import('../../src-server/store/migrate');
  const { seedDemo } = await import('../../src-server/demo');
  if (!opts.databaseUrl) await blankPgliteStore(opts.dataDir);
  const db = await openStore(opts);
  try {
    await migrate(db);
    await seedDemo(db);
  } finally {
    await db.close();
  }
}
