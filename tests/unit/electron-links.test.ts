// Which links the Electron window hands to the system (shell.openExternal) and which it drops.
import { describe, expect, it } from 'vitest';
import { externalLink } from '../../src-main/host/electron/links';

describe('links leaving the app', () => {
  it('opens web pages, mail and phone numbers in the system', () => {
    expect(externalLink('https://example.com/a?b=1#c')).toBe('https://example.com/a?b=1#c');
    expect(externalLink('http://example.com')).toBe('http://example.com/');
    expect(externalLink('HTTPS://Example.com/x')).toBe('https://example.com/x');
    expect(externalLink('mailto:carla@example.com?subject=Hola')).toBe('mailto:carla@example.com?subject=Hola');
    expect(externalLink('tel:+5491155550000')).toBe('tel:+5491155550000');
  });

  it('drops everything else: local files, scripts, data, deep links, other programs, garbage', () => {
    for (const url of [
      'file:///etc/passwd',
      'javascript:alert(1)',
      ' javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'bandeja://conversation/c1/message/m1',
      'vbscript:msgbox(1)',
      'smb://server/share',
      'ms-msdt:/id PCWDiagnostic',
      'chrome://settings',
      'about:blank',
      'blob:https://example.com/uuid',
      'not a url',
      '',
      'http://',
    ])
      expect(externalLink(url), url).toBeNull();
  });
});
