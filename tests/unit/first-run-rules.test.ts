// The first-run rules under plain Node: which server a start uses (core/serverChoice.ts) and what the
// sign-in screen accepts as a server's address (src-shared/rules/serverAddress.ts).
import { describe, expect, it } from 'vitest';
import { planStart } from '../../src-main/core/serverChoice';
import { parseServerAddress } from '../../src-shared/rules/serverAddress';

const bare = { demo: false, server: null, serverPort: 8787 };

describe('which server a start uses', () => {
  it('with no flags and nothing chosen before: no server starts, the screen asks and offers the demo', () => {
    expect(planStart(bare, null)).toEqual({ demoPort: null, serverUrl: null, localDemo: 'available' });
  });

  it('goes straight to the server chosen at the last sign-in, starting nothing', () => {
    expect(planStart(bare, { url: 'https://bandeja.example.com', demo: false })).toEqual({
      demoPort: null,
      serverUrl: 'https://bandeja.example.com',
      localDemo: 'available',
    });
  });

  it('runs the demo again, on its old address, when the demo was the last choice', () => {
    expect(planStart({ ...bare, serverPort: 0 }, { url: 'http://127.0.0.1:41234', demo: true })).toEqual({
      demoPort: 41234,
      serverUrl: null,
      localDemo: 'running',
    });
  });

  it('keeps the explicit flags: --server wins and offers no demo; --demo starts it at once', () => {
    const remembered = { url: 'http://127.0.0.1:8787', demo: true };
    expect(planStart({ ...bare, server: 'https://b.example.com', demo: true }, remembered)).toEqual({
      demoPort: null,
      serverUrl: 'https://b.example.com',
      localDemo: 'unavailable',
    });
    expect(planStart({ ...bare, demo: true, serverPort: 9000 }, { url: 'https://b.example.com', demo: false })).toEqual({
      demoPort: 9000,
      serverUrl: null,
      localDemo: 'running',
    });
  });
});

describe('a server address on the sign-in screen', () => {
  it('takes http(s) addresses, one spelling per server', () => {
    expect(parseServerAddress('  https://Bandeja.Example.com/  ')).toEqual({ ok: true, url: 'https://bandeja.example.com' });
    expect(parseServerAddress('http://127.0.0.1:8787')).toEqual({ ok: true, url: 'http://127.0.0.1:8787' });
    expect(parseServerAddress('https://example.com/bandeja/')).toEqual({ ok: true, url: 'https://example.com/bandeja' });
  });

  it('says what is wrong with anything else', () => {
    expect(parseServerAddress('')).toEqual({ ok: false, problem: 'empty' });
    expect(parseServerAddress('bandeja.example.com')).toEqual({ ok: false, problem: 'scheme' });
    expect(parseServerAddress('ftp://bandeja.example.com')).toEqual({ ok: false, problem: 'scheme' });
    expect(parseServerAddress('javascript:alert(1)')).toEqual({ ok: false, problem: 'scheme' });
    expect(parseServerAddress('http://')).toEqual({ ok: false, problem: 'invalid' });
    expect(parseServerAddress('http://exa mple.com')).toEqual({ ok: false, problem: 'invalid' });
    expect(parseServerAddress('https://ana:secret@bandeja.example.com')).toEqual({ ok: false, problem: 'credentials' });
    expect(parseServerAddress('https://bandeja.example.com/?x=1')).toEqual({ ok: false, problem: 'extra' });
    expect(parseServerAddress('https://bandeja.example.com/#x')).toEqual({ ok: false, problem: 'extra' });
    expect(parseServerAddress(`https://${'a'.repeat(3000)}.com`)).toEqual({ ok: false, problem: 'invalid' });
  });
});
