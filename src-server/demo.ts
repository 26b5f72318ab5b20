// The demo tenant (`--demo`): fixed ids, so seeding again changes nothing.
import type { Role } from '../src-shared/domain';
import { hashPassword } from './auth/passwords';
import { ChangeBatch } from './store/changeLog';
import type { Db } from './store/db';
import { insertInbox, insertTeam, insertUser } from './store/directory';
import { insertTenant, nextVersion } from './store/tenants';

export const DEMO_PASSWORD = 'demo1234';
export const DEMO = {
  tenantId: 'demo',
  teamId: 'team-soporte',
  inboxId: 'inbox-web',
  inboxSlug: 'demo',
  users: [
    { id: 'user-admin', email: 'admin@demo.test', name: 'Admin', role: 'admin' as Role },
    { id: 'user-sofia', email: 'sofia@demo.test', name: 'Sofía', role: 'supervisor' as Role },
    { id: 'user-ana', email: 'ana@demo.test', name: 'Ana', role: 'agent' as Role },
    { id: 'user-bruno', email: 'bruno@demo.test', name: 'Bruno', role: 'agent' as Role },
  ],
} as const;

/** Creates the demo tenant unless it exists. Returns true when it was created now. */
export async function seedDemo(db: Db): Promise<boolean> {
  const exists = await db.query('SELECT 1 FROM tenants WHERE id = $1', [DEMO.tenantId]);
  if (exists.length > 0) return false;
  const hashes = await Promise.all(DEMO.users.map(() => hashPassword(DEMO_PASSWORD)));
  return db.tx(async (tx) => {
    // Another process may have seeded between the check and here.
    if (!(await insertTenant(tx, DEMO.tenantId, 'Demo', Date.now()))) return false;
    const batch = new ChangeBatch(DEMO.tenantId, await nextVersion(tx, DEMO.tenantId));
    await insertTeam(tx, batch, { id: DEMO.teamId, name: 'Soporte' });
    for (const [i, u] of DEMO.users.entries())
      await insertUser(tx, batch, { ...u, passwordHash: hashes[i]!, teamIds: [DEMO.teamId] });
    await insertInbox(tx, batch, { id: DEMO.inboxId, name: 'Web', channel: 'webchat', teamId: DEMO.teamId, slug: DEMO.inboxSlug });
    await batch.write(tx);
    return true;
  });
}
