// The deployment files in deploy/ as the tools that read them see them: systemd's own checker on the
// template unit (an instance of it, with this machine's node), and `nginx -t` on the whole site with a
// throwaway certificate. Running them behind a balancer is server-rolling-restart.test.ts.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nginxBinary } from '../support/nginx';

const DEPLOY = resolve(import.meta.dirname, '../../deploy');

describe('deploy/', () => {
  it('has a systemd template unit that systemd-analyze verifies, stopping with SIGTERM after longer than the server takes', () => {
    const unit = readFileSync(join(DEPLOY, 'systemd/bandeja-server@.service'), 'utf8');
    const dir = mkdtempSync(join(tmpdir(), 'bandeja-unit-'));
    // This machine's node stands in for /usr/bin/node (the checker wants the binary to exist).
    writeFileSync(join(dir, 'bandeja-server@.service'), unit.replace('/usr/bin/node', process.execPath));
    const verify = spawnSync('systemd-analyze', ['verify', join(dir, 'bandeja-server@8801.service')], { encoding: 'utf8' });
    expect(verify.error, 'systemd-analyze is not installed (.ci/run installs systemd)').toBeUndefined();
    expect(verify.stderr).toBe('');
    expect(verify.status).toBe(0);
    const setting = (name: string) => new RegExp(`^${name}=(.*)$`, 'm').exec(unit)?.[1];
    expect(setting('KillSignal')).toBe('SIGTERM');
    expect(setting('Restart')).toBe('on-failure');
    expect(setting('EnvironmentFile')).toBe('/etc/bandeja/server.env');
    // Above the drain delay in server.env plus the server's own 30 s close deadline (cli.ts).
    const drain = Number(/^BANDEJA_DRAIN_DELAY_MS=(\d+)$/m.exec(readFileSync(join(DEPLOY, 'systemd/server.env'), 'utf8'))?.[1]);
    expect(Number(setting('TimeoutStopSec')) * 1000).toBeGreaterThan(drain + 30_000);
  });

  it('has an nginx site that nginx -t accepts', () => {
    const bin = nginxBinary();
    expect(bin, 'nginx is not installed (.ci/run installs it)').not.toBeNull();
    const dir = mkdtempSync(join(tmpdir(), 'bandeja-site-'));
    mkdirSync(join(dir, 'logs'));
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    const made = spawnSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=bandeja.example.com', '-keyout', key, '-out', cert],
      { encoding: 'utf8' },
    );
    expect(made.status, made.stderr).toBe(0);
    for (const f of ['upstream.conf', 'locations.conf']) writeFileSync(join(dir, f), readFileSync(join(DEPLOY, 'nginx', f), 'utf8'));
    const site = readFileSync(join(DEPLOY, 'nginx/bandeja.conf'), 'utf8')
      .replaceAll('/etc/nginx/bandeja/', `${dir}/`)
      .replace(/ssl_certificate .*;/, `ssl_certificate ${cert};`)
      .replace(/ssl_certificate_key .*;/, `ssl_certificate_key ${key};`);
    writeFileSync(join(dir, 'bandeja.conf'), site);
    writeFileSync(
      join(dir, 'nginx.conf'),
      `pid ${dir}/nginx.pid;\nerror_log ${dir}/logs/error.log;\nevents {}\nhttp {\n  include ${dir}/bandeja.conf;\n}\n`,
    );
    const test = spawnSync(bin!, ['-t', '-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'logs/error.log')], { encoding: 'utf8' });
    expect(test.stderr).toContain('test is successful');
    expect(test.status).toBe(0);
  });
});
