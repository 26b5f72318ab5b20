// A client data folder signed in as a dataset user without the network: settings (the session), the
// headless host's token file and a copy of the dataset's mirror where the core looks for it, as if the
// person had signed in and synced earlier.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { mirrorPath, normalizeServerUrl, tokenSecret } from '../../src-main/core/session';
import { writeSettings } from '../../src-main/core/settings';
import { secretsPath } from '../../src-main/host/headless/host';
import { writePrivateFile } from '../../src-main/core/privateFile';
import type { User } from '../../src-shared/domain';
import { DEFAULT_NOTIFICATION_SETTINGS } from '../../src-shared/ipc';
import { TENANT_ID, tokenOf } from './dataset';

export function prepareClientData(dataDir: string, serverUrl: string, user: User, mirrorFile: string | null): string {
  const url = normalizeServerUrl(serverUrl);
  mkdirSync(dataDir, { recursive: true });
  const session = { serverUrl: url, user, tenant: { id: TENANT_ID, name: 'Bench' } };
  writePrivateFile(secretsPath(dataDir), JSON.stringify({ [tokenSecret(session)]: tokenOf(user.id) }));
  writeSettings(dataDir, { session, server: { url, demo: false }, notifications: DEFAULT_NOTIFICATION_SETTINGS });
  const target = mirrorPath(dataDir, url, user.id);
  mkdirSync(dirname(target), { recursive: true });
  if (mirrorFile) copyFileSync(mirrorFile, target);
  return target;
}
