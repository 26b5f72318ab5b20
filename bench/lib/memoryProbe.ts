// `node --expose-gc --import tsx bench/lib/memoryProbe.ts <entry.ts> [args...]`: runs a server's entry point
// (src-server/cli.ts, lib/rawBroadcastServer.ts) in this process, unchanged, and answers the benchmark
// over the Node IPC channel that spawned it (no socket, nothing added to the server itself): on
// "memory", two full collections, then process.memoryUsage() and VmRSS.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface ProbeMemory {
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** VmRSS after the collections, in bytes. */
  rss: number;
}

const [entry, ...args] = process.argv.slice(2);
if (!entry) throw new Error('memoryProbe: which entry point to run?');
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc || !process.send) throw new Error('memoryProbe needs --expose-gc and an IPC channel (spawned with stdio "ipc").');
// The entry point reads its arguments from process.argv, as if it had been started itself.
process.argv = [process.argv[0]!, resolve(entry), ...args];

process.on('message', (m) => {
  if (m !== 'memory') return;
  gc();
  gc();
  const u = process.memoryUsage();
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? NaN);
  const reply: ProbeMemory = { heapUsed: u.heapUsed, external: u.external, arrayBuffers: u.arrayBuffers, rss: kb * 1024 };
  process.send!(reply);
});
await import(pathToFileURL(resolve(entry)).href);
