// Which blob store a server uses: BANDEJA_BLOB_STORE=folder|postgres|s3, by default postgres under
// PostgreSQL (every process reaches it) and the data folder under PGlite (one process). The S3 store reads
// BANDEJA_S3_BUCKET (required), BANDEJA_S3_REGION (else AWS_REGION, else us-east-1), BANDEJA_S3_ENDPOINT
// (an S3-compatible service), BANDEJA_S3_FORCE_PATH_STYLE=true (MinIO and most self-hosted services),
// BANDEJA_S3_PREFIX (default "blobs/"), and credentials the AWS SDK's way (AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY, a profile, or a role).
import { join } from 'node:path';
import type { Db } from '../../store/db';
import type { BlobStore, BlobStoreKind } from '../store';
import { FolderBlobStore } from './folder';
import { PostgresBlobStore } from './postgres';
import { S3BlobStore } from './s3';

/** The data folder's blob directory (also where an older server left its files). */
export function blobFolder(dataDir: string): string {
  return join(dataDir, 'server', 'blobs');
}

/** The store the settings name; a malformed setting throws (the server does not start). */
export function blobStoreFromEnv(env: NodeJS.ProcessEnv, at: { db: Db; dataDir: string }): BlobStore {
  const kind = (env.BANDEJA_BLOB_STORE?.trim() || (at.db.kind === 'pg' ? 'postgres' : 'folder')) as BlobStoreKind;
  switch (kind) {
    case 'folder':
      return new FolderBlobStore(blobFolder(at.dataDir));
    case 'postgres':
      return new PostgresBlobStore(at.db);
    case 's3': {
      const bucket = env.BANDEJA_S3_BUCKET?.trim();
      if (!bucket) throw new Error('BANDEJA_BLOB_STORE=s3 needs BANDEJA_S3_BUCKET (the bucket’s name).');
      const pathStyle = env.BANDEJA_S3_FORCE_PATH_STYLE?.trim() ?? '';
      if (!['', 'true', 'false'].includes(pathStyle))
        throw new Error(`BANDEJA_S3_FORCE_PATH_STYLE must be true or false, not "${pathStyle}".`);
      const endpoint = env.BANDEJA_S3_ENDPOINT?.trim() || undefined;
      if (endpoint && !/^https?:\/\/[^/]/.test(endpoint)) throw new Error(`BANDEJA_S3_ENDPOINT must be an http(s) URL, not "${endpoint}".`);
      return new S3BlobStore({
        bucket,
        endpoint,
        region: env.BANDEJA_S3_REGION?.trim() || env.AWS_REGION?.trim() || 'us-east-1',
        forcePathStyle: pathStyle === 'true',
        prefix: env.BANDEJA_S3_PREFIX ?? undefined,
        // Keys from these settings when given here; else the SDK's own chain (profiles, roles).
        credentials:
          env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
            ? {
                accessKeyId: env.AWS_ACCESS_KEY_ID,
                secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
                sessionToken: env.AWS_SESSION_TOKEN || undefined,
              }
            : undefined,
        spoolDir: join(at.dataDir, 'server', 'blob-spool'),
      });
    }
    default:
      throw new Error(`BANDEJA_BLOB_STORE must be folder, postgres or s3, not "${String(kind)}".`);
  }
}
