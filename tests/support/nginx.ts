// A real nginx in front of test server processes, configured with the deployment's own files
// (deploy/nginx/upstream.conf and locations.conf) with only the upstream ports and the listening port
// changed. It runs unprivileged from a temp prefix, in the foreground, on a free loopback port.
//
//   const lb = await startNginx([a.port, b.port, c.port]);
//   lb.url            // http://127.0.0.1:<port>: clients connect here
//   await lb.stop();
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const DEPLOY = resolve(import.meta.dirname, '../../deploy/nginx');

export interface Nginx {
  url: string;
  port: number;
  /** nginx's error log so far (upstreams it gave up on, and why). */
  errors(): string;
  stop(): Promise<void>;
}

/** The nginx binary, or null when it is not installed (.ci/run installs it). */
export function nginxBinary(): string | null {
  for (const path of ['/usr/sbin/nginx', '/usr/bin/nginx', '/usr/local/sbin/nginx']) {
    if (spawnSync(path, ['-v']).status === 0) return path;
  }
  return null;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/** deploy/nginx/upstream.conf with its `server 127.0.0.1:<port> …;` lines replaced by one per port given. */
export function upstreamFor(ports: readonly number[]): string {
  const lines = readFileSync(join(DEPLOY, 'upstream.conf'), 'utf8').split('\n');
  const server = /^(\s*)server 127\.0\.0\.1:\d+([^;]*);$/;
  const first = lines.findIndex((l) => server.test(l));
  if (first < 0) throw new Error('deploy/nginx/upstream.conf has no "server 127.0.0.1:<port>" line');
  const [, indent, params] = server.exec(lines[first]!)!;
  const ours = ports.map((p) => `${indent}server 127.0.0.1:${p}${params};`);
  return [...lines.slice(0, first), ...ours, ...lines.slice(first).filter((l) => !server.test(l))].join('\n');
}

export async function startNginx(upstreamPorts: readonly number[]): Promise<Nginx> {
  const bin = nginxBinary();
  if (!bin) throw new Error('nginx is not installed (apt-get install nginx; .ci/run does it)');
  const prefix = mkdtempSync(join(tmpdir(), 'bandeja-nginx-'));
  for (const dir of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(prefix, dir));
  const port = await freePort();
  writeFileSync(join(prefix, 'upstream.conf'), upstreamFor(upstreamPorts));
  writeFileSync(join(prefix, 'locations.conf'), readFileSync(join(DEPLOY, 'locations.conf'), 'utf8'));
  const errorLog = join(prefix, 'error.log');
  // As root, workers would switch to "nobody" and could not write the temp prefix.
  const user = process.getuid?.() === 0 ? 'user root;\n' : '';
  writeFileSync(
    join(prefix, 'nginx.conf'),
    `${user}daemon off;
worker_processes 1;
pid ${join(prefix, 'nginx.pid')};
error_log ${errorLog} info;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${join(prefix, 'body')};
  proxy_temp_path ${join(prefix, 'proxy')};
  fastcgi_temp_path ${join(prefix, 'fastcgi')};
  uwsgi_temp_path ${join(prefix, 'uwsgi')};
  scgi_temp_path ${join(prefix, 'scgi')};
  include ${join(prefix, 'upstream.conf')};
  server {
    listen 127.0.0.1:${port};
    include ${join(prefix, 'locations.conf')};
  }
}
`,
  );
  const child: ChildProcess = spawn(bin, ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-e', errorLog], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const errors = () => {
    try {
      return readFileSync(errorLog, 'utf8') + stderr;
    } catch {
      return stderr;
    }
  };
  // Up once it accepts a connection.
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}): ${errors()}`);
    const ok = await new Promise<boolean>((done) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), done(true)));
      s.once('error', () => done(false));
    });
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`nginx not listening within 10 s: ${errors()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    errors,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
