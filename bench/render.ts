// `npm run bench:render`: rendering at call-center scale (issue 6). Two mirrors are built with the real
// mirror functions (openMirror, migrations, the snapshot apply path): 500 and 50,000 open conversations
// seen by a supervisor, each with "Larga" (5,000 messages) and "Corta" (50 messages) at the top of the
// list. For each, the headless host (the app's own process, offline: its server is unreachable, the
// inbox opens from the mirror) serves the UI to Debian's Chromium, driven by playwright-core, which
//   - counts the DOM nodes of the page and of the conversation list, at the top and after a scripted
//     scroll (the same distance on both lists; on the big one also after reading 5,000 rows down);
//   - records requestAnimationFrame deltas during that scroll (p50/p95/max frame time);
//   - times opening Larga and Corta from a fresh page (the click until the last message is painted).
// Figures and their ratios (50,000 / 500 rows, 5,000 / 50 messages) are measured in the same run and
// written to bench/.results/render-<date>.json. Nothing here asserts: these machines are noisy.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { applySnapshotBegin, applySnapshotEnd, applySnapshotPage } from '../src-main/core/mirror/apply';
import { openMirror } from '../src-main/core/mirror/db';
import { clientId, writeSessionUser } from '../src-main/core/mirror/meta';
import { writePrivateFile } from '../src-main/core/privateFile';
import { mirrorPath, normalizeServerUrl, tokenSecret } from '../src-main/core/session';
import { writeSettings } from '../src-main/core/settings';
import { secretsPath } from '../src-main/host/headless/host';
import { DEFAULT_INBOX_SETTINGS, type Conversation, type Message, type User } from '../src-shared/domain';
import { DEFAULT_NOTIFICATION_SETTINGS } from '../src-shared/ipc';
import type { Op } from '../src-shared/protocol';

const ROOT = resolve(import.meta.dirname, '..');
const DATA = join(ROOT, 'bench', '.data', 'render');
const RESULTS = join(ROOT, 'bench', '.results');
/** Bump when the mirrors' content changes, so a stale cached one is rebuilt. */
const DATA_VERSION = 1;
const SMALL = 500;
const BIG = 50_000;
const LONG = 5_000;
const SHORT = 50;
const T0 = Date.UTC(2026, 0, 1);
const OPEN_RUNS = 5;
const SCROLL_FRAMES = 300;
const SCROLL_PX_PER_FRAME = 100;

const log = (line: string) => process.stdout.write(`${line}\n`);

const supervisor: User = {
  id: 'u-sup',
  name: 'Supervisora',
  email: 'sup@bench.test',
  role: 'supervisor',
  active: true,
  teamIds: ['t-1'],
  presence: 'offline',
  invited: false,
  version: 1,
};
const agent: User = { ...supervisor, id: 'u-agent', name: 'Agente Uno', email: 'agente@bench.test', role: 'agent' };
const NAMES = ['María', 'João', 'Lucía', 'Pedro', 'Ana', 'Tiago', 'Carmen', 'Rafael', 'Sofía', 'Bruno', 'Inês', 'Diego'];
const WORDS =
  'hola pedido factura envío entrega pago cuenta tarjeta devolución garantía cambio dirección obrigado pedido atraso boleto'.split(' ');

function text(i: number, words: number): string {
  let out = '';
  for (let w = 0; w < words; w++) out += `${w ? ' ' : ''}${WORDS[(i * 7 + w * 13) % WORDS.length]}`;
  return out.charAt(0).toUpperCase() + out.slice(1) + '.';
}

function conversation(id: string, contactId: string, at: number, over: Partial<Conversation> = {}): Conversation {
  return {
    id,
    inboxId: 'ib-1',
    contactId,
    teamId: 't-1',
    assigneeId: null,
    status: 'open',
    unreadCount: 0,
    lastMessageAt: at,
    lastMessagePreview: text(at, 8),
    lastCustomerMessageAt: at,
    waitingSince: null,
    tags: [],
    botActive: false,
    closingCategoryId: null,
    previousConversationId: null,
    snoozedUntil: null,
    createdAt: at,
    version: 1,
    ...over,
  };
}

function message(conversationId: string, k: number, seq: number, at: number, body: string): Message {
  const out = k % 3 === 2;
  return {
    id: `${conversationId}-m${k}`,
    conversationId,
    direction: out ? 'out' : 'in',
    kind: 'text',
    authorId: out ? agent.id : null,
    body,
    event: null,
    mentions: [],
    attachments: [],
    template: null,
    forwarded: false,
    state: out ? 'read' : 'delivered',
    error: null,
    createdAt: at,
    seq,
    version: 1,
  };
}

/** A supervisor's mirror with `rows` open conversations (plus Larga and Corta, the newest two). */
function buildMirror(path: string, rows: number): void {
  rmSync(dirname(path), { recursive: true, force: true });
  mkdirSync(dirname(path), { recursive: true });
  const mirror = openMirror(path);
  try {
    writeSessionUser(mirror.db, supervisor);
    clientId(mirror.db);
    applySnapshotBegin(mirror.db, 'bench-render');
    let page: Op[] = [];
    const add = (op: Op) => {
      page.push(op);
      if (page.length >= 500) {
        applySnapshotPage(mirror.db, page);
        page = [];
      }
    };
    add({ kind: 'user', row: supervisor });
    add({ kind: 'user', row: agent });
    add({ kind: 'team', row: { id: 't-1', name: 'Soporte', version: 1 } });
    add({
      kind: 'inbox',
      row: { id: 'ib-1', name: 'Web', channel: 'webchat', teamId: 't-1', settings: DEFAULT_INBOX_SETTINGS, version: 1 },
    });
    const contact = (id: string, name: string) =>
      add({
        kind: 'contact',
        row: {
          id,
          name,
          phones: [],
          emails: [],
          ownerId: null,
          custom: {},
          identities: [],
          fieldVersions: {},
          mergedIntoId: null,
          createdAt: T0,
          version: 1,
        },
      });
    for (let i = 0; i < rows; i++) {
      contact(`ct-${i}`, `${NAMES[i % NAMES.length]} ${String(i).padStart(5, '0')}`);
      add({
        kind: 'conversation',
        row: conversation(`cv-${i}`, `ct-${i}`, T0 - i * 60_000, { unreadCount: i % 4 === 0 ? 2 : 0, tags: i % 5 === 0 ? ['vip'] : [] }),
      });
    }
    let seq = 1;
    for (const [id, name, count] of [
      ['larga', 'Larga', LONG],
      ['corta', 'Corta', SHORT],
    ] as const) {
      const last = T0 + (id === 'larga' ? 2 : 1) * 3_600_000;
      contact(`ct-${id}`, name);
      add({ kind: 'conversation', row: conversation(`cv-${id}`, `ct-${id}`, last, { lastMessagePreview: `${name} ${count}` }) });
      for (let k = 1; k <= count; k++) {
        const body = k === count ? `${name} ${count}` : `${name} ${k}: ${text(k, 4 + (k % 23))}`;
        add({ kind: 'message', row: message(`cv-${id}`, k, seq++, last - (count - k) * 90_000, body) });
      }
    }
    if (page.length) applySnapshotPage(mirror.db, page);
    applySnapshotEnd(mirror.db, 2);
    mirror.db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    mirror.close();
  }
}

function cachedMirror(rows: number): string {
  const path = join(DATA, `v${DATA_VERSION}-${rows}`, 'mirror.sqlite');
  if (!existsSync(path)) {
    const t = Date.now();
    buildMirror(path, rows);
    log(`built the ${rows}-conversation mirror in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
  return path;
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => done(port));
    });
  });
}

/** A data folder signed in as the supervisor (settings, token, a copy of the mirror), as after a sync. */
function clientData(dir: string, serverUrl: string, mirrorFile: string): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const url = normalizeServerUrl(serverUrl);
  const session = { serverUrl: url, user: supervisor, tenant: { id: 'bench', name: 'Bench' } };
  writePrivateFile(secretsPath(dir), JSON.stringify({ [tokenSecret(session)]: 'bench-token' }));
  writeSettings(dir, { session, server: { url, demo: false }, notifications: DEFAULT_NOTIFICATION_SETTINGS });
  const target = mirrorPath(dir, url, supervisor.id);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(mirrorFile, target);
}

async function startHost(dataDir: string, serverUrl: string): Promise<{ url: string; proc: ChildProcess }> {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', 'src-main/host/headless/cli.ts', '--server', serverUrl, '--port', '0', '--data-dir', dataDir],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const url = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`The headless host did not start.\n${err}`)), 120_000);
    proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /Bandeja headless UI on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        done(m[1]!);
      }
    });
    proc.once('exit', (code) => fail(new Error(`The headless host exited (${code}).\n${err}`)));
  });
  return { url, proc };
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}
const round = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;
const median = (xs: number[]) => percentile(xs, 50);

/** Runs in the page (a string, so this file needs no DOM types): counts, scrolls, times. */
const IN_PAGE = String.raw`
window.__bench = {
  nodes() {
    const list = document.querySelector('[data-testid="conversation-list"]');
    return { page: document.getElementsByTagName('*').length, list: list ? list.getElementsByTagName('*').length : 0, rows: list ? list.querySelectorAll('.row').length : 0 };
  },
  frame() { return new Promise((r) => requestAnimationFrame(() => r(performance.now()))); },
  async scroll(frames, px) {
    const el = document.querySelector('[data-testid="conversation-list"]');
    const deltas = [];
    let last = await this.frame();
    for (let i = 0; i < frames; i++) {
      el.scrollTop += px;
      const now = await this.frame();
      deltas.push(now - last);
      last = now;
    }
    return { deltas, scrollTop: el.scrollTop, rowsRead: el.querySelector('.list-inner').offsetHeight / 78 };
  },
  async readDown(rows) {
    const el = document.querySelector('[data-testid="conversation-list"]');
    while (el.querySelector('.list-inner').offsetHeight / 78 < rows) {
      el.scrollTop = el.scrollHeight;
      await this.frame();
      await new Promise((r) => setTimeout(r, 30));
    }
    el.scrollTop = (rows - 20) * 78;
    await this.frame();
    await this.frame();
  },
  async open(name, lastBody) {
    const row = [...document.querySelectorAll('.row')].find((r) => r.querySelector('.row-name')?.textContent === name);
    if (!row) throw new Error('No row ' + name);
    const t0 = performance.now();
    row.click();
    for (;;) {
      await this.frame();
      const box = document.querySelector('.messages');
      const last = box && [...box.querySelectorAll('.message .bubble-body')].find((b) => b.textContent === lastBody);
      if (last) {
        const r = last.getBoundingClientRect(), v = box.getBoundingClientRect();
        if (r.bottom <= v.bottom + 1 && r.top >= v.top - 1) {
          const painted = await this.frame();
          return { ms: painted - t0, messageNodes: box.getElementsByTagName('*').length };
        }
      }
      if (performance.now() - t0 > 60000) throw new Error('Timed out opening ' + name);
    }
  },
};`;

async function readyPage(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.locator('.view-item[data-view="all"]').click({ timeout: 120_000 });
  await page.locator('.row', { hasText: 'Corta' }).waitFor({ timeout: 120_000 });
  await page.evaluate(IN_PAGE);
}

interface ListFigures {
  nodesAtTop: { page: number; list: number; rows: number };
  nodesAfterScroll: { page: number; list: number; rows: number };
  frameP50: number;
  frameP95: number;
  frameMax: number;
  rowsReadAfterScroll: number;
  deep?: { rowsRead: number; nodes: { page: number; list: number; rows: number }; frameP95: number };
}

async function measureList(page: Page, deep: boolean): Promise<ListFigures> {
  type Nodes = ListFigures['nodesAtTop'];
  const nodesAtTop = (await page.evaluate('window.__bench.nodes()')) as Nodes;
  // A short warm-up scroll and back, so both lists are measured with the code paths already compiled.
  await page.evaluate('window.__bench.scroll(30, 50)');
  await page.evaluate(`document.querySelector('[data-testid="conversation-list"]').scrollTop = 0`);
  const run = (await page.evaluate(`window.__bench.scroll(${SCROLL_FRAMES}, ${SCROLL_PX_PER_FRAME})`)) as {
    deltas: number[];
    rowsRead: number;
  };
  const nodesAfterScroll = (await page.evaluate('window.__bench.nodes()')) as Nodes;
  const figures: ListFigures = {
    nodesAtTop,
    nodesAfterScroll,
    frameP50: round(percentile(run.deltas, 50)),
    frameP95: round(percentile(run.deltas, 95)),
    frameMax: round(Math.max(...run.deltas)),
    rowsReadAfterScroll: Math.round(run.rowsRead),
  };
  if (deep) {
    await page.evaluate('window.__bench.readDown(5000)');
    const again = (await page.evaluate(`window.__bench.scroll(${SCROLL_FRAMES}, ${SCROLL_PX_PER_FRAME})`)) as {
      deltas: number[];
      rowsRead: number;
    };
    figures.deep = {
      rowsRead: Math.round(again.rowsRead),
      nodes: (await page.evaluate('window.__bench.nodes()')) as Nodes,
      frameP95: round(percentile(again.deltas, 95)),
    };
  }
  return figures;
}

async function measureOpen(
  page: Page,
  url: string,
  name: string,
  lastBody: string,
  shot: string,
): Promise<{ ms: number[]; messageNodes: number }> {
  const ms: number[] = [];
  let messageNodes = 0;
  for (let i = 0; i < OPEN_RUNS; i++) {
    // A fresh page each time: nothing of the conversation is cached in the renderer.
    await readyPage(page, url);
    const r = (await page.evaluate(`window.__bench.open(${JSON.stringify(name)}, ${JSON.stringify(lastBody)})`)) as {
      ms: number;
      messageNodes: number;
    };
    ms.push(round(r.ms));
    messageNodes = r.messageNodes;
  }
  await page.screenshot({ path: join(RESULTS, shot) });
  return { ms, messageNodes };
}

async function main(): Promise<void> {
  const work = join(DATA, 'work');
  mkdirSync(RESULTS, { recursive: true });
  const small = cachedMirror(SMALL);
  const big = cachedMirror(BIG);
  const serverUrl = `http://127.0.0.1:${await freePort()}`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  const results: Record<string, unknown> = {};
  try {
    for (const [label, file, rows] of [
      ['small', small, SMALL],
      ['big', big, BIG],
    ] as const) {
      const dir = join(work, label);
      clientData(dir, serverUrl, file);
      const host = await startHost(dir, serverUrl);
      try {
        const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'es-ES' });
        const page = await context.newPage();
        page.on('pageerror', (e) => log(`[page error] ${e.message}`));
        await readyPage(page, host.url);
        const list = await measureList(page, rows === BIG);
        await page.screenshot({ path: join(RESULTS, `render-list-${rows}.png`) });
        log(`${rows} rows: ${JSON.stringify(list)}`);
        const open =
          rows === BIG
            ? {
                long: await measureOpen(page, host.url, 'Larga', `Larga ${LONG}`, 'render-long-conversation.png'),
                short: await measureOpen(page, host.url, 'Corta', `Corta ${SHORT}`, 'render-short-conversation.png'),
              }
            : null;
        if (open) log(`open (median of ${OPEN_RUNS}): Larga ${median(open.long.ms)} ms, Corta ${median(open.short.ms)} ms`);
        results[label] = { rows, list, open };
        await context.close();
      } finally {
        host.proc.kill('SIGTERM');
      }
    }
  } finally {
    await browser.close();
    rmSync(work, { recursive: true, force: true });
  }

  const s = results.small as { list: ListFigures };
  const b = results.big as {
    list: ListFigures;
    open: { long: { ms: number[]; messageNodes: number }; short: { ms: number[]; messageNodes: number } };
  };
  const ratios = {
    listNodesAfterScroll: round(b.list.nodesAfterScroll.list / s.list.nodesAfterScroll.list),
    pageNodesAfterScroll: round(b.list.nodesAfterScroll.page / s.list.nodesAfterScroll.page),
    pageNodesDeep: b.list.deep ? round(b.list.deep.nodes.page / s.list.nodesAfterScroll.page) : null,
    frameP95: round(b.list.frameP95 / s.list.frameP95),
    frameP95Deep: b.list.deep ? round(b.list.deep.frameP95 / s.list.frameP95) : null,
    openLongOverShort: round(median(b.open.long.ms) / median(b.open.short.ms)),
    timelineNodesLongOverShort: round(b.open.long.messageNodes / b.open.short.messageNodes),
  };
  log('\n== rendering (targets: each ratio <= 1.5)');
  log(
    `   DOM nodes in the list after the same scroll: ${s.list.nodesAfterScroll.list} (500 rows) vs ${b.list.nodesAfterScroll.list} (50,000 rows): x${ratios.listNodesAfterScroll}`,
  );
  log(
    `   DOM nodes in the page: ${s.list.nodesAfterScroll.page} vs ${b.list.nodesAfterScroll.page}: x${ratios.pageNodesAfterScroll}; 5,000 rows down: ${b.list.deep?.nodes.page} (x${ratios.pageNodesDeep})`,
  );
  log(
    `   frame p95 while scrolling: ${s.list.frameP95} ms vs ${b.list.frameP95} ms: x${ratios.frameP95}; 5,000 rows down: ${b.list.deep?.frameP95} ms (x${ratios.frameP95Deep})`,
  );
  log(
    `   open (click to last message painted, median): 5,000 messages ${median(b.open.long.ms)} ms vs 50 messages ${median(b.open.short.ms)} ms: x${ratios.openLongOverShort}`,
  );
  log(`   timeline DOM nodes: ${b.open.long.messageNodes} vs ${b.open.short.messageNodes}: x${ratios.timelineNodesLongOverShort}`);
  mkdirSync(RESULTS, { recursive: true });
  const file = join(RESULTS, `render-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), node: process.version, results, ratios }, null, 2));
  log(`Report: ${file}`);
}

await main();
process.exit(0);
