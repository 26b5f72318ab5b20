// How the renderer writes and reads reminder times: "Overdue: <date> <time>" in the reader's language,
// and the chosen date and time of the Remind me dialog as this device's local time (to the second, so
// a reminder a few seconds ahead can be chosen).
import { describe, expect, it } from 'vitest';
import { dateAndTime, fromLocalInput, localInputValue } from '../../src-renderer/i18n/format';

describe('reminder times in the renderer', () => {
  const at = new Date(2026, 4, 12, 14, 30).getTime();

  it('says the date and time the way each language writes them', () => {
    expect(dateAndTime('en', at)).toMatch(/^May 12, 2:30\sPM$/);
    expect(dateAndTime('es', at)).toMatch(/^12 may,? 14:30$/);
    expect(dateAndTime('pt-BR', at)).toMatch(/^12 de mai\.?,? 14:30$/);
  });

  it('reads back what the date-time field shows, in local time, with or without seconds', () => {
    expect(localInputValue(at)).toBe('2026-05-12T14:30');
    expect(fromLocalInput(localInputValue(at))).toBe(at);
    expect(fromLocalInput('2026-05-12T14:30:15')).toBe(at + 15_000);
  });

  it('gives no time for an unfinished field, so the dialog asks for one', () => {
    for (const partial of ['', '2026-05-12', '2026-05-12T', 'tomorrow']) expect(fromLocalInput(partial), partial).toBeNaN();
  });
});
