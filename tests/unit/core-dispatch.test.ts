import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src-main/core';
import { backoffDelay, BACKOFF_CAP_MS } from '../../src-main/core/sync/backoff';
import { createHeadlessHost } from '../../src-main/host/headless/host';
import { createDispatch, createHandlers } from '../../src-main/ipc/dispatch';

let core: Core | undefined;
afterEach(async () => {
  await core?.close();
  core = undefined;
});

function newCore() {
  const dataDir = mkdtempSync(join(tmpdir(), 'bandeja-core-'));
  core = createCore({ host: createHeadlessHost(dataDir, () => {}), lang: 'es', defaultServerUrl: null, log: () => {} });
  return core;
}

/** A port nothing listens on (bound, then released). */
async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('dispatch', () => {
  it('validates arguments with the contract and keeps error codes', async () => {
    const c = newCore();
    const dispatch = createDispatch(createHandlers(c), () => {});
    expect(await dispatch('app.info', {})).toMatchObject({ ok: true, result: { host: 'headless', lang: 'es' } });
    expect(await dispatch('session.get', {})).toEqual({ ok: true, result: null });
    expect(await dispatch('inbox.list', { view: { kind: 'mine' }, status: 'open' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_SIGNED_IN' },
    });
    expect(await dispatch('inbox.list', { view: { kind: 'everything' }, status: 'open' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ARGS', message: expect.stringContaining('(view.kind)') },
    });
    expect(await dispatch('app.info', { extra: 1 })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGS' } });
    expect(await dispatch('app.quit', {})).toEqual({ ok: false, error: { code: 'INVALID_ARGS', message: 'Unknown operation: app.quit.' } });
    expect(await dispatch('sync.status', {})).toEqual({
      ok: true,
      result: { state: 'signedOut', pending: 0, retryAt: null, lastError: null },
    });
  });

  it('turns an unexpected failure into INTERNAL and logs it', async () => {
    const c = newCore();
    const logged: string[] = [];
    const handlers = createHandlers(c);
    handlers['sync.status'] = () => {
      throw new TypeError('boom');
    };
    const reply = await createDispatch(handlers, (m) => logged.push(m))('sync.status', {});
    expect(reply).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(logged.join('\n')).toContain('boom');
  });

  it('says the server is unreachable when nothing answers the sign-in, and stores no session', async () => {
    const c = newCore();
    const dispatch = createDispatch(createHandlers(c), () => {});
    const port = await deadPort();
    const reply = await dispatch('session.login', { serverUrl: `http://127.0.0.1:${port}`, email: 'ana@demo.test', password: 'x' });
    expect(reply).toMatchObject({ ok: false, error: { code: 'SERVER_UNREACHABLE' } });
    expect(await dispatch('session.get', {})).toEqual({ ok: true, result: null });
  });
});

describe('reconnect backoff', () => {
  it('is full jitter, doubling from 500 ms and capped at 15 s', () => {
    expect(backoffDelay(0, () => 0.999)).toBe(499);
    expect(backoffDelay(3, () => 0.5)).toBe(2000);
    expect(backoffDelay(20, () => 0.999)).toBe(BACKOFF_CAP_MS - 15);
    expect(backoffDelay(5, () => 0)).toBe(0);
  });
});
