// Rate limits against a real server process (issue 12, class 4): login per address and per account,
// invitations, the public webchat (joins, new visitors, messages) per address and per inbox, uploads;
// a deactivated account answers like a wrong password; admins list and end sessions. Addresses other
// than loopback come through X-Forwarded-For, which the server believes from loopback (BANDEJA_TRUST_PROXY).
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminSessionsResponse, Paths } from '../../src-shared/http';
import { CloseCode } from '../../src-shared/protocol';
import type { WebchatServerFrame } from '../../src-shared/webchat';
import type { ServerProcess } from '../support/server-process';
import { startDemoServerOnTestDatabase } from '../support/test-store';
import { DEMO_PASSWORD, login, SyncPeer } from '../support/sync-peer';
import { WebchatCustomer } from '../support/webchat-customer';

let server: ServerProcess;

beforeAll(async () => {
  server = await startDemoServerOnTestDatabase({
    BANDEJA_TRUST_PROXY: 'loopback',
    BANDEJA_LIMIT_LOGIN_PER_ADDRESS: '100/1m',
    BANDEJA_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_ADDRESS: '3/1m',
    BANDEJA_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: '6/1m',
    BANDEJA_LIMIT_INVITE_PER_ADDRESS: '5/1m',
    BANDEJA_LIMIT_INVITE_PER_TOKEN: '3/1m',
    BANDEJA_LIMIT_WEBCHAT_NEW_VISITORS_PER_ADDRESS: '3/1m',
    BANDEJA_LIMIT_WEBCHAT_NEW_VISITORS_PER_INBOX: '6/1m',
    BANDEJA_LIMIT_WEBCHAT_SAY_PER_ADDRESS: '5/1m',
    BANDEJA_LIMIT_WEBCHAT_SAY_PER_INBOX: '8/1m',
    BANDEJA_LIMIT_UPLOAD_UNAUTHENTICATED_PER_ADDRESS: '5/1m',
    BANDEJA_LIMIT_UPLOAD_PER_ACCOUNT: '3/1m',
  });
});
afterAll(async () => {
  await server?.stop();
});

const from = (address: string) => ({ 'x-forwarded-for': address });

async function loginFrom(address: string, email: string, password = DEMO_PASSWORD, userAgent?: string) {
  const res = await fetch(server.url + Paths.login, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...from(address), ...(userAgent ? { 'user-agent': userAgent } : {}) },
    body: JSON.stringify({ email, password }),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as any };
}

function expectLimited(res: { status: number; retryAfter: string | null; body: any }) {
  expect(res.status).toBe(429);
  expect(Number(res.retryAfter)).toBeGreaterThanOrEqual(1);
  expect(res.body.error.code).toBe('RATE_LIMITED');
  expect(Number(res.body.error.params.retryAfterMs)).toBeGreaterThan(0);
}

describe('login', () => {
  it('lets a whole floor sign in from one address at once', async () => {
    // Each agent signs in once, all at the same time: waves of the four demo accounts stand for a floor of 60.
    const emails = ['ana@demo.test', 'bruno@demo.test', 'sofia@demo.test', 'admin@demo.test'];
    const results = [];
    for (let wave = 0; wave < 15; wave++) results.push(...(await Promise.all(emails.map((e) => loginFrom('203.0.113.10', e)))));
    expect(results.map((r) => r.status)).toEqual(results.map(() => 200));
  });

  it('slows down one account under attack while another account from the same address still signs in', async () => {
    for (let i = 0; i < 3; i++) expect((await loginFrom('198.51.100.7', 'bruno@demo.test', 'guess' + i)).status).toBe(401);
    // Even the right password waits now from there: the answer tells the attacker nothing.
    expectLimited(await loginFrom('198.51.100.7', 'bruno@demo.test'));
    expectLimited(await loginFrom('198.51.100.7', 'BRUNO@demo.test', 'another guess'));
    expect((await loginFrom('198.51.100.7', 'ana@demo.test')).status).toBe(200);
    // A burst of parallel guesses at a fresh account gets no more than the limit through to the password check.
    const burst = await Promise.all(Array.from({ length: 10 }, (_, i) => loginFrom('192.0.2.50', 'nobody@demo.test', 'x' + i)));
    expect(burst.filter((r) => r.status === 401)).toHaveLength(3);
    expect(burst.filter((r) => r.status === 429)).toHaveLength(7);
  });

  it('limits every well-formed sign-in request from one address without touching other addresses', async () => {
    // Malformed requests cost no password check and none of the address's budget.
    for (let i = 0; i < 120; i++) {
      const res = await fetch(server.url + Paths.login, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...from('192.0.2.200') },
        body: i % 2 ? '{}' : JSON.stringify({ email: 'not an email', password: '' }),
      });
      expect(res.status).toBe(400);
    }
    // Well-formed sign-ins are counted: a hundred (one account's, held by its own limit after three
    // password checks), then the address waits for any account.
    const results = [];
    for (let i = 0; i < 100; i++) results.push(await loginFrom('192.0.2.200', 'nobody@demo.test', 'wrong'));
    expect(results.filter((r) => r.status === 401)).toHaveLength(3);
    expect(results.filter((r) => r.status === 429)).toHaveLength(97);
    const past = await loginFrom('192.0.2.200', 'ana@demo.test');
    expectLimited(past);
    expect(past.body.error.message).toBe('Too many sign-in attempts from this network. Try again later.');
    expect((await loginFrom('203.0.113.11', 'sofia@demo.test')).status).toBe(200);
  });

  it('answers a deactivated account exactly like a wrong password', async () => {
    const admin = await SyncPeer.connect(server.url, { token: (await loginFrom('203.0.113.12', 'admin@demo.test')).body.token });
    const userId = randomUUID();
    expect(
      await admin.push('admin.user.invite', { id: userId, email: 'lena@demo.test', name: 'Lena', role: 'agent', teamIds: [] }),
    ).toMatchObject({
      status: 'ok',
    });
    await admin.waitFor(() => [...admin.rowsOf('invite').values()].some((i) => i.userId === userId), 'the invite');
    const link = [...admin.rowsOf('invite').values()].find((i) => i.userId === userId)!.url;
    const token = decodeURIComponent(new URL(link).pathname.split('/').pop()!);
    const accept = await fetch(server.url + '/api/invite/accept', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...from('203.0.113.12') },
      body: JSON.stringify({ token, password: 'lena-secret-1' }),
    });
    expect(accept.status).toBe(200);
    expect((await loginFrom('203.0.113.13', 'lena@demo.test', 'lena-secret-1')).status).toBe(200);
    expect(await admin.push('admin.user.update', { userId, active: false })).toMatchObject({ status: 'ok' });
    admin.close();

    const deactivated = await loginFrom('203.0.113.13', 'lena@demo.test', 'lena-secret-1');
    const wrong = await loginFrom('203.0.113.13', 'ana@demo.test', 'not-her-password');
    expect(deactivated.status).toBe(401);
    expect(deactivated.body).toEqual(wrong.body);
    expect(deactivated.body).toEqual({ error: { code: 'INVALID_CREDENTIALS', message: 'Email or password is incorrect.' } });
  });

  it("does not lock a person out with someone else's guesses, while guesses spread over many addresses meet a ceiling", async () => {
    // Bruno signs in at his desk (which also clears what the test above left on his account).
    expect((await loginFrom('203.0.113.20', 'bruno@demo.test')).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await loginFrom('198.51.100.8', 'bruno@demo.test', 'guess' + i)).status).toBe(401);
    expectLimited(await loginFrom('198.51.100.8', 'bruno@demo.test'));
    // At his desk he still signs in: the stranger's guesses did not use up his attempts.
    expect((await loginFrom('203.0.113.20', 'bruno@demo.test')).status).toBe(200);
    // His success cleared the account's count; six guesses from six places reach its ceiling.
    for (let i = 0; i < 6; i++) expect((await loginFrom(`192.0.2.${100 + i}`, 'bruno@demo.test', 'spread' + i)).status).toBe(401);
    expectLimited(await loginFrom('192.0.2.120', 'bruno@demo.test', 'one more'));
  });
});

describe('invitations', () => {
  const accept = (address: string, token: string) =>
    fetch(server.url + '/api/invite/accept', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...from(address) },
      body: JSON.stringify({ token, password: 'long-enough-1' }),
    });

  it('limits accepts of one link, and page views and accepts from one address', async () => {
    const guessed = 'x'.repeat(43);
    const perToken = [];
    for (let i = 0; i < 4; i++) perToken.push((await accept(`198.51.100.${20 + i}`, guessed)).status);
    expect(perToken).toEqual([404, 404, 404, 429]);

    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await fetch(server.url + '/invite/nope' + i, { headers: from('198.51.100.30') })).status);
    expect(statuses).toEqual([404, 404, 404, 404, 404]);
    const limitedPage = await fetch(server.url + '/invite/nope?lang=es', { headers: from('198.51.100.30') });
    expect(limitedPage.status).toBe(429);
    expect(Number(limitedPage.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await limitedPage.text()).toContain('Demasiados intentos. Espera unos minutos y vuelve a intentarlo.');
    const limitedAccept = await accept('198.51.100.30', 'y'.repeat(43));
    expect(limitedAccept.status).toBe(429);
    expect(((await limitedAccept.json()) as any).error.code).toBe('RATE_LIMITED');
    // Another address is not affected.
    expect((await fetch(server.url + '/invite/nope', { headers: from('198.51.100.31') })).status).toBe(404);
  });
});

describe('webchat', () => {
  async function joinFrom(address: string, slug = 'demo', name = 'Visitor', identity?: WebchatCustomer['identity']) {
    const customer = await WebchatCustomer.open(server.url, slug, identity, from(address));
    customer.send({ type: 'join', ...customer.identity, name });
    const frame = await customer.waitFor((f) => f.type === 'joined' || f.type === 'error', 'joined or error');
    return { customer, frame };
  }
  const limitedFrame = (frame: WebchatServerFrame) => {
    expect(frame).toMatchObject({ type: 'error', error: { code: 'RATE_LIMITED' } });
    expect(Number(frame.type === 'error' ? frame.error.params?.retryAfterMs : 0)).toBeGreaterThan(0);
  };

  it('limits new visitors per address and per inbox at their first message, and messages per address and per inbox', async () => {
    // Joining makes nothing and is not held; a new visitor's first message is what counts.
    const fromA = [];
    for (let i = 0; i < 4; i++) fromA.push(await joinFrom('203.0.113.50', 'demo', `A${i}`));
    expect(fromA.map((j) => j.frame.type)).toEqual(['joined', 'joined', 'joined', 'joined']);
    for (let i = 0; i < 3; i++) expect((await fromA[i]!.customer.answerTo('hola')).type).toBe('message');
    limitedFrame(await fromA[3]!.customer.answerTo('hola'));
    // Three more from another address fill the inbox's allowance (6); the next new visitor, from anywhere, waits.
    const fromB = [];
    for (let i = 0; i < 3; i++) fromB.push(await joinFrom('203.0.113.51', 'demo', `B${i}`));
    for (const b of fromB) expect((await b.customer.answerTo('hola')).type).toBe('message');
    const c0 = await joinFrom('203.0.113.52', 'demo', 'C0');
    limitedFrame(await c0.customer.answerTo('hola'));
    // Another inbox is not affected.
    const c1 = await joinFrom('203.0.113.52', 'ventas', 'C1');
    expect((await c1.customer.answerTo('hola')).type).toBe('message');

    // Messages: five from one address (four said above), the sixth waits and is not stored.
    const talker = fromA[0]!.customer;
    expect((await talker.answerTo('una más')).type).toBe('message');
    const id = randomUUID();
    limitedFrame(await talker.answerTo('uno de más', id));
    // Per inbox (8 messages of new visitors; 7 so far): one more from B, then even a fresh address waits.
    expect((await fromB[0]!.customer.answerTo('de B')).type).toBe('message');
    const fresh = await joinFrom('203.0.113.53', 'demo', 'B1', fromB[1]!.customer.identity);
    // B1 rejoined: she has a history now, and is served even though the inbox's allowance is spent.
    expect((await fresh.customer.answerTo('sigo aquí')).type).toBe('message');
    limitedFrame(await fromB[2]!.customer.answerTo('y yo'));

    // The refused message was never stored: a rejoin's history does not hold it.
    const again = await joinFrom('203.0.113.54', 'demo', 'A0', talker.identity);
    expect(again.frame.type === 'joined' && again.frame.history.some((m) => m.id === id)).toBe(false);
    for (const j of [...fromA, ...fromB, c0, c1, fresh, again]) j.customer.close();
  });
});

const blob = (n: number) => Buffer.from(`plain text file number ${n}\n`);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('uploads', () => {
  const put = (token: string, address: string, body: Buffer) =>
    fetch(server.url + Paths.blob(sha(body)), {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain', ...from(address) },
      body,
    });

  it('limits uploads per account, and requests without a session per address', async () => {
    const ana = (await login(server.url, 'ana@demo.test')).token;
    const admin = (await login(server.url, 'admin@demo.test')).token;
    const anas = [];
    for (let i = 0; i < 4; i++) anas.push(await put(ana, '203.0.113.70', blob(i)));
    expect(anas.map((r) => r.status)).toEqual([201, 201, 201, 429]);
    expect(Number(anas[3]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await anas[3]!.json()) as any).error.code).toBe('RATE_LIMITED');
    // Another account from the same address is not held by Ana's uploads.
    expect((await put(admin, '203.0.113.70', blob(10))).status).toBe(201);
    // Requests without a valid session: five from one address are answered 401, then they wait.
    const strangers = [];
    for (let i = 0; i < 6; i++) strangers.push((await put('no-such-token', '203.0.113.72', blob(20 + i))).status);
    expect(strangers).toEqual([401, 401, 401, 401, 401, 429]);
    expect((await put(admin, '203.0.113.72', blob(11))).status).toBe(201);
  });
});

describe('a call center behind one address (every request from 127.0.0.1)', () => {
  const loginHere = async (body: unknown) => {
    const res = await fetch(server.url + Paths.login, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const putHere = (token: string, body: Buffer) =>
    fetch(server.url + Paths.blob(sha(body)), {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
      body,
    });

  it('lets the floor sign in and upload while one host spends its own budget', async () => {
    // One host on the floor: a broken script posts malformed sign-ins, past the address's budget (100)…
    for (let i = 0; i < 110; i++) expect((await loginHere(i % 2 ? {} : { email: 'x', password: 'y' })).status).toBe(400);
    // …and uploads as fast as it can with its own account, past its account's budget (3).
    const sofia = (await loginHere({ email: 'sofia@demo.test', password: DEMO_PASSWORD })).body.token as string;
    const hers = [];
    for (let i = 0; i < 8; i++) hers.push((await putHere(sofia, blob(100 + i))).status);
    expect(hers.slice(0, 3)).toEqual([201, 201, 201]);
    expect(hers.slice(3).every((s) => s === 429)).toBe(true);
    // Everyone else behind the same address still signs in and uploads (Ana's own uploads were spent above).
    expect((await loginHere({ email: 'ana@demo.test', password: DEMO_PASSWORD })).status).toBe(200);
    const admin = await loginHere({ email: 'admin@demo.test', password: DEMO_PASSWORD });
    expect(admin.status).toBe(200);
    expect((await putHere(admin.body.token, blob(200))).status).toBe(201);
  });
});

describe('sessions seen and ended by an admin', () => {
  it('lists a user’s sessions with their device, and ending one signs that device out at once', async () => {
    const phone = await loginFrom('203.0.113.90', 'sofia@demo.test', DEMO_PASSWORD, 'Bandeja/0.1.0 (headless; linux)');
    const desk = await loginFrom('203.0.113.90', 'sofia@demo.test', DEMO_PASSWORD, 'Bandeja/0.1.0 (electron; win32)');
    const onPhone = await SyncPeer.connect(server.url, { token: phone.body.token });
    const onDesk = await SyncPeer.connect(server.url, { token: desk.body.token });
    const adminToken = (await loginFrom('203.0.113.91', 'admin@demo.test')).body.token as string;
    const auth = { authorization: `Bearer ${adminToken}` };

    const listed = AdminSessionsResponse.parse(
      await (await fetch(server.url + Paths.adminUserSessions('user-sofia'), { headers: auth })).json(),
    );
    const phoneSession = listed.sessions.find((s) => s.device === 'Bandeja/0.1.0 (headless; linux)');
    expect(phoneSession).toMatchObject({ clientId: onPhone.clientId, current: false });
    expect(listed.sessions.find((s) => s.device === 'Bandeja/0.1.0 (electron; win32)')).toMatchObject({ clientId: onDesk.clientId });
    expect(phoneSession!.lastSeenAt).toBeGreaterThanOrEqual(phoneSession!.createdAt);

    // Only admins, and only their tenant's sessions.
    const agent = (await login(server.url, 'ana@demo.test')).token;
    expect(
      (await fetch(server.url + Paths.adminUserSessions('user-sofia'), { headers: { authorization: `Bearer ${agent}` } })).status,
    ).toBe(403);
    expect((await fetch(server.url + Paths.adminUserSessions('user-nobody'), { headers: auth })).status).toBe(404);

    const ended = await fetch(server.url + Paths.adminSession(phoneSession!.id), { method: 'DELETE', headers: auth });
    expect(ended.status).toBe(200);
    expect((await onPhone.closed).code).toBe(CloseCode.unauthorized);
    const again = await SyncPeer.connect(server.url, { token: phone.body.token, skipHello: true });
    await expect(again.hello()).rejects.toThrow(/UNAUTHORIZED/);
    // The other device keeps working.
    expect((await onDesk.push('presence.set', { presence: 'away' })).status).toBe('ok');
    const after = AdminSessionsResponse.parse(
      await (await fetch(server.url + Paths.adminUserSessions('user-sofia'), { headers: auth })).json(),
    );
    expect(after.sessions.some((s) => s.id === phoneSession!.id)).toBe(false);
    expect((await fetch(server.url + Paths.adminSession(phoneSession!.id), { method: 'DELETE', headers: auth })).status).toBe(404);
    onDesk.close();
  });
});
