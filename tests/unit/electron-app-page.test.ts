// The Electron IPC sender check: only the app's own page (dist/renderer/index.html as loaded by
// loadFile, with a route in its hash) may call the core; any other page is refused.
import { describe, expect, it } from 'vitest';
import { appPageCheck } from '../../src-main/host/electron/appPage';

describe('IPC callers (Electron)', () => {
  const isApp = appPageCheck('/opt/Bandeja/resources/app.asar/dist/renderer/index.html', 'linux');

  it("accepts the app's own page, on any route", () => {
    expect(isApp('file:///opt/Bandeja/resources/app.asar/dist/renderer/index.html')).toBe(true);
    expect(isApp('file:///opt/Bandeja/resources/app.asar/dist/renderer/index.html#/mine/open/c/0190-abc')).toBe(true);
    // The same file spelled with escapes or dot segments is still the same page.
    expect(isApp('file:///opt/Bandeja/resources/app.asar/dist/renderer/%69ndex.html')).toBe(true);
    expect(isApp('file:///opt/Bandeja/resources/app.asar/dist/other/../renderer/index.html')).toBe(true);
  });

  it('refuses every other page', () => {
    for (const url of [
      undefined,
      '',
      'file:///tmp/evil.html',
      'file:///home/ana/Downloads/index.html',
      'file:///opt/Bandeja/resources/app.asar/dist/renderer/index.html.evil.html',
      'file:///opt/Bandeja/resources/app.asar/dist/renderer/index.htm',
      'file:///opt/Bandeja/resources/app.asar/dist/renderer/other.html',
      'file:///opt/Bandeja/resources/app.asar/dist/renderer/',
      'file:///opt/Bandeja/resources/app.asar/dist/renderer/index.html/x',
      'file:///opt/Bandeja/resources/app.asar/dist/renderer/index.html?x=1',
      'file:///opt/Bandeja/resources/app.asar/dist/renderer/index.html%00.html',
      'file:///opt/Bandeja/resources/app.asar/dist/evil%2F..%2Frenderer/index.html',
      'file:///opt/Bandeja/resources/app.asar/dist/renderer%2Findex.html',
      'file://attacker.example/opt/Bandeja/resources/app.asar/dist/renderer/index.html',
      'file:///OPT/Bandeja/resources/app.asar/dist/renderer/index.html',
      'http://attacker.example/opt/Bandeja/resources/app.asar/dist/renderer/index.html',
      'https://127.0.0.1/index.html',
      'data:text/html,<script>bandeja.call()</script>',
      'blob:file:///0190-abc',
      'about:blank',
      'about:srcdoc',
      'javascript:alert(1)',
      'devtools://devtools/bundled/inspector.html',
      'not a url',
      'file:///opt/Bandeja/resources/app.asar/dist/renderer/%E0%A4%A.html',
    ]) {
      expect(isApp(url), String(url)).toBe(false);
    }
  });

  it('compares Windows paths as Windows does (drive letter and case)', () => {
    const onWindows = appPageCheck('C:\\Program Files\\Bandeja\\resources\\app.asar\\dist\\renderer\\index.html', 'win32');
    expect(onWindows('file:///C:/Program%20Files/Bandeja/resources/app.asar/dist/renderer/index.html#/all/open')).toBe(true);
    expect(onWindows('file:///c:/program files/bandeja/resources/app.asar/dist/renderer/INDEX.html')).toBe(true);
    expect(onWindows('file:///C:/Users/ana/Downloads/index.html')).toBe(false);
    expect(onWindows('file://attacker/share/index.html')).toBe(false);
  });
});
