// What an agent reads for the refusals that must name only what she may see (issue 12): a reopen refused
// for another active conversation (one she may see, or one handled elsewhere) and a note mentioning
// someone who cannot see the conversation, in each language of the UI.
import i18next from 'i18next';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeErrorBody } from '../../src-renderer/i18n/errorBody';

const dir = resolve(__dirname, '../../src-renderer/i18n/locales');

async function translatorFor(lang: string) {
  const t = i18next.createInstance();
  await t.init({ lng: lang, resources: { [lang]: { translation: JSON.parse(readFileSync(join(dir, `${lang}.json`), 'utf8')) } } });
  return t.t.bind(t);
}

const nameOf = (id: string) => ({ 'user-bruno': 'Bruno' })[id] ?? id;

describe.each([
  ['en', 'Continue there', 'being helped in another conversation', 'Bruno cannot see this conversation'],
  ['es', 'Continúa allí', 'lo está atendiendo otra persona', 'Bruno no puede ver esta conversación'],
  ['pt-BR', 'Continue nela', 'sendo atendido por outra pessoa', 'Bruno não pode ver esta conversa'],
])('%s', (lang, visible, elsewhere, mention) => {
  it('says a refused reopen points to a conversation she sees, or that the customer is helped elsewhere, and who cannot see a note', async () => {
    const t = await translatorFor(lang);
    const seen = describeErrorBody(
      t,
      { code: 'INVALID_TRANSITION', params: { reason: 'activeConversation', conversationId: 'c2' } },
      nameOf,
    );
    const hidden = describeErrorBody(t, { code: 'INVALID_TRANSITION', params: { reason: 'activeElsewhere' } }, nameOf);
    expect(seen).toContain(visible);
    expect(hidden).toContain(elsewhere);
    expect(hidden).not.toBe(describeErrorBody(t, { code: 'INVALID_TRANSITION' }, nameOf));
    expect(describeErrorBody(t, { code: 'FORBIDDEN', params: { reason: 'mentionCannotSee', userId: 'user-bruno' } }, nameOf)).toContain(
      mention,
    );
  });
});
