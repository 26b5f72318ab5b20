// This server node's identity: a random id kept in its data folder, so the node is the same one after a
// restart (it may then settle what it left half done) and another node sharing the database is not.
import { randomUUID } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export function nodeIdFromFile(path: string): string {
  if (!existsSync(path)) createNodeId(path);
  const id = readFileSync(path, 'utf8').trim();
  if (!id) throw new Error(`The node id file ${path} is empty. Delete it to get a new id.`);
  return id;
}

function createNodeId(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  // Written whole under another name, then linked into place (a link never replaces a file): a start
  // racing this one reads either no file or a whole id, and the first id linked is everyone's.
  const draft = `${path}.${randomUUID()}.tmp`;
  writeFileSync(draft, randomUUID(), { flag: 'wx' });
  try {
    linkSync(draft, path);
  } catch (e) {
    // Linked by a start racing this one (or by an earlier run): use theirs.
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    rmSync(draft, { force: true });
  }
}
