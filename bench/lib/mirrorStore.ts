// Writes the dataset into an agent's mirror the way the product does: a real mirror file (openMirror,
// real migrations) filled through the snapshot apply path (applySnapshotBegin/Page/End) in pages of
// the server's snapshot size.
import type { Op } from '../../src-shared/protocol';
import { applySnapshotBegin, applySnapshotEnd, applySnapshotPage } from '../../src-main/core/mirror/apply';
import { openMirror, type Mirror } from '../../src-main/core/mirror/db';
import { clientId, writeSessionUser } from '../../src-main/core/mirror/meta';
import { SNAPSHOT_PAGE_ROWS } from '../../src-server/sync/snapshot';
import type { User } from '../../src-shared/domain';
import { EPOCH, VERSION } from './dataset';

export class MirrorWriter {
  readonly mirror: Mirror;
  private page: Op[] = [];

  constructor(path: string, owner: User) {
    this.mirror = openMirror(path);
    writeSessionUser(this.mirror.db, owner);
    clientId(this.mirror.db);
    applySnapshotBegin(this.mirror.db, EPOCH);
  }

  add(ops: Iterable<Op>): void {
    for (const op of ops) {
      this.page.push(op);
      if (this.page.length >= SNAPSHOT_PAGE_ROWS) this.flush();
    }
  }

  flush(): void {
    if (this.page.length === 0) return;
    applySnapshotPage(this.mirror.db, this.page);
    this.page = [];
  }

  finish(): void {
    this.flush();
    applySnapshotEnd(this.mirror.db, VERSION);
    this.mirror.db.pragma('wal_checkpoint(TRUNCATE)');
    this.mirror.close();
  }
}
