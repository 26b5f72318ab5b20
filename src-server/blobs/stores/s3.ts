// The S3-compatible bucket store (BANDEJA_BLOB_STORE=s3): one object per blob, <prefix><sha256>, through
// the AWS SDK (any S3-compatible service: AWS, MinIO, Ceph, R2, with a path-style option). An upload is
// first spooled to a local temporary file while it is checked (the object must not exist under its hash
// before every byte matched), then sent with one PutObject of known length; ranges are GetObject's Range.
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BlobStore, type BlobStat, type ByteRange } from '../store';

export interface S3BlobStoreOptions {
  bucket: string;
  /** Object names are <prefix><sha256>; default "blobs/". */
  prefix?: string;
  /** Another S3-compatible service's URL (MinIO: http://host:9000); default AWS's. */
  endpoint?: string;
  region: string;
  /** Bucket in the path (http://host/bucket/key) rather than the host name: most self-hosted services. */
  forcePathStyle?: boolean;
  /** Credentials; default the SDK's chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, profiles, roles). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Where uploads wait while they are checked (this process's data folder). */
  spoolDir: string;
}

const SHA256 = /^[0-9a-f]{64}$/;

function notFound(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err.name === 'NotFound' || err.name === 'NoSuchKey' || err.$metadata?.httpStatusCode === 404;
}

export class S3BlobStore extends BlobStore {
  readonly kind = 's3';
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly spoolDir: string;

  constructor(opts: S3BlobStoreOptions) {
    super();
    this.bucket = opts.bucket;
    this.prefix = opts.prefix ?? 'blobs/';
    this.spoolDir = opts.spoolDir;
    mkdirSync(this.spoolDir, { recursive: true });
    this.client = new S3Client({
      region: opts.region,
      endpoint: opts.endpoint,
      forcePathStyle: opts.forcePathStyle,
      credentials: opts.credentials,
    });
  }

  private key(sha256: string): string {
    return this.prefix + sha256;
  }

  protected async put(sha256: string, chunks: AsyncIterable<Buffer>): Promise<void> {
    const tmp = join(this.spoolDir, `${randomUUID()}.part`);
    try {
      let size = 0;
      await pipeline(
        chunks,
        async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            size += chunk.length;
            yield chunk;
          }
        },
        createWriteStream(tmp, { flags: 'wx' }),
      );
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.key(sha256),
          Body: createReadStream(tmp),
          ContentLength: size,
          ContentType: 'application/octet-stream',
        }),
      );
    } finally {
      await rm(tmp, { force: true });
    }
  }

  async stat(sha256: string): Promise<BlobStat | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(sha256) }));
      return { size: head.ContentLength ?? 0, modifiedAt: head.LastModified?.getTime() ?? 0 };
    } catch (e) {
      if (notFound(e)) return null;
      throw e;
    }
  }

  async read(sha256: string, range?: ByteRange): Promise<Readable> {
    const got = await this.client.send(
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: this.key(sha256),
        Range: range ? `bytes=${range.start}-${range.end}` : undefined,
      }),
    );
    return got.Body as Readable;
  }

  /** Whether this call removed it is told by looking first: collection (gc.ts) removes a blob under its
   *  lock, so no other remover runs between the look and the delete. */
  async remove(sha256: string): Promise<boolean> {
    if (!(await this.has(sha256))) return false;
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(sha256) }));
    return true;
  }

  async *list(): AsyncGenerator<{ sha256: string; modifiedAt: number }> {
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix, ContinuationToken: token, MaxKeys: 1000 }),
      );
      for (const object of page.Contents ?? []) {
        const sha256 = object.Key?.slice(this.prefix.length) ?? '';
        if (SHA256.test(sha256)) yield { sha256, modifiedAt: object.LastModified?.getTime() ?? 0 };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async sweepPartial(before: number): Promise<number> {
    let removed = 0;
    for (const name of await readdir(this.spoolDir)) {
      const info = await stat(join(this.spoolDir, name)).catch(() => null);
      if (info && info.mtimeMs < before) {
        await rm(join(this.spoolDir, name), { force: true });
        removed++;
      }
    }
    return removed;
  }

  override async close(): Promise<void> {
    this.client.destroy();
  }
}
