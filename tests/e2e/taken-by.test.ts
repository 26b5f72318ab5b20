// End to end, a claim race across a network cut: Bruno's client syncs through the fault proxy. While
// it refuses, Bruno claims a conversation (his screen shows it as his); Ana claims it online. When the
// proxy passes again the server refuses Bruno's claim: he sees "Taken by Ana" and the conversation
// leaves his Mine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { openView, pane, row, until, WAIT_MS } from './agent-ui';
import { screenshot } from './chromium';
import { conversationOf, Fixture, synced, type Agent } from './fixture';

describe('taken by another agent', () => {
  const f = new Fixture();
  let proxy: FaultProxy;
  let ana: Agent;
  let bruno: Agent;

  beforeAll(async () => {
    await f.start();
    proxy = await startFaultProxy(f.server.url);
    f.later(() => proxy.close());
    ana = await f.agent('ana@demo.test');
    bruno = await f.agent('bruno@demo.test', { serverUrl: proxy.url });
    await f.customer('Rocío Vega', 'Mi pedido no llegó');
    await conversationOf(ana.client, 'Rocío Vega');
    await conversationOf(bruno.client, 'Rocío Vega');
  }, 180_000);

  afterAll(() => f.stop());

  it('shows "Taken by Ana" and drops the conversation from his Mine', async () => {
    const page = bruno.page;
    await openView(page, 'unassigned');
    await row(page, 'Rocío Vega').click();
    await pane(page).locator('.message-in', { hasText: 'Mi pedido no llegó' }).waitFor({ timeout: WAIT_MS });

    proxy.refuse();
    await page.getByTestId('offline-banner').waitFor({ timeout: WAIT_MS });
    await pane(page).getByRole('button', { name: 'Assign to me' }).click();
    await until(
      () => pane(page).getByTestId('assignee').textContent(),
      (t) => t === 'Bruno',
      'Bruno shown as the assignee while offline',
    );
    await openView(page, 'mine');
    await row(page, 'Rocío Vega').waitFor({ timeout: WAIT_MS });
    await screenshot(page, 'taken-1-bruno-claimed-offline');

    await openView(ana.page, 'unassigned');
    await row(ana.page, 'Rocío Vega').click();
    await pane(ana.page).getByRole('button', { name: 'Assign to me' }).click();
    await until(
      () => pane(ana.page).getByTestId('assignee').textContent(),
      (t) => t === 'Ana',
      'Ana to be the assignee',
    );
    await synced(ana.client);

    proxy.pass();
    const toast = page.locator('.toast', { hasText: 'Taken by Ana' });
    await toast.waitFor({ timeout: 30_000 });
    expect(await toast.textContent()).toContain('Taken by Ana: they already took this conversation.');
    await row(page, 'Rocío Vega').waitFor({ state: 'detached', timeout: WAIT_MS });
    await screenshot(page, 'taken-2-bruno-told');
    const mine = await bruno.client.ipc.ok('inbox.list', { view: { kind: 'mine' }, status: 'open' });
    expect(mine.map((c) => c.contactName)).toEqual([]);
    const status = await bruno.client.ipc.ok('sync.status', {});
    expect(status.pending).toBe(0);
  });
});
