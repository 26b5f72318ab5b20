// Signing in and out on one device: the token of each session is kept under its own key, so a crash
// between writing the new token and the settings that name the session reopens the previous session
// with its own token (it syncs), never one person's settings with another person's token.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src-main/core';
import { tokenSecret } from '../../src-main/core/session';
import { createHeadlessHost, secretsPath } from '../../src-main/host/headless/host';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { DEMO_PASSWORD, login } from '../support/sync-peer';

let server: ServerProcess;
beforeAll(async () => {
  server = await startServerProcess({ demo: true });
});
afterAll(async () => {
  await server?.stop();
});

function openCore(dataDir: string): Core {
  return createCore({ host: createHeadlessHost(dataDir, () => {}), lang: null, defaultServerUrl: null, log: () => {} });
}

async function online(core: Core): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (core.syncStatus().state !== 'online') {
    if (Date.now() > deadline) throw new Error(`never online: ${JSON.stringify(core.syncStatus())}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const secrets = (dataDir: string) => JSON.parse(readFileSync(secretsPath(dataDir), 'utf8')) as Record<string, string>;

describe('sessions on one device', () => {
  it('switching people keeps only the current token; signing out removes it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bandeja-session-'));
    const core = openCore(dataDir);
    const ana = await core.login(server.url, 'ana@demo.test', DEMO_PASSWORD);
    const bruno = await core.login(server.url, 'bruno@demo.test', DEMO_PASSWORD);
    expect(Object.keys(secrets(dataDir))).toEqual([tokenSecret(bruno)]);
    expect(tokenSecret(ana)).not.toBe(tokenSecret(bruno));
    await online(core);
    await core.logout();
    expect(secrets(dataDir)).toEqual({});
    expect(core.session()).toBeNull();
    await core.close();
  });

  it('a crash after the new token was written but before the settings reopens the previous session, which syncs', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bandeja-session-'));
    const first = openCore(dataDir);
    const ana = await first.login(server.url, 'ana@demo.test', DEMO_PASSWORD);
    await online(first);
    await first.close();
    // The state a crash in the middle of signing in as Bruno leaves: his token stored, the settings still Ana's.
    const bruno = await login(server.url, 'bruno@demo.test');
    const brunoSession = { serverUrl: ana.serverUrl, user: bruno.user };
    writeFileSync(secretsPath(dataDir), JSON.stringify({ ...secrets(dataDir), [tokenSecret(brunoSession)]: bruno.token }));

    const again = openCore(dataDir);
    await again.ready;
    expect(again.session()?.user.id).toBe(ana.user.id);
    await online(again);
    expect(again.syncStatus().lastError).toBeNull();
    await again.close();
  });
});
