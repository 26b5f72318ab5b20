// A server that kept attachment files in its data folder (before blobs moved to a shared store) moves them
// into the store it uses now, once, at start: each file is streamed in (its hash checked again), then
// deleted from the folder. Several processes doing it at once (one shared folder) store each blob once.
import { createReadStream, existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { BlobStore } from './store';
import { FolderBlobStore } from './stores/folder';

/** Moves every blob file of `folder` into `store`; returns how many it moved. A file that is not what its
 *  name says (damaged on disk) stays in the folder and is reported. */
export async function adoptFolderBlobs(
  folder: string,
  store: BlobStore,
  info: (line: string) => void,
  warn: (line: string) => void = info,
): Promise<number> {
  if (!existsSync(folder)) return 0;
  const old = new FolderBlobStore(folder);
  let moved = 0;
  for await (const { sha256 } of old.list()) {
    try {
      if (!(await store.has(sha256))) await store.adopt(sha256, createReadStream(old.path(sha256)));
    } catch (e) {
      warn(`The blob file ${old.path(sha256)} was not moved: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    await rm(old.path(sha256), { force: true });
    moved++;
  }
  if (moved > 0) info(`Moved ${moved} blob files from ${folder} into the ${store.kind} blob store`);
  return moved;
}
