// The client's small JSON files (settings, sealed or plain secrets): written whole (temporary file, then
// rename) so a crash mid-write leaves the previous file, never half of one, and readable only by this OS user.
import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export function writePrivateFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  // `mode` only applies when the file is created: a leftover from a crashed write keeps its own.
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}
