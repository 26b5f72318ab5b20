// The abuse guards' settings: rate limits from defaults, the environment and options; bad values refused
// at start (a typo must not leave a server unprotected); session lifetimes likewise.
import { describe, expect, it } from 'vitest';
import { lifetimesFromEnv, DEFAULT_SESSION_ABSOLUTE_MS, DEFAULT_SESSION_IDLE_MS } from '../../src-server/auth/sessions';
import { DEFAULT_LIMITS, limitEnvName, parseLimit, resolveLimits } from '../../src-server/limits/config';
import { trustProxyFromEnv } from '../../src-server/limits/http';

describe('rate limit settings', () => {
  it('parses <max>/<window> with units', () => {
    expect(parseLimit('600/1m')).toEqual({ max: 600, windowMs: 60_000 });
    expect(parseLimit(' 5 / 30s ')).toEqual({ max: 5, windowMs: 30_000 });
    expect(parseLimit('10/2h')).toEqual({ max: 10, windowMs: 7_200_000 });
    expect(parseLimit('3/1500')).toEqual({ max: 3, windowMs: 1500 });
    for (const bad of ['', '600', '600/', '/1m', '-1/1m', '5/0', '5/1d', 'lots/1m']) expect(parseLimit(bad)).toBeNull();
  });

  it('takes defaults, then the environment, then the options; a malformed variable stops the start', () => {
    expect(limitEnvName('loginFailuresPerAccount')).toBe('BANDEJA_LIMIT_LOGIN_FAILURES_PER_ACCOUNT');
    const limits = resolveLimits(
      { BANDEJA_LIMIT_LOGIN_PER_ADDRESS: '50/10s', BANDEJA_LIMIT_UPLOAD_PER_ACCOUNT: '7/1m' },
      { uploadPerAccount: { max: 1, windowMs: 1000 } },
    );
    expect(limits.loginPerAddress).toEqual({ max: 50, windowMs: 10_000 });
    expect(limits.uploadPerAccount).toEqual({ max: 1, windowMs: 1000 });
    expect(limits.webchatNewVisitorsPerInbox).toEqual(DEFAULT_LIMITS.webchatNewVisitorsPerInbox);
    expect(() => resolveLimits({ BANDEJA_LIMIT_WEBCHAT_SAY_PER_INBOX: '3000 per minute' })).toThrow(
      'BANDEJA_LIMIT_WEBCHAT_SAY_PER_INBOX must look like 600/1m',
    );
  });

  it('lets a whole floor sign in by default: 300 logins a minute from one address fit', () => {
    expect(DEFAULT_LIMITS.loginPerAddress.max * (60_000 / DEFAULT_LIMITS.loginPerAddress.windowMs)).toBeGreaterThanOrEqual(300);
  });

  it('reads the trusted proxy and session lifetimes', () => {
    expect(trustProxyFromEnv(undefined)).toBeUndefined();
    expect(trustProxyFromEnv('false')).toBeUndefined();
    expect(trustProxyFromEnv('true')).toBe(true);
    expect(trustProxyFromEnv('2')).toBe(2);
    expect(trustProxyFromEnv('10.0.0.0/8,127.0.0.1')).toBe('10.0.0.0/8,127.0.0.1');
    expect(lifetimesFromEnv({})).toEqual({ idleMs: DEFAULT_SESSION_IDLE_MS, absoluteMs: DEFAULT_SESSION_ABSOLUTE_MS });
    expect(lifetimesFromEnv({ BANDEJA_SESSION_IDLE_MS: '1000' }, { absoluteMs: 5000 })).toEqual({ idleMs: 1000, absoluteMs: 5000 });
    expect(() => lifetimesFromEnv({ BANDEJA_SESSION_ABSOLUTE_MS: '90d' })).toThrow('BANDEJA_SESSION_ABSOLUTE_MS must be a number');
  });
});
