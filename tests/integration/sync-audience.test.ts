// Fan-out follows the audience (ISSUE13 "Fan-out cost follows the audience, not the tenant"): a change
// reaches only the connections that may see it, as one frame serialized once per distinct payload, and a
// connection that saw nothing gets no frame at all; the next frame it does get starts where the last one
// it was told ended, and a desktop client that was passed over ends with what a fresh bootstrap gives.
// One real server process (PGlite, the demo tenant plus two agents), real sockets, a real headless client.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Changes, ServerFrame } from '../../src-shared/protocol';
import { openStore } from '../../src-server/app';
import { hashPassword } from '../../src-server/auth/passwords';
import { writeTenantChanges } from '../../src-server/store/changeLog';
import { insertUser } from '../../src-server/store/directory';
import { startClientProcess, type ClientProcess } from '../support/client-process';
import { prepareDemoStore, startServerProcess, type ServerProcess } from '../support/server-process';
import { login, SyncPeer } from '../support/sync-peer';
import { WebchatCustomer } from '../support/webchat-customer';
import { readMirrorFile, signIn } from './sync-helpers';

/** Quiet this long on every socket counts as settled. */
const SETTLE_MS = 800;

// Team A is Ventas (Bruno, and Vera added here), team B is Soporte alone (Ana, and Tomás added here, who
// also runs the desktop client). Sofía is a supervisor and the admin an admin: both see everything.
const PEOPLE = ['ana', 'tomas', 'bruno', 'vera', 'sofia', 'admin'] as const;
type Who = (typeof PEOPLE)[number];
const TEAM_A: Who[] = ['bruno', 'vera', 'sofia', 'admin'];
const TEAM_B: Who[] = ['ana', 'tomas'];

describe('audience fan-out', () => {
  let server: ServerProcess;
  let desktop: ClientProcess;
  const peers = new Map<Who, SyncPeer>();
  const customers: WebchatCustomer[] = [];

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bandeja-audience-'));
    await prepareDemoStore({ dataDir });
    const db = await openStore({ dataDir });
    try {
      const passwordHash = await hashPassword('demo1234');
      await writeTenantChanges(db, 'demo', async (tx, batch) => {
        await insertUser(tx, batch, {
          id: 'user-vera',
          email: 'vera@demo.test',
          name: 'Vera',
          role: 'agent',
          passwordHash,
          teamIds: ['team-ventas'],
        });
        await insertUser(tx, batch, {
          id: 'user-tomas',
          email: 'tomas@demo.test',
          name: 'Tomás',
          role: 'agent',
          passwordHash,
          teamIds: ['team-soporte'],
        });
      });
    } finally {
      await db.close();
    }
    server = await startServerProcess({ dataDir, demo: true });
    desktop = await startClientProcess({ serverUrl: server.url });
    await signIn(desktop, server.url, 'tomas@demo.test');
    for (const who of PEOPLE) {
      const { token } = await login(server.url, `${who}@demo.test`);
      peers.set(who, await SyncPeer.connect(server.url, { token }));
    }
  });

  afterAll(async () => {
    for (const p of peers.values()) p.close();
    for (const c of customers) c.close();
    await desktop?.stop();
    await server?.stop();
  });

  const peer = (who: Who) => peers.get(who)!;
  const changesOf = (who: Who, from = 0) =>
    peer(who)
      .frames.slice(from)
      .filter((f): f is Changes => f.type === 'changes');

  /** Waits until no socket has received a frame for SETTLE_MS. */
  async function settle(): Promise<void> {
    let last = -1;
    let stableSince = Date.now();
    for (;;) {
      const total = [...peers.values()].reduce((n, p) => n + p.frames.length, 0);
      if (total !== last) {
        last = total;
        stableSince = Date.now();
      } else if (Date.now() - stableSince >= SETTLE_MS) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async function counters(): Promise<{ serializations: number; changesFrames: number }> {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const read = (name: string) => {
      const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(text);
      return m ? Number(m[1]) : NaN;
    };
    return { serializations: read('bandeja_sync_serializations_total'), changesFrames: read('bandeja_sync_changes_frames_total') };
  }

  /** Each peer's `changes` frames start where the previous frame it was told ended (no gap, no overlap). */
  function expectNoGaps(): void {
    for (const who of PEOPLE) {
      let told: number | null = null;
      for (const f of peer(who).frames as ServerFrame[]) {
        if (f.type === 'snapshotEnd') told = f.version;
        if (f.type !== 'changes') continue;
        if (told !== null) expect({ who, from: f.from }).toEqual({ who, from: told });
        told = f.to;
      }
    }
  }

  function desktopCursor(): number {
    return readMirrorFile(desktop, (db) =>
      Number((db.prepare("SELECT value FROM meta WHERE key = 'cursor'").get() as { value: string }).value),
    );
  }

  /** The desktop mirror's conversations and messages equal what a fresh bootstrap of Tomás holds. */
  async function expectDesktopEqualsBootstrap(): Promise<void> {
    const { token } = await login(server.url, 'tomas@demo.test');
    const fresh = await SyncPeer.connect(server.url, { token });
    fresh.close();
    const mirror = readMirrorFile(desktop, (db) => ({
      conversations: db.prepare('SELECT id, version FROM conversations ORDER BY id').all(),
      messages: db.prepare('SELECT id, version FROM messages ORDER BY id').all(),
    }));
    const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
    expect(mirror).toEqual({
      conversations: [...fresh.conversations.values()].map((c) => ({ id: c.id, version: c.version })).sort(byId),
      messages: [...fresh.messages.values()].map((m) => ({ id: m.id, version: m.version })).sort(byId),
    });
  }

  it("sends a change only to its audience, once each, serialized once; the others' next frame starts where they were told", async () => {
    // Two customers, one per inbox; their first messages make contacts, which everyone receives.
    const ventas = await WebchatCustomer.join(server.url, 'ventas', 'Cliente Ventas');
    const soporte = await WebchatCustomer.join(server.url, 'demo', 'Cliente Soporte');
    customers.push(ventas, soporte);
    await ventas.say('Hola, quiero comprar');
    await soporte.say('Hola, tengo un problema');
    await settle();
    await desktop.ipc.until('inbox.list', { view: { kind: 'unassigned' }, status: 'open' }, (items) =>
      items.some((c) => c.contactName === 'Cliente Soporte'),
    );

    const start = new Map(PEOPLE.map((w) => [w, peer(w).frames.length]));
    const lastTold = new Map(PEOPLE.map((w) => [w, peer(w).cursor]));
    const desktopBefore = desktopCursor();
    const before = await counters();

    // A customer writes through the webchat into team A's inbox.
    const ventasMessage = await ventas.say('¿Tienen envío a domicilio?');
    await peer('vera').waitForOp((op) => op.kind === 'message' && op.row.id === ventasMessage, 'the Ventas message');
    await settle();
    const after = await counters();

    for (const who of TEAM_A) {
      const frames = changesOf(who, start.get(who));
      expect({ who, frames: frames.length }).toEqual({ who, frames: 1 });
      expect(frames[0]!.ops.some((op) => op.kind === 'message' && op.row.id === ventasMessage)).toBe(true);
    }
    for (const who of TEAM_B) expect({ who, frames: peer(who).frames.slice(start.get(who)) }).toEqual({ who, frames: [] });
    // The desktop client of a team B agent received nothing either: its cursor did not move.
    expect(desktopCursor()).toBe(desktopBefore);
    // Four sockets got the same payload, serialized once.
    expect(after.changesFrames - before.changesFrames).toBe(TEAM_A.length);
    expect(after.serializations - before.serializations).toBe(1);

    // A change team B may see: its next frame starts at the last version it was told.
    const soporteMessage = await soporte.say('¿Alguien me puede ayudar?');
    for (const who of TEAM_B) {
      const frame = await peer(who).waitForOp(
        (op) => op.kind === 'message' && op.row.id === soporteMessage,
        'the Soporte message',
        start.get(who),
      );
      expect(frame.from).toBe(lastTold.get(who));
      expect(changesOf(who, start.get(who))).toHaveLength(1);
    }
    await settle();
    expectNoGaps();
    const conversation = await desktop.ipc.until('inbox.list', { view: { kind: 'unassigned' }, status: 'open' }, (items) =>
      items.some((c) => c.contactName === 'Cliente Soporte' && c.lastMessagePreview === '¿Alguien me puede ayudar?'),
    );
    expect(conversation.some((c) => c.contactName === 'Cliente Ventas')).toBe(false);
    await expectDesktopEqualsBootstrap();

    // Passed over again, then restarted: it says hello with the cursor it was last told, and the server
    // replays from there into the same state.
    await ventas.say('Otra pregunta de ventas');
    await settle();
    await desktop.kill();
    await desktop.restart();
    await desktop.ipc.until('sync.status', {}, (s) => s.state === 'online');
    await settle();
    await expectDesktopEqualsBootstrap();
  });
});
