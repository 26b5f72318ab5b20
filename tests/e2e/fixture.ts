// One demo server, a headless client per agent (signed in through its IPC, the way the host restores a
// session), a browser per agent, and webchat customers from Node: the common start of the e2e tests
// that exercise one area each. Everything is torn down in reverse order.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { ConversationItem } from '../../src-shared/ipc';
import { startClientProcess, type ClientProcess } from '../support/client-process';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { WebchatCustomer } from '../support/webchat-customer';
import { WAIT_MS } from './agent-ui';
import { openBrowser, type Browser } from './chromium';

export interface Agent {
  client: ClientProcess;
  browser: Browser;
  page: Page;
}

export class Fixture {
  readonly root = mkdtempSync(join(tmpdir(), 'bandeja-e2e-'));
  server!: ServerProcess;
  private readonly cleanups: (() => Promise<unknown> | void)[] = [];

  async start(): Promise<this> {
    this.server = await startServerProcess({ demo: true, dataDir: join(this.root, 'server') });
    this.cleanups.push(() => this.server.kill());
    return this;
  }

  later(clean: () => Promise<unknown> | void): void {
    this.cleanups.push(clean);
  }

  /** A client process (against `serverUrl`, the server by default), signed in as `email`, its UI open. */
  async agent(email: string, opts: { serverUrl?: string; viewport?: { width: number; height: number } } = {}): Promise<Agent> {
    const serverUrl = opts.serverUrl ?? this.server.url;
    const client = await startClientProcess({ serverUrl, dataDir: join(this.root, email.split('@')[0]!) });
    this.cleanups.push(() => client.stop());
    await client.ipc.ok('session.login', { serverUrl, email, password: 'demo1234' });
    const browser = await openBrowser();
    this.cleanups.push(() => browser.close());
    if (opts.viewport) await browser.page.setViewportSize(opts.viewport);
    await browser.page.goto(client.url);
    await browser.page.locator('.sidebar').waitFor({ timeout: WAIT_MS });
    return { client, browser, page: browser.page };
  }

  /** A webchat customer on the demo (Soporte) inbox who has written `body`. */
  async customer(name: string, body: string, slug = 'demo'): Promise<WebchatCustomer> {
    const c = await WebchatCustomer.join(this.server.url, slug, name);
    this.cleanups.push(() => c.close());
    await c.say(body);
    return c;
  }

  async stop(): Promise<void> {
    for (const clean of this.cleanups.splice(0).reverse()) await clean();
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** The conversation of `contactName` as `client` sees it in `view`, once its mirror has it. */
export async function conversationOf(
  client: ClientProcess,
  contactName: string,
  view: 'mine' | 'unassigned' | 'all' = 'unassigned',
  status: 'open' | 'pending' | 'closed' = 'open',
): Promise<ConversationItem> {
  const list = await client.ipc.until('inbox.list', { view: { kind: view }, status }, (l) => l.some((c) => c.contactName === contactName));
  return list.find((c) => c.contactName === contactName)!;
}

/** Waits until the client's outbox is empty (every action it recorded was answered by the server). */
export async function synced(client: ClientProcess): Promise<void> {
  await client.ipc.until('sync.status', {}, (s) => s.state === 'online' && s.pending === 0);
}

/** Makes the client's settings file impossible to write (a folder stands where it goes), as on a full or
 *  read-only disk. Returns what puts the file back as it was. */
export function blockSettingsFile(client: ClientProcess): () => void {
  const file = join(client.dataDir, 'client', 'settings.json');
  const kept = readFileSync(file);
  rmSync(file);
  mkdirSync(join(file, 'in-the-way'), { recursive: true });
  return () => {
    rmSync(file, { recursive: true, force: true });
    writeFileSync(file, kept);
  };
}
