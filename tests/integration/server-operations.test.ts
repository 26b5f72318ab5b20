// Operations of a real server process (issue 13): /healthz, /readyz (503 while draining, while the database
// is gone or not migrated), /metrics that move when agents and customers act, who may read them, and the
// structured log: JSON lines with request ids that never hold a password, a token, a message text, a note, a
// file name, a media link's signature or a customer's phone number, whatever path they came through.
import { createHash } from 'node:crypto';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Paths } from '../../src-shared/http';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { DEMO_PASSWORD, login, loginRaw, SyncPeer } from '../support/sync-peer';
import { WebchatCustomer } from '../support/webchat-customer';
import { startWhatsAppCloud, type WhatsAppCloud } from '../support/whatsapp-cloud';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One sample of a metric in Prometheus text (0 when absent). */
function sample(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { headers });
  return { status: res.status, body: await res.text() };
}

describe('a production server’s log, metrics and access', () => {
  let server: ServerProcess;
  let wa: WhatsAppCloud;
  const auth = { authorization: `Bearer ${METRICS_TOKEN}` };
  const metrics = async () => {
    const res = await get(server.url + '/metrics', auth);
    expect(res.status).toBe(200);
    return res.body;
  };

  beforeAll(async () => {
    wa = await startWhatsAppCloud();
    server = await startServerProcess({
      demo: true,
      env: { ...wa.env, NODE_ENV: 'production', BANDEJA_METRICS_TOKEN: METRICS_TOKEN, BANDEJA_DRAIN_DELAY_MS: '2000' },
    });
  });
  afterAll(async () => {
    await server?.stop();
    await wa?.close();
  });

  it('lets only the metrics token read /readyz and /metrics; /healthz answers anyone', async () => {
    expect(await get(server.url + '/healthz')).toEqual({ status: 200, body: '{"ok":true}' });
    for (const path of ['/readyz', '/metrics']) {
      expect((await get(server.url + path)).status).toBe(401);
      expect((await get(server.url + path, { authorization: 'Bearer metrics-token-0123456789abcdeX' })).status).toBe(401);
      expect((await get(server.url + path, auth)).status).toBe(200);
    }
    expect(JSON.parse((await get(server.url + '/readyz', auth)).body)).toEqual({
      ready: true,
      database: true,
      migrations: true,
      draining: false,
    });
  });

  it('counts connections, pushes, fan-out, frames, bytes and webhook failures as they happen, and never logs secrets', async () => {
    const secrets: string[] = [DEMO_PASSWORD];
    const wrongPassword = 'Wr0ng-Passw0rd-Kiwi-917';
    secrets.push(wrongPassword);
    expect((await loginRaw(server.url, { email: 'ana@demo.test', password: wrongPassword })).status).toBe(401);
    const { token } = await login(server.url, 'ana@demo.test');
    const { token: brunoToken } = await login(server.url, 'bruno@demo.test');
    secrets.push(token, brunoToken);

    const before = await metrics();
    const ana = await SyncPeer.connect(server.url, { token });
    const bruno = await SyncPeer.connect(server.url, { token: brunoToken });

    // A customer writes on the webchat; Ana answers with a file and a note.
    const customerText = 'Mi tarjeta termina en 4421, urgente-frambuesa';
    secrets.push(customerText);
    const carla = await WebchatCustomer.join(server.url, 'demo', 'Carla');
    const said = await carla.say(customerText);
    await ana.waitFor(() => ana.messages.has(said), 'the customer message');
    const conversationId = ana.messages.get(said)!.conversationId;
    const pdf = Buffer.from('%PDF-1.7\n% contrato-secreto\n%%EOF\n');
    const fileName = 'contrato-confidencial-zanahoria.pdf';
    secrets.push(fileName);
    const put = await fetch(server.url + Paths.blob(sha(pdf)), {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/pdf' },
      body: pdf,
    });
    expect(put.status).toBe(201);
    const reply = 'Le envío el contrato firmado-mandarina';
    secrets.push(reply);
    const attachment = { sha256: sha(pdf), name: fileName, mime: 'application/pdf', size: pdf.length, kind: 'file', durationMs: null };
    const replyId = uuidv7();
    expect(await ana.push('message.send', { id: replyId, conversationId, body: reply, attachments: [attachment] })).toMatchObject({
      status: 'ok',
    });
    const note = 'Nota interna: cliente VIP-pomelo';
    secrets.push(note);
    expect(await ana.push('note.add', { id: uuidv7(), conversationId, body: note, mentions: [] })).toMatchObject({ status: 'ok' });
    // Bruno's socket was poked by both pushes (the reply assigned the conversation to Ana: he is told it left his view).
    await bruno.waitForOp((op) => op.kind === 'revoke', 'the conversation leaving Bruno’s view');

    // The customer fetches the file through its signed link.
    const received = await carla.waitForAgentMessage((m) => m.id === replyId);
    const link = received.attachments[0]!.url;
    const query = new URL(link, server.url).searchParams;
    secrets.push(query.get('s')!, query.get('v')!);
    expect((await fetch(server.url + link)).status).toBe(200);

    // A WhatsApp customer writes (a signed webhook), and a forged webhook is refused.
    const phone = '5491155550123';
    const waText = 'Mi DNI es 30111222-sandia';
    secrets.push(phone, waText, wa.env.BANDEJA_WHATSAPP_TOKEN!, wa.env.BANDEJA_WHATSAPP_APP_SECRET!);
    const { response } = await wa.inbound(server.url, { from: phone, name: 'Gregorio', text: waText });
    expect(response.status).toBe(200);
    // Ana's answer there is refused by WhatsApp: a delivery failure.
    await ana.waitFor(() => [...ana.messages.values()].some((m) => m.body === waText), 'the WhatsApp message');
    const waMessage = [...ana.messages.values()].find((m) => m.body === waText)!;
    wa.failNext(wa.errors.reEngagement());
    const refusedId = uuidv7();
    const waReply = 'Respuesta por WhatsApp-durazno';
    secrets.push(waReply);
    expect(await ana.push('message.send', { id: refusedId, conversationId: waMessage.conversationId, body: waReply })).toMatchObject({
      status: 'ok',
    });
    await ana.waitFor(() => ana.messages.get(refusedId)?.state === 'failed', 'the refused delivery');
    const forged = await wa.postWebhook(server.url, wa.change({ messages: [] }), { signature: 'sha256=' + '0'.repeat(64) });
    expect(forged.status).toBe(401);
    // An invitation link's token is in its path.
    const inviteToken = 'invite-token-not-a-real-one-higo';
    secrets.push(inviteToken);
    await fetch(`${server.url}/invite/${inviteToken}`);

    const after = await metrics();
    expect(sample(after, 'bandeja_connections', 'kind="sync"')).toBe(2);
    expect(sample(after, 'bandeja_connections', 'kind="webchat"')).toBe(1);
    expect(
      sample(after, 'bandeja_push_mutations_total', 'status="ok"') - sample(before, 'bandeja_push_mutations_total', 'status="ok"'),
    ).toBe(3);
    expect(sample(after, 'bandeja_push_duration_seconds_count') - sample(before, 'bandeja_push_duration_seconds_count')).toBe(3);
    expect(sample(after, 'bandeja_delivery_failures_total', 'outcome="failed"')).toBe(1);
    expect(
      sample(after, 'bandeja_fanout_duration_seconds_count') - sample(before, 'bandeja_fanout_duration_seconds_count'),
    ).toBeGreaterThanOrEqual(2);
    expect(sample(after, 'bandeja_frames_sent_total', 'kind="sync"')).toBeGreaterThan(
      sample(before, 'bandeja_frames_sent_total', 'kind="sync"'),
    );
    expect(sample(after, 'bandeja_bytes_sent_total', 'kind="sync"')).toBeGreaterThan(
      sample(before, 'bandeja_bytes_sent_total', 'kind="sync"') + reply.length,
    );
    expect(sample(after, 'bandeja_frames_sent_total', 'kind="webchat"')).toBeGreaterThan(0);
    expect(sample(after, 'bandeja_webhook_failures_total', 'reason="401"')).toBe(1);
    expect(sample(after, 'bandeja_db_pool_connections', 'state="total"')).toBe(1);
    expect(sample(after, 'bandeja_changelog_lag_versions')).toBeGreaterThanOrEqual(0);
    // Nothing on /metrics names a tenant, a person or what they wrote.
    for (const s of [...secrets, 'demo', 'ana@', 'Carla', 'Gregorio']) expect(after).not.toContain(s);

    ana.close();
    bruno.close();
    carla.close();
    await sleep(300);
    expect(sample(await metrics(), 'bandeja_connections', 'kind="sync"')).toBe(0);

    // The log: one JSON object a line, requests with their id, and none of the secrets anywhere.
    const log = server.stderr();
    const lines = log.trim().split('\n');
    const entries = lines.map((l) => JSON.parse(l) as { msg?: string; reqId?: string; req?: { route?: string } });
    const requests = entries.filter((e) => e.msg === 'incoming request');
    expect(requests.some((e) => e.req?.route === Paths.login && typeof e.reqId === 'string')).toBe(true);
    expect(requests.some((e) => e.req?.route === '/webchat/:slug/media/:sha256')).toBe(true);
    expect(requests.some((e) => e.req?.route === '/webhooks/whatsapp')).toBe(true);
    expect(requests.some((e) => e.req?.route === '/invite/:token')).toBe(true);
    for (const s of secrets) expect(log, `the log holds "${s}"`).not.toContain(s);
    expect(log).not.toContain('ana@demo.test');
  });

  it('answers 503 from SIGTERM on while the process drains, and keeps serving until it closes', async () => {
    const stopped = server.stop();
    await expect.poll(async () => (await get(server.url + '/readyz', auth)).status).toBe(503);
    expect(JSON.parse((await get(server.url + '/readyz', auth)).body)).toMatchObject({ ready: false, database: true, draining: true });
    expect((await get(server.url + '/healthz')).status).toBe(200);
    await stopped;
    expect(server.exitCode()).toBe(0);
  });
});

describe('readiness', () => {
  const pgUrl = process.env.BANDEJA_TEST_DATABASE_URL;
  it.runIf(pgUrl)('answers 503 while its PostgreSQL database is gone, and while it is back but not migrated', async () => {
    const url = new URL(pgUrl!);
    const scratch = `${url.pathname.slice(1)}_readyz`;
    const admin = new pg.Client({ connectionString: Object.assign(new URL(url), { pathname: '/postgres' }).href });
    await admin.connect();
    const dbUrl = Object.assign(new URL(url), { pathname: `/${scratch}` }).href;
    await admin.query(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${scratch}`);
    const server = await startServerProcess({ demo: true, env: { DATABASE_URL: dbUrl } });
    try {
      // No token configured: this machine may read it directly, not through a proxy (a forwarding header).
      expect((await get(server.url + '/readyz', { 'x-forwarded-for': '203.0.113.9' })).status).toBe(403);
      expect((await get(server.url + '/metrics', { forwarded: 'for=203.0.113.9' })).status).toBe(403);
      expect((await get(server.url + '/metrics')).status).toBe(200);
      expect(JSON.parse((await get(server.url + '/readyz')).body)).toEqual({
        ready: true,
        database: true,
        migrations: true,
        draining: false,
      });
      await admin.query(`DROP DATABASE ${scratch} WITH (FORCE)`);
      const gone = await get(server.url + '/readyz');
      expect(gone.status).toBe(503);
      expect(JSON.parse(gone.body)).toMatchObject({ ready: false, database: false });
      await admin.query(`CREATE DATABASE ${scratch}`);
      const empty = await get(server.url + '/readyz');
      expect(empty.status).toBe(503);
      expect(JSON.parse(empty.body)).toEqual({ ready: false, database: true, migrations: false, draining: false });
      expect((await get(server.url + '/healthz')).status).toBe(200);
    } finally {
      await server.stop();
      await admin.query(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`);
      await admin.end();
    }
  });
});
