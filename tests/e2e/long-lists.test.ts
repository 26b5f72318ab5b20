// End to end in Chromium through the headless host, on a server store seeded with more conversations
// than one inbox page (620) and a conversation of 400 messages with an earlier one of 130 before it: the list
// shows the right rows, in order, while it is scrolled to its end (only the rows near the viewport are
// in the page); j/k move across pages; scrolling up in the long conversation reads older messages and
// keeps what was on screen in place, down to the first message and the earlier conversation above it
// (its newest 100 messages, and a way to open it for the rest); search opens a message far older than
// the first page (and a late answer for a message the agent has left changes nothing); new messages
// arrive at the bottom and are followed while the agent is at the bottom, but do not pull an agent who
// scrolled up nor push out what they read.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src-server/app';
import { secretHash } from '../../src-server/channels/webchat/store';
import { seedDemo } from '../../src-server/demo';
import { ChangeBatch } from '../../src-server/store/changeLog';
import { insertContact, insertIdentity, logContact } from '../../src-server/store/contacts';
import { insertConversation, insertMessage } from '../../src-server/store/conversations';
import { migrate } from '../../src-server/store/migrate';
import { nextVersion } from '../../src-server/store/tenants';
import type { Conversation } from '../../src-shared/domain';
import { startServerProcess } from '../support/server-process';
import { WebchatCustomer } from '../support/webchat-customer';
import { openView, pane, reply, row, until, WAIT_MS } from './agent-ui';
import { openBrowser, screenshot } from './chromium';
import { Fixture, type Agent } from './fixture';

const ROWS = 620;
const LONG = 400;
const BASE = Date.now() - 2 * 24 * 3600_000;
const rank = (r: number) => `Fila ${String(r).padStart(3, '0')}`;
const longBody = (k: number) => (k === 5 ? 'Larga 005: la zanahoria llegó rota' : `Larga ${String(k).padStart(3, '0')}`);
/** Messages of Larga's earlier conversation: more than the timeline shows of one above itself (100). */
const EARLIER = 130;
const earlierBody = (k: number) => `Antes ${String(k).padStart(3, '0')}`;
const LARGA = { visitorId: '0190a7a0-0000-7000-8000-000000000a1a', secret: 'secreto-de-larga-para-las-pruebas-0001' };

/** The demo tenant plus 620 one-message conversations ("Fila 001" newest) and Larga: 400 messages, with
 *  an earlier closed conversation of 130. Written with the server's own store functions before it starts. */
async function seed(dataDir: string): Promise<void> {
  const db = await openStore({ dataDir });
  try {
    await migrate(db);
    await seedDemo(db);
    await db.tx(async (tx) => {
      const batch = new ChangeBatch('demo', await nextVersion(tx, 'demo'));
      const base = {
        inboxId: 'inbox-web',
        teamId: 'team-soporte',
        assigneeId: null,
        tags: [],
        botActive: false,
        closingCategoryId: null,
        snoozedUntil: null,
      };
      const contact = async (id: string, name: string, at: number) => {
        await insertContact(tx, batch, { id, name, phones: [], emails: [], ownerId: null, custom: {}, fieldVersions: {}, createdAt: at });
      };
      const message = async (c: Conversation, id: string, body: string, at: number, out = false) =>
        insertMessage(
          tx,
          batch,
          {
            id,
            conversationId: c.id,
            direction: out ? 'out' : 'in',
            kind: 'text',
            authorId: out ? 'user-bruno' : null,
            body,
            event: null,
            mentions: [],
            attachments: [],
            template: null,
            forwarded: false,
            state: 'delivered',
            error: null,
            createdAt: at,
          },
          c,
        );
      for (let r = 1; r <= ROWS; r++) {
        const at = BASE - r * 60_000;
        const id = `fila-${r}`;
        await contact(`contact-${id}`, rank(r), at);
        await logContact(tx, batch, `contact-${id}`);
        const c = await insertConversation(
          tx,
          batch,
          {
            ...base,
            id: `conv-${id}`,
            contactId: `contact-${id}`,
            status: 'open',
            unreadCount: 1,
            lastMessageAt: at,
            lastMessagePreview: `Consulta de ${rank(r)}`,
            lastCustomerMessageAt: at,
            waitingSince: at,
            previousConversationId: null,
            createdAt: at,
          },
          null,
        );
        await message(c, `msg-${id}`, `Consulta de ${rank(r)}`, at);
      }
      const start = BASE - (LONG + 100) * 60_000;
      await contact('contact-larga', 'Larga', start);
      await insertIdentity(tx, 'inbox-web', LARGA.visitorId, 'contact-larga', secretHash(LARGA.secret));
      await logContact(tx, batch, 'contact-larga');
      const before = await insertConversation(
        tx,
        batch,
        {
          ...base,
          id: 'conv-larga-antes',
          contactId: 'contact-larga',
          status: 'closed',
          unreadCount: 0,
          lastMessageAt: start + EARLIER * 1000,
          lastMessagePreview: earlierBody(EARLIER),
          lastCustomerMessageAt: start,
          waitingSince: null,
          previousConversationId: null,
          createdAt: start,
        },
        LARGA.visitorId,
      );
      await message(before, 'msg-larga-antes', 'Primera consulta de Larga', start);
      for (let k = 2; k <= EARLIER; k++) await message(before, `msg-larga-antes-${k}`, earlierBody(k), start + k * 1000);
      const last = BASE + 60_000;
      const larga = await insertConversation(
        tx,
        batch,
        {
          ...base,
          id: 'conv-larga',
          contactId: 'contact-larga',
          status: 'open',
          unreadCount: 0,
          lastMessageAt: last,
          lastMessagePreview: longBody(LONG),
          lastCustomerMessageAt: last,
          waitingSince: last,
          previousConversationId: before.id,
          createdAt: start + 60_000,
        },
        LARGA.visitorId,
      );
      for (let k = 1; k <= LONG; k++)
        await message(larga, `msg-larga-${k}`, longBody(k), last - (LONG - k) * 60_000, k % 5 === 0 && k !== 5);
      await batch.write(tx);
    });
  } finally {
    await db.close();
  }
}

const list = (page: Page) => page.getByTestId('conversation-list');
const timeline = (page: Page) => pane(page).locator('.messages');

/** The conversations on screen in the list, top to bottom, and how many rows the page holds. */
async function shownRows(page: Page): Promise<{ names: string[]; inPage: number }> {
  return list(page).evaluate((el) => {
    const box = el.getBoundingClientRect();
    const rows = [...el.querySelectorAll('.row')];
    const names = rows
      .map((r) => ({ r, rect: r.getBoundingClientRect() }))
      .filter(({ rect }) => rect.bottom > box.top && rect.top < box.bottom)
      .sort((a, b) => a.rect.top - b.rect.top)
      .map(({ r }) => r.querySelector('.row-name')?.textContent ?? '');
    return { names, inPage: rows.length };
  });
}

/** The message bubbles whose text is on screen in the timeline, top to bottom. */
async function shownMessages(page: Page): Promise<{ bodies: string[]; inPage: number }> {
  return timeline(page).evaluate((el) => {
    const box = el.getBoundingClientRect();
    const items = [...el.querySelectorAll('.message-list > li')];
    const bodies = items
      .filter((li) => li.classList.contains('message'))
      .map((li) => ({ li, rect: li.getBoundingClientRect() }))
      .filter(({ rect }) => rect.bottom > box.top + 1 && rect.top < box.bottom - 1)
      .sort((a, b) => a.rect.top - b.rect.top)
      .map(({ li }) => li.querySelector('.bubble-body')?.textContent ?? '');
    return { bodies, inPage: items.length };
  });
}

async function topOf(page: Page, body: string): Promise<number> {
  return pane(page)
    .locator('.message', { has: page.locator('.bubble-body', { hasText: body }) })
    .evaluate((el) => el.getBoundingClientRect().top);
}

/** Two animation frames: what the last change made is laid out and painted. */
const frames = (page: Page) => page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');

const filaNumber = (name: string) => (/^Fila (\d+)$/.exec(name) ? Number(name.slice(5)) : null);

describe('long lists', () => {
  const fx = new Fixture();
  let ana: Agent;
  let larga: WebchatCustomer;

  beforeAll(async () => {
    const dataDir = join(fx.root, 'server');
    await seed(dataDir);
    fx.server = await startServerProcess({ demo: true, dataDir });
    fx.later(() => fx.server.kill());
    ana = await fx.agent('ana@demo.test', { viewport: { width: 1280, height: 800 } });
    await openView(ana.page, 'unassigned');
    await row(ana.page, rank(1)).waitFor({ timeout: 60_000 });
  }, 240_000);
  afterAll(() => fx.stop());

  it(
    'scrolls through more than 500 conversations with the right rows in order, only those near the viewport in the page',
    { timeout: 180_000 },
    async () => {
      const page = ana.page;
      const seen = new Set<number>();
      let lastTop = -1;
      for (let step = 0; step < 400 && !seen.has(ROWS); step++) {
        const { names, inPage } = await shownRows(page);
        expect(inPage).toBeLessThan(40);
        const ranks = names.map(filaNumber).filter((n): n is number => n !== null);
        // On screen: consecutive conversations, newest first, continuing where the last screen ended.
        ranks.forEach((n, i) => i > 0 && expect(n).toBe(ranks[i - 1]! + 1));
        if (ranks.length && lastTop !== -1) expect(ranks[0]).toBeGreaterThanOrEqual(lastTop);
        if (ranks.length) lastTop = ranks[0]!;
        for (const n of ranks) seen.add(n);
        await list(page).evaluate((el) => el.scrollBy(0, el.clientHeight * 0.8));
        // The rows for the new position are painted (or the next page is still being read).
        await frames(page);
        await until(
          () => shownRows(page),
          (s) => s.names.some((n) => filaNumber(n) !== null),
          'rows after scrolling',
        );
      }
      expect(seen.size).toBe(ROWS);
      expect(await list(page).locator('.row-loading').count()).toBe(0);
      await screenshot(page, 'long-list-end');
    },
  );

  it('moves with j and k across the page boundary, keeping the selected row in view', { timeout: 120_000 }, async () => {
    const page = ana.page;
    await list(page).evaluate((el) => (el.scrollTop = 0));
    await row(page, rank(1)).waitFor({ timeout: WAIT_MS });
    // Row 196 of the list, a few before the end of the first page (200 rows).
    await list(page).evaluate((el) => (el.scrollTop = 190 * 78));
    await row(page, rank(196)).click();
    await pane(page)
      .locator('.bubble-body', { hasText: `Consulta de ${rank(196)}` })
      .waitFor({ timeout: WAIT_MS });
    const selected = () => page.locator('.row[aria-current="true"] .row-name').textContent();
    for (let i = 0; i < 10; i++) await page.keyboard.press('j');
    await until(selected, (n) => n === rank(206), 'Fila 206 selected');
    await pane(page)
      .locator('.bubble-body', { hasText: `Consulta de ${rank(206)}` })
      .waitFor({ timeout: WAIT_MS });
    expect((await shownRows(page)).names).toContain(rank(206));
    for (let i = 0; i < 7; i++) await page.keyboard.press('k');
    await until(selected, (n) => n === rank(199), 'Fila 199 selected');
    expect((await shownRows(page)).names).toContain(rank(199));
  });

  it(
    'opens the long conversation at its end; scrolling up reads older messages and keeps the view in place, down to the earlier conversation',
    { timeout: 180_000 },
    async () => {
      const page = ana.page;
      await list(page).evaluate((el) => (el.scrollTop = 0));
      await row(page, 'Larga').click();
      await until(
        () => shownMessages(page),
        (s) => s.bodies.at(-1) === longBody(LONG),
        'the last message at the bottom',
      );
      expect((await shownMessages(page)).inPage).toBeLessThan(60);
      await screenshot(page, 'long-conversation-end');

      // At the top of the first page (the newest 100), the page before it comes in above.
      // Near the top of the newest page (not yet close enough to read the older one), then a little
      // further: where Larga 301 is then is read in the same task as that scroll, before any page comes in.
      const heightAtEnd = await timeline(page).evaluate((el) => el.scrollHeight);
      await timeline(page).evaluate((el) => (el.scrollTop = 900));
      await frames(page);
      const anchor = (await shownMessages(page)).bodies[1]!;
      expect(anchor).toMatch(/^Larga 3\d\d$/);
      const before = await timeline(page).evaluate((el, body) => {
        el.scrollTop = 600;
        const shown = [...el.querySelectorAll('.message-list > li.message')].find(
          (li) => li.querySelector('.bubble-body')?.textContent === body,
        );
        return shown ? shown.getBoundingClientRect().top : null;
      }, anchor);
      expect(before).not.toBeNull();
      // The older page came in above (the timeline grew) and what was on screen stayed in place.
      await until(
        () => timeline(page).evaluate((el) => el.scrollHeight),
        (h) => h > heightAtEnd + 3000,
        'the older page',
      );
      await frames(page);
      expect(Math.abs((await topOf(page, anchor)) - before!)).toBeLessThan(40);
      expect((await shownMessages(page)).bodies).toContain(anchor);

      // On up to the first message; the earlier conversation sits above it, between its dividers.
      const order = () =>
        pane(page)
          .locator('.message-list > li.message, .message-list > li.history-divider, .message-list > li.history-more')
          .evaluateAll((els) =>
            els.map((el) =>
              el.classList.contains('history-divider')
                ? '---'
                : el.classList.contains('history-more')
                  ? '…'
                  : (el.querySelector('.bubble-body')?.textContent ?? ''),
            ),
          );
      for (let i = 0; i < 40; i++) {
        const shown = await shownMessages(page);
        if ((await order()).includes('---')) break;
        expect(shown.inPage).toBeLessThan(60);
        const nums = shown.bodies.filter((b) => b.startsWith('Larga')).map((b) => Number(b.slice(6, 9)));
        nums.forEach((n, j) => j > 0 && expect(n).toBe(nums[j - 1]! + 1));
        await timeline(page).evaluate((el) => (el.scrollTop = Math.max(0, el.scrollTop - el.clientHeight * 3)));
        await frames(page);
      }
      const boundary = await until(order, (o) => o.includes(earlierBody(EARLIER)) && o.includes(longBody(1)), 'the earlier conversation');
      const end = boundary.indexOf(earlierBody(EARLIER));
      expect(boundary.slice(end, end + 3)).toEqual([earlierBody(EARLIER), '---', longBody(1)]);

      // Of the earlier conversation, its newest 100 messages, below a line saying the older ones are not here.
      await timeline(page).evaluate((el) => (el.scrollTop = 0));
      const more = pane(page).locator('.history-more');
      await more.waitFor({ timeout: WAIT_MS });
      const top = await order();
      expect(top.slice(0, 4)).toEqual(['---', '…', earlierBody(EARLIER - 99), earlierBody(EARLIER - 98)]);
      expect(top).not.toContain('Primera consulta de Larga');
      await screenshot(page, 'long-conversation-start');

      // "Open it" shows the earlier conversation itself, down to its first message.
      await more.getByRole('button', { name: 'Open it to read them' }).click();
      await until(
        () => shownMessages(page),
        (s) => s.bodies.at(-1) === earlierBody(EARLIER),
        'the earlier conversation opened at its end',
      );
      await until(
        async () => {
          await timeline(page).evaluate((el) => (el.scrollTop = 0));
          return shownMessages(page);
        },
        (s) => s.bodies[0] === 'Primera consulta de Larga',
        'its first message',
      );
      expect(await pane(page).locator('.history-divider').count()).toBe(0);
    },
  );

  it('search opens a message far older than the first page, centred and marked', { timeout: 120_000 }, async () => {
    const page = ana.page;
    await row(page, rank(1)).click();
    await pane(page)
      .locator('.bubble-body', { hasText: `Consulta de ${rank(1)}` })
      .waitFor({ timeout: WAIT_MS });
    await page.locator('body').press('/');
    const search = page.getByRole('combobox', { name: 'Search contacts and messages' });
    await search.fill('zanahoria');
    await page.locator('.search-group[data-group="messages"] .search-hit', { hasText: 'Larga' }).waitFor({ timeout: WAIT_MS });
    await search.press('Enter');
    const focused = pane(page).locator('.message-focused', { hasText: 'zanahoria' });
    await focused.waitFor({ timeout: WAIT_MS });
    await until(
      () => shownMessages(page),
      (s) => s.bodies.includes(longBody(5)),
      'Larga 005 on screen',
    );
    expect((await shownMessages(page)).inPage).toBeLessThan(60);
    await screenshot(page, 'long-conversation-search');
  });

  it('a read for "open at a message" that answers after the agent opened another message does nothing', { timeout: 120_000 }, async () => {
    // A second tab of Ana's, whose IPC socket holds back the answer to one read until the test lets it go.
    const tab = await openBrowser();
    fx.later(() => tab.close());
    const held: (() => void)[] = [];
    await tab.context.routeWebSocket(/\/ipc/, (page) => {
      const host = page.connectToServer();
      const holding = new Set<number>();
      page.onMessage((m) => {
        const frame = JSON.parse(String(m));
        if (frame.op === 'conversation.messagePage' && frame.args.reach === 'msg-larga-250') holding.add(frame.id);
        host.send(m);
      });
      host.onMessage((m) => {
        const frame = JSON.parse(String(m));
        if (frame.t === 'reply' && holding.has(frame.id)) held.push(() => page.send(m));
        else page.send(m);
      });
    });
    const page = tab.page;
    await page.goto(ana.client.url);
    await page.locator('.sidebar').waitFor({ timeout: WAIT_MS });
    const openFromSearch = async (words: string, messageId: string) => {
      await page.locator('body').press('/');
      await page.getByRole('combobox', { name: 'Search contacts and messages' }).fill(words);
      await page.locator(`.search-hit[data-message-id="${messageId}"]`).click();
    };

    // Larga 250 is older than the newest page: its read is held. Meanwhile the agent opens Larga 005.
    await openFromSearch('250', 'msg-larga-250');
    await until(
      async () => held.length,
      (n) => n === 1,
      'the held read',
    );
    await openFromSearch('zanahoria', 'msg-larga-5');
    const focused = pane(page).locator('.message-focused', { hasText: 'zanahoria' });
    await focused.waitFor({ timeout: WAIT_MS });

    // The late answer comes, then one more round trip on the same socket (so the page has handled it).
    held[0]!();
    await page.evaluate("window.bandeja['app.info']({})");
    await frames(page);
    await frames(page);
    expect(await focused.isVisible()).toBe(true);
    expect((await shownMessages(page)).bodies).toContain(longBody(5));
  });

  it(
    'a new message neither moves the agent reading up at the earlier conversation nor pushes it out; at the bottom it is followed; my own reply always shows',
    { timeout: 120_000 },
    async () => {
      const page = ana.page;
      await list(page).evaluate((el) => (el.scrollTop = 0));
      await row(page, 'Fila 002').click();
      await row(page, 'Larga').click();
      await until(
        () => shownMessages(page),
        (s) => s.bodies.at(-1) === longBody(LONG),
        'the end of Larga',
      );

      // Reading up at the top, where the earlier conversation is: the next message comes in below and
      // nothing on screen moves (the oldest messages read and what sits above them stay in the timeline).
      await until(
        async () => {
          await timeline(page).evaluate((el) => (el.scrollTop = 0));
          await frames(page);
          return pane(page).locator('.history-divider').count();
        },
        (n) => n > 0,
        'the earlier conversation at the top',
      );
      const reading = (await shownMessages(page)).bodies;
      const height = () => timeline(page).evaluate((el) => el.scrollHeight);
      const heightBefore = await height();
      larga = await WebchatCustomer.join(fx.server.url, 'demo', 'Larga', LARGA);
      fx.later(() => larga.close());
      await larga.say('Nuevo mensaje al final');
      await until(height, (h) => h > heightBefore, 'the timeline to grow');
      await frames(page);
      expect((await shownMessages(page)).bodies).toEqual(reading);
      expect(await pane(page).locator('.history-divider').count()).toBeGreaterThan(0);

      // At the bottom, the next message is followed.
      await timeline(page).evaluate((el) => (el.scrollTop = el.scrollHeight));
      await until(
        () => shownMessages(page),
        (s) => s.bodies.at(-1) === 'Nuevo mensaje al final',
        'the bottom',
      );
      await larga.say('Otro más al final');
      await until(
        () => shownMessages(page),
        (s) => s.bodies.at(-1) === 'Otro más al final',
        'the new message at the bottom',
      );

      // My reply goes to the bottom and is shown, also when I had scrolled up, after the customer's messages.
      await timeline(page).evaluate((el) => (el.scrollTop = el.scrollHeight - el.clientHeight * 3));
      await frames(page);
      await reply(page, 'Te leo, Larga');
      await until(
        () => shownMessages(page),
        (s) => s.bodies.at(-1) === 'Te leo, Larga',
        'my reply at the bottom',
      );
      expect((await shownMessages(page)).bodies.slice(-3)).toEqual(['Nuevo mensaje al final', 'Otro más al final', 'Te leo, Larga']);
    },
  );
});
