// This server node's identity: a random id kept in its data folder, so the node is the same one after a
// restart (it may then settle what it left half done) and another node sharing the database is not.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export function nodeIdFromFile(path: string): string {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    try {
      writeFileSync(path, randomUUID(), { flag: 'wx' });
    } catch (e) {
      // Written by a start racing this one: use theirs.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  const id = readFileSync(path, 'utf8').trim();
  if (!id) throw new Error(`The node id file ${path} is empty. Delete it to get a new id.`);
  return id;
}
