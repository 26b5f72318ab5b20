// A note mentions the people picked from the @ list while their @Name stays in the text: names typed
// by hand are not mentions, a deleted @Name drops its mention, and a longer word is not the name.
import { describe, expect, it } from 'vitest';
import { keepWritten, mentionsToSend } from '../../src-renderer/state/mentions';

const bruno = { id: 'u-bruno', name: 'Bruno' };
const ana = { id: 'u-ana', name: 'Ana' };
const anaLima = { id: 'u-ana-lima', name: 'Ana Lima' };

describe('note mentions', () => {
  it('sends the picked user ids, once each, in pick order', () => {
    expect(mentionsToSend('@Bruno y @Ana, miren esto. @Bruno?', [bruno, ana, bruno])).toEqual(['u-bruno', 'u-ana']);
  });

  it('does not mention a name typed by hand without picking it', () => {
    expect(mentionsToSend('hola @Bruno', [])).toEqual([]);
    expect(mentionsToSend('hola @Bruno @Ana', [ana])).toEqual(['u-ana']);
  });

  it('drops a pick whose @Name was deleted from the text', () => {
    expect(mentionsToSend('revisa esto por favor', [bruno])).toEqual([]);
    expect(keepWritten('revisa esto @Ana', [bruno, ana])).toEqual([ana]);
  });

  it('keeps two people with the same first name apart by what was picked', () => {
    expect(mentionsToSend('@Ana Lima revisa', [anaLima])).toEqual(['u-ana-lima']);
    // "@Anabel" is not "@Ana".
    expect(mentionsToSend('@Anabel revisa', [ana])).toEqual([]);
    expect(mentionsToSend('gracias @Ana.', [ana])).toEqual(['u-ana']);
  });

  it('sends at most twenty', () => {
    const many = Array.from({ length: 25 }, (_, i) => ({ id: `u${i}`, name: `P${i}` }));
    expect(mentionsToSend(many.map((p) => `@${p.name}`).join(' '), many)).toHaveLength(20);
  });
});
