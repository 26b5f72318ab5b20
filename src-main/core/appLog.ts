// The desktop app's log file, for support: <data>/client/logs/bandeja.log, JSON lines (pino) from the main
// process, the core's thread and the renderer's uncaught errors, each tagged with its source. Written by the
// main thread alone (the core's thread posts its lines there), rotated by size: bandeja.log -> bandeja.log.1
// -> … -> bandeja.log.<keep>, the oldest dropped. Lines are what the code logs: ids, codes and reasons, never a
// message's text, a token or a password (see each call).
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';

export type LogSource = 'main' | 'core' | 'renderer';

export const LOG_FILE_NAME = 'bandeja.log';
/** 5 MiB a file, 3 old files kept: about 20 MiB at most, days of an agent's work. */
export const LOG_MAX_BYTES = 5 * 1024 * 1024;
export const LOG_KEEP = 3;
/** A renderer error reported through IPC is cut to this many characters. */
export const RENDERER_ERROR_MAX_CHARS = 4000;

export interface AppLog {
  readonly path: string;
  /** A writer for one source's lines (the hosts' `log` option). */
  lines(source: LogSource, level?: 'info' | 'warn' | 'error'): (line: string) => void;
  /** Writes everything out (before the process exits). */
  flush(): void;
  close(): void;
}

export interface AppLogOptions {
  maxBytes?: number;
  keep?: number;
  /** Each line is also written here (the hosts keep printing to stderr for a developer). */
  echo?: (line: string) => void;
}

/** The folder the log lives in, under the client's data folder. */
export function logDir(dataDir: string): string {
  return join(dataDir, 'client', 'logs');
}

/** A file destination that moves itself aside when the next line would pass maxBytes. */
class RotatingFile {
  private size: number;
  private readonly file: ReturnType<typeof pino.destination>;

  constructor(
    private readonly path: string,
    private readonly maxBytes: number,
    private readonly keep: number,
  ) {
    this.size = existsSync(path) ? statSync(path).size : 0;
    // Synchronous: a line written just before a crash is on disk.
    this.file = pino.destination({ dest: path, sync: true, mkdir: true });
  }

  write(chunk: string): boolean {
    const bytes = Buffer.byteLength(chunk);
    if (this.size > 0 && this.size + bytes > this.maxBytes) this.rotate();
    this.size += bytes;
    return this.file.write(chunk);
  }

  private rotate(): void {
    this.file.flushSync();
    rmSync(`${this.path}.${this.keep}`, { force: true });
    for (let i = this.keep - 1; i >= 1; i--) if (existsSync(`${this.path}.${i}`)) renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
    if (this.keep > 0) renameSync(this.path, `${this.path}.1`);
    else rmSync(this.path, { force: true });
    // SonicBoom reopens the same path: a new, empty file.
    this.file.reopen();
    this.size = 0;
  }

  flush(): void {
    this.file.flushSync();
  }

  end(): void {
    this.file.end();
  }
}

export function openAppLog(dataDir: string, opts: AppLogOptions = {}): AppLog {
  const dir = logDir(dataDir);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, LOG_FILE_NAME);
  const file = new RotatingFile(path, opts.maxBytes ?? LOG_MAX_BYTES, opts.keep ?? LOG_KEEP);
  const logger: Logger = pino({ base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, file);
  const children = new Map<LogSource, Logger>();
  const child = (source: LogSource) => {
    let c = children.get(source);
    if (!c) children.set(source, (c = logger.child({ source })));
    return c;
  };
  return {
    path,
    lines(source, level = 'info') {
      const out = child(source);
      return (line) => {
        out[level](line);
        opts.echo?.(line);
      };
    },
    flush: () => file.flush(),
    close: () => file.end(),
  };
}

/** A renderer's uncaught error as one bounded line (its message and stack; nothing the page holds). */
export function rendererErrorLine(report: { message: string; stack?: string | null; where?: string | null }): string {
  const text = `${report.where ? `${report.where}: ` : ''}${report.message}${report.stack ? `\n${report.stack}` : ''}`;
  return text.length > RENDERER_ERROR_MAX_CHARS ? `${text.slice(0, RENDERER_ERROR_MAX_CHARS)}…` : text;
}
