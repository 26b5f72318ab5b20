// Reminders and desktop notifications through the real client core (real mirror files, real sync
// sockets) against a real server process, each device with a clock driven by hand: two devices of one
// agent, a burst of customers grouped into one toast, do-not-disturb, the badge.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DesktopNotification, IpcArgs, IpcOp, IpcResult } from '../../src-shared/ipc';
import { createCore, type Core } from '../../src-main/core';
import { readSettings } from '../../src-main/core/settings';
import { createDispatch, createHandlers } from '../../src-main/ipc/dispatch';
import { FakeClock } from '../support/fake-clock';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { DEMO_PASSWORD } from '../support/sync-peer';
import { recordingHost } from '../support/recording-host';
import { WebchatCustomer } from '../support/webchat-customer';

const MINUTE = 60_000;
let server: ServerProcess;
const devices: Device[] = [];
const customers: WebchatCustomer[] = [];

interface Device {
  core: Core;
  clock: FakeClock;
  dataDir: string;
  shown: DesktopNotification[];
  badges: number[];
  call<K extends IpcOp>(op: K, args: IpcArgs<K>): Promise<IpcResult<K>>;
}

async function device(email: string, dataDir = mkdtempSync(join(tmpdir(), 'bandeja-device-'))): Promise<Device> {
  const clock = new FakeClock(Date.now());
  const { host, shown, badges } = recordingHost(dataDir);
  const core = createCore({ host, lang: 'en', defaultServerUrl: server.url, clock, log: () => undefined });
  await core.ready;
  const dispatch = createDispatch(createHandlers(core), () => undefined);
  const d: Device = {
    core,
    clock,
    dataDir,
    shown,
    badges,
    async call(op, args) {
      const reply = await dispatch(op, args);
      if (!reply.ok) throw new Error(`${op} failed: ${JSON.stringify(reply.error)}`);
      return reply.result as never;
    },
  };
  devices.push(d);
  if (!core.session()) await d.call('session.login', { serverUrl: server.url, email, password: DEMO_PASSWORD });
  await until(() => core.syncStatus().state === 'online', `${email} online`);
  return d;
}

async function until<T>(probe: () => T | Promise<T>, what: string): Promise<NonNullable<T>> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function customer(name: string): Promise<WebchatCustomer> {
  const c = await WebchatCustomer.join(server.url, 'demo', name);
  customers.push(c);
  return c;
}

async function byName(d: Device, status: 'open' | 'snoozed', name: string) {
  for (const kind of ['mine', 'unassigned'] as const) {
    const found = (await d.call('inbox.list', { view: { kind }, status, limit: 500 })).find((c) => c.contactName === name && !c.pending);
    if (found) return found;
  }
  return undefined;
}

beforeAll(async () => {
  server = await startServerProcess({ demo: true });
});

afterAll(async () => {
  for (const c of customers) c.close();
  for (const d of devices) await d.core.close();
  await server?.stop();
});

describe('two devices of one agent', () => {
  it('each shows a reminder once; one dismissed on the other device is never shown and stops showing as due', async () => {
    const laptop = await device('ana@demo.test');
    const desktop = await device('ana@demo.test');
    const carla = await customer('Carla Reyes');
    await carla.say('Necesito una factura');
    const conv = await until(() => byName(laptop, 'open', 'Carla Reyes'), 'the conversation on the laptop');
    await laptop.call('conversation.assign', { conversationId: conv.id, assigneeId: 'user-ana' });
    await until(async () => (await byName(desktop, 'open', 'Carla Reyes'))?.assigneeId === 'user-ana', 'assigned, on the desktop');

    const soon = await laptop.call('reminder.set', {
      conversationId: conv.id,
      dueAt: laptop.clock.now() + 10 * MINUTE,
      note: 'Enviar factura',
      postpone: false,
    });
    const later = await laptop.call('reminder.set', {
      conversationId: conv.id,
      dueAt: laptop.clock.now() + 20 * MINUTE,
      note: 'Llamar',
      postpone: false,
    });
    await until(
      async () => (await desktop.call('reminder.list', { conversationId: conv.id })).filter((r) => r.version > 0).length === 2,
      'both reminders on the desktop',
    );
    expect((await byName(desktop, 'open', 'Carla Reyes'))?.reminder).toMatchObject({ id: soon.id, note: 'Enviar factura' });

    // Dismissed on the laptop before it is due: the desktop learns it and shows the next one instead.
    await laptop.call('reminder.setState', { id: soon.id, state: 'dismissed' });
    await until(
      async () => (await byName(desktop, 'open', 'Carla Reyes'))?.reminder?.id === later.id,
      'the dismissed reminder gone from the desktop list',
    );

    for (const d of [laptop, desktop]) d.clock.advance(30 * MINUTE);
    for (const d of [laptop, desktop]) d.clock.advance(2000);
    for (const d of [laptop, desktop]) {
      const reminders = d.shown.filter((n) => n.tag.startsWith('reminder:'));
      expect(reminders).toEqual([
        {
          tag: `reminder:${later.id}`,
          title: 'Reminder: Carla Reyes',
          body: 'Llamar',
          conversationId: conv.id,
          messageId: null,
          sound: true,
        },
      ]);
    }
    // Hours later, and after a restart of the desktop: still once per device.
    const desktopDir = desktop.dataDir;
    await desktop.core.close();
    const again = await device('ana@demo.test', desktopDir);
    again.clock.advance(3 * 60 * MINUTE);
    laptop.clock.advance(3 * 60 * MINUTE);
    expect(again.shown.filter((n) => n.tag.startsWith('reminder:'))).toEqual([]);
    expect(laptop.shown.filter((n) => n.tag.startsWith('reminder:'))).toHaveLength(1);
  });
});

describe('notifications from the server', () => {
  it('groups a burst of new conversations into one toast, then tells of my customer’s messages; never my own; not in do-not-disturb', async () => {
    const ana = await device('ana@demo.test');
    // Signing in brought everything already there as a snapshot: history, not news.
    ana.clock.advance(2000);
    expect(ana.shown.filter((n) => !n.tag.startsWith('reminder:'))).toEqual([]);

    const names = Array.from({ length: 12 }, (_, i) => `Cliente ${String(i + 1).padStart(2, '0')}`);
    const people = new Map<string, WebchatCustomer>();
    await Promise.all(
      names.map(async (name) => {
        const c = await customer(name);
        people.set(name, c);
        await c.say(`Hola, soy ${name}`);
      }),
    );
    await until(async () => {
      const list = await ana.call('inbox.list', { view: { kind: 'unassigned' }, status: 'open', limit: 500 });
      return names.every((n) => list.some((c) => c.contactName === n));
    }, 'the 12 conversations in Ana’s mirror');
    ana.clock.advance(1000);
    expect(ana.shown).toHaveLength(1);
    expect(ana.shown[0]).toMatchObject({ tag: 'group:newConversation', title: '12 new conversations', messageId: null, sound: true });
    expect(ana.shown[0]!.body).toMatch(/^Cliente \d\d, Cliente \d\d, Cliente \d\d and 9 more$/);

    // Ana takes one; the customer writes three times: one toast for that conversation, its last words.
    // Carla's conversation (the test above) already waits for Ana.
    const waitingBefore = ana.badges.at(-1)!;
    const taken = (await byName(ana, 'open', 'Cliente 01'))!;
    await ana.call('conversation.assign', { conversationId: taken.id, assigneeId: 'user-ana' });
    const one = people.get('Cliente 01')!;
    for (const words of ['¿Hola?', '¿Alguien?', 'Es urgente']) await one.say(words);
    await until(
      async () => (await ana.call('conversation.messages', { conversationId: taken.id })).some((m) => m.body === 'Es urgente'),
      'the messages',
    );
    ana.clock.advance(1000);
    expect(ana.shown.slice(1)).toEqual([
      {
        tag: `message:${taken.id}`,
        title: 'Cliente 01',
        body: 'Es urgente',
        conversationId: taken.id,
        messageId: expect.any(String),
        sound: true,
      },
    ]);
    // The badge counts conversations waiting for me: this one more.
    expect(ana.badges.at(-1)).toBe(waitingBefore + 1);

    // Her own reply is not news; after it nothing waits for her.
    await ana.call('message.send', { conversationId: taken.id, body: 'Aquí estoy' });
    await until(async () => (await ana.call('sync.status', {})).pending === 0, 'the reply confirmed');
    ana.clock.advance(1000);
    expect(ana.shown).toHaveLength(2);
    expect(ana.badges.at(-1)).toBe(waitingBefore);

    // Do not disturb, kept in this device's settings file.
    expect(await ana.call('notifications.settings.set', { doNotDisturb: true, sound: false })).toMatchObject({
      doNotDisturb: true,
      sound: false,
      newMessage: true,
    });
    expect(readSettings(ana.dataDir).notifications).toMatchObject({ doNotDisturb: true, sound: false });
    await one.say('¿Sigues ahí?');
    await until(
      async () => (await ana.call('conversation.messages', { conversationId: taken.id })).some((m) => m.body === '¿Sigues ahí?'),
      'the message',
    );
    ana.clock.advance(1000);
    expect(ana.shown).toHaveLength(2);
    expect(ana.badges.at(-1)).toBe(waitingBefore + 1);
  });
});
