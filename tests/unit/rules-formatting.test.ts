// WhatsApp markup and links as the timeline shows them: what formats, what stays as typed, and which
// part of a sentence is the link.
import { describe, expect, it } from 'vitest';
import { asLink, linksIn, parseFormatting, toggleMarker, type FormatToken } from '../../src-shared/rules/formatting';

/** A compact picture of the tokens: *b*, _i_, ~s~, `c`, [link->href]. */
function show(tokens: FormatToken[]): string {
  return tokens
    .map((t) => {
      switch (t.kind) {
        case 'text':
          return t.text;
        case 'bold':
          return `<b>${show(t.children)}</b>`;
        case 'italic':
          return `<i>${show(t.children)}</i>`;
        case 'strike':
          return `<s>${show(t.children)}</s>`;
        case 'code':
          return `<code>${t.text}</code>`;
        case 'link':
          return `[${t.text}->${t.href}]`;
      }
    })
    .join('');
}
const fmt = (body: string) => show(parseFormatting(body));

describe('WhatsApp markup', () => {
  it('formats bold, italic, strike and code', () => {
    expect(fmt('a *bold* b')).toBe('a <b>bold</b> b');
    expect(fmt('_italic_')).toBe('<i>italic</i>');
    expect(fmt('~gone~ now')).toBe('<s>gone</s> now');
    expect(fmt('run `npm test` now')).toBe('run <code>npm test</code> now');
    expect(fmt('```block *not bold*\nline 2```')).toBe('<code>block *not bold*\nline 2</code>');
  });

  it('nests and sits next to punctuation', () => {
    expect(fmt('*bold _and italic_*')).toBe('<b>bold <i>and italic</i></b>');
    expect(fmt('(*yes*), _no_!')).toBe('(<b>yes</b>), <i>no</i>!');
    expect(fmt('*a* *b*')).toBe('<b>a</b> <b>b</b>');
  });

  it('leaves arithmetic, words with underscores and stray markers as typed', () => {
    expect(fmt('2*3*4 = 24')).toBe('2*3*4 = 24');
    expect(fmt('call send_message_now')).toBe('call send_message_now');
    expect(fmt('snake_case_name and _real italic_')).toBe('snake_case_name and <i>real italic</i>');
    expect(fmt('* not bold *')).toBe('* not bold *');
    expect(fmt('*unclosed and _also')).toBe('*unclosed and _also');
    expect(fmt('**')).toBe('**');
    expect(fmt('a * b * c')).toBe('a * b * c');
    expect(fmt('price: 5*')).toBe('price: 5*');
  });

  it('does not span lines', () => {
    expect(fmt('*first\nsecond*')).toBe('*first\nsecond*');
    expect(fmt('*one*\n*two*')).toBe('<b>one</b>\n<b>two</b>');
  });

  it('keeps every character of plain text', () => {
    const body = 'Olá, tudo bem? 😀 Preço: R$ 10,00 — 50% off\n\tok';
    expect(fmt(body)).toBe(body);
    expect(parseFormatting('')).toEqual([]);
  });
});

describe('links', () => {
  it('finds http, https, www., mailto: and bandeja:// links', () => {
    expect(fmt('see https://example.com/a?b=1#c ok')).toBe('see [https://example.com/a?b=1#c->https://example.com/a?b=1#c] ok');
    expect(fmt('http://x.org')).toBe('[http://x.org->http://x.org]');
    expect(fmt('go to www.example.com')).toBe('go to [www.example.com->https://www.example.com]');
    expect(fmt('write mailto:help@example.com')).toBe('write [mailto:help@example.com->mailto:help@example.com]');
    const [app] = linksIn('open bandeja://conversation/c1/message/m2 now');
    expect(app).toMatchObject({ scheme: 'app', deepLink: { kind: 'conversation', conversationId: 'c1', messageId: 'm2' } });
  });

  it('leaves the punctuation that follows a link out of it', () => {
    expect(fmt('Visit https://example.com.')).toBe('Visit [https://example.com->https://example.com].');
    expect(fmt('(see https://example.com/x)')).toBe('(see [https://example.com/x->https://example.com/x])');
    expect(fmt('https://en.wikipedia.org/wiki/Foo_(bar), next')).toBe(
      '[https://en.wikipedia.org/wiki/Foo_(bar)->https://en.wikipedia.org/wiki/Foo_(bar)], next',
    );
    expect(fmt('really? https://a.io/x?!')).toBe('really? [https://a.io/x->https://a.io/x]?!');
    expect(fmt('"https://a.io/q"')).toBe('"[https://a.io/q->https://a.io/q]"');
  });

  it('keeps markup characters inside a link and formats around it', () => {
    expect(fmt('https://x.com/a_b_c/*d*')).toBe('[https://x.com/a_b_c/*d->https://x.com/a_b_c/*d]*');
    expect(fmt('*https://x.com/read*')).toBe('<b>[https://x.com/read->https://x.com/read]</b>');
    expect(fmt('_see www.x.com/a_b_')).toBe('<i>see [www.x.com/a_b->https://www.x.com/a_b]</i>');
  });

  it('refuses what is not a link we open', () => {
    expect(linksIn('javascript:alert(1) file:///etc/passwd ftp://x.com')).toEqual([]);
    expect(linksIn('bandeja://settings/delete-all')).toEqual([]);
    expect(linksIn('https:// nothing, http://nodot')).toEqual([]);
    expect(linksIn('mailto:nobody')).toEqual([]);
    expect(linksIn('abc.www.example.com user@www.example.com')).toEqual([]);
    expect(fmt('`https://x.com` is code')).toBe('<code>https://x.com</code> is code');
  });

  it('asLink accepts exactly one link', () => {
    expect(asLink(' https://x.com ')?.href).toBe('https://x.com');
    expect(asLink('www.x.com')?.href).toBe('https://www.x.com');
    expect(asLink('see https://x.com')).toBeNull();
    expect(asLink('https://x.com.')).toBeNull();
  });
});

describe('toggleMarker (Ctrl/Cmd+B, Ctrl/Cmd+I)', () => {
  it('wraps the selection, leaving its outer spaces outside', () => {
    expect(toggleMarker({ text: 'say hello now', start: 4, end: 9 }, '*')).toEqual({ text: 'say *hello* now', start: 5, end: 10 });
    expect(toggleMarker({ text: 'say hello now', start: 3, end: 10 }, '_')).toEqual({ text: 'say _hello_ now', start: 5, end: 10 });
  });

  it('unwraps a wrapped selection (markers outside or inside it)', () => {
    expect(toggleMarker({ text: 'say *hello* now', start: 5, end: 10 }, '*')).toEqual({ text: 'say hello now', start: 4, end: 9 });
    expect(toggleMarker({ text: 'say *hello* now', start: 4, end: 11 }, '*')).toEqual({ text: 'say hello now', start: 4, end: 9 });
  });

  it('puts the caret between a new pair when nothing is selected', () => {
    expect(toggleMarker({ text: 'ab', start: 1, end: 1 }, '*')).toEqual({ text: 'a**b', start: 2, end: 2 });
  });
});
