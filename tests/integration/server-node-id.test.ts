// The server node's id file (src-server/nodeId.ts) when several starts race on a fresh data folder (real
// processes): none fails, none sees a half-written file, and all take the same id, kept after a restart.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeIdFromFile } from '../../src-server/nodeId';

const MODULE = join(__dirname, '../../src-server/nodeId.ts');

function start(path: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '-e', `import(${JSON.stringify(MODULE)}).then((m) => console.log(m.nodeIdFromFile(${JSON.stringify(path)})))`],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out: out.trim(), err }));
  });
}

describe('the server node id', () => {
  it('is one id for starts racing on a fresh data folder, and the same after a restart', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'bandeja-node-id-')), 'server');
    const path = join(dir, 'node-id');
    const starts = await Promise.all(Array.from({ length: 6 }, () => start(path)));
    for (const s of starts) expect(s).toMatchObject({ code: 0, err: '' });
    const ids = new Set(starts.map((s) => s.out));
    expect(ids.size).toBe(1);
    const [id] = ids;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(nodeIdFromFile(path)).toBe(id);
    // No drafts left behind.
    expect(readdirSync(dir)).toEqual(['node-id']);
  });
});
