// The desktop app's log file (src-main/core/appLog.ts) under plain Node: JSON lines tagged by source, rotated
// by size into bandeja.log.1..N with the oldest dropped, appended to (not truncated) by the next start, and
// renderer error reports cut to a bounded size.
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOG_FILE_NAME, logDir, openAppLog, RENDERER_ERROR_MAX_CHARS, rendererErrorLine } from '../../src-main/core/appLog';

const read = (path: string) =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { msg: string; source: string; level: number; time: string });

describe('the desktop log file', () => {
  it('writes JSON lines tagged with their source, and a later start appends to them', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bandeja-log-'));
    const first = openAppLog(dataDir);
    expect(first.path).toBe(join(logDir(dataDir), LOG_FILE_NAME));
    first.lines('main')('main started');
    first.lines('core')('core: attachment housekeeping skipped');
    first.lines('renderer', 'error')('TypeError: x is undefined');
    first.close();
    const second = openAppLog(dataDir);
    second.lines('main', 'info')('started again');
    second.flush();
    const lines = read(second.path);
    expect(lines.map((l) => [l.source, l.msg])).toEqual([
      ['main', 'main started'],
      ['core', 'core: attachment housekeeping skipped'],
      ['renderer', 'TypeError: x is undefined'],
      ['main', 'started again'],
    ]);
    expect(lines[2]!.level).toBe(50);
    expect(new Date(lines[0]!.time).getTime()).toBeGreaterThan(0);
    second.close();
  });

  it('rotates by size, keeps the newest files and drops the oldest', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bandeja-log-'));
    const log = openAppLog(dataDir, { maxBytes: 2000, keep: 2 });
    const write = log.lines('core');
    for (let i = 0; i < 100; i++) write(`line ${String(i).padStart(3, '0')} ${'x'.repeat(60)}`);
    log.flush();
    expect(existsSync(`${log.path}.1`)).toBe(true);
    expect(existsSync(`${log.path}.2`)).toBe(true);
    expect(existsSync(`${log.path}.3`)).toBe(false);
    for (const p of [log.path, `${log.path}.1`, `${log.path}.2`]) expect(statSync(p).size).toBeLessThanOrEqual(2000);
    // Newest last, in order across the files; what is gone is only the oldest.
    const kept = [...read(`${log.path}.2`), ...read(`${log.path}.1`), ...read(log.path)].map((l) => Number(/line (\d+)/.exec(l.msg)![1]));
    expect(kept.at(-1)).toBe(99);
    expect(kept).toEqual(kept.map((_, i) => kept[0]! + i));
    expect(kept[0]).toBeGreaterThan(0);
    log.close();
  });

  it('cuts a renderer error report to a bounded line', () => {
    const line = rendererErrorLine({ message: 'Error: boom', stack: 'at x\n'.repeat(5000), where: 'index.js:1' });
    expect(line.startsWith('index.js:1: Error: boom\nat x')).toBe(true);
    expect(line.length).toBe(RENDERER_ERROR_MAX_CHARS + 1);
  });
});
