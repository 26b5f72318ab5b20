// Whether this process should be sent traffic: the database answers, every migration this server knows is
// applied, and it is not draining (SIGTERM sets that before the process closes, so a load balancer stops
// sending it new connections first).
import type { Db } from '../store/db';
import { schemaVersion } from '../store/migrate';

/** How long the database may take to answer a readiness check. */
export const READY_DB_TIMEOUT_MS = 2000;

export interface ReadyReport {
  ready: boolean;
  database: boolean;
  migrations: boolean;
  draining: boolean;
}

export class Readiness {
  private drainingSince: number | null = null;

  constructor(
    private readonly db: Db,
    private readonly knownMigrations: number,
  ) {}

  get draining(): boolean {
    return this.drainingSince !== null;
  }

  drain(): void {
    this.drainingSince ??= Date.now();
  }

  async check(): Promise<ReadyReport> {
    let database = false;
    let migrations = false;
    let timer: NodeJS.Timeout | undefined;
    try {
      const version = await Promise.race([
        schemaVersion(this.db),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), READY_DB_TIMEOUT_MS))),
      ]);
      database = true;
      migrations = version === this.knownMigrations;
    } catch {
      // Unreachable, closed or too slow: not ready. The reason is the database's business, not the caller's.
    } finally {
      clearTimeout(timer);
    }
    const draining = this.draining;
    return { ready: database && migrations && !draining, database, migrations, draining };
  }
}
