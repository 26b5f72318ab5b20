// @mentions of a note are the people the agent picked from the @ list, not names guessed from the
// text: two colleagues may share a first name, and "@Ana" typed by hand (never picked) is just text.
// A pick counts only while its "@Name" is still in the note, so deleting the text drops the mention.

export interface MentionPick {
  id: string;
  name: string;
}

/** True when "@name" appears in the body as a whole name (not the start of a longer word). */
function stillWritten(body: string, name: string): boolean {
  const needle = `@${name}`;
  for (let at = body.indexOf(needle); at >= 0; at = body.indexOf(needle, at + 1)) {
    const next = body.charAt(at + needle.length);
    if (!next || !/[\p{L}\p{N}_]/u.test(next)) return true;
  }
  return false;
}

/** The user ids to send with a note: each pick whose @Name is still in the body, once, in pick order. */
export function mentionsToSend(body: string, picks: readonly MentionPick[], max = 20): string[] {
  const ids: string[] = [];
  for (const p of picks) if (!ids.includes(p.id) && stillWritten(body, p.name)) ids.push(p.id);
  return ids.slice(0, max);
}

/** Picks that still have their @Name in the text (the others are forgotten as the agent edits). */
export function keepWritten(body: string, picks: readonly MentionPick[]): MentionPick[] {
  return picks.filter((p) => stillWritten(body, p.name));
}
