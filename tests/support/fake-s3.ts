// A fake S3-compatible service on a real socket, speaking S3's REST wire format (path-style requests:
// http://host/<bucket>/<key>) for exactly the calls the S3 blob store makes, so the AWS SDK's real client
// talks to it as it would to AWS or MinIO:
//   PutObject      PUT  /<bucket>/<key>   plain body, or Content-Encoding aws-chunked (the SDK's default
//                                         for stream bodies: unsigned chunks, then an x-amz-checksum-crc32
//                                         trailer, which is checked) -> 200, ETag
//   GetObject      GET  /<bucket>/<key>   Range: bytes=a-b -> 206 with Content-Range; 416 InvalidRange
//   HeadObject     HEAD /<bucket>/<key>   -> 200 headers, or 404 without a body
//   DeleteObject   DELETE /<bucket>/<key> -> 204, also when there was nothing
//   ListObjectsV2  GET  /<bucket>?list-type=2&prefix=&max-keys=&continuation-token= -> ListBucketResult XML
// Errors are S3's XML <Error><Code>…</Code>…</Error> bodies (NoSuchKey, NoSuchBucket, AccessDenied…). A
// request must carry a SigV4 Authorization header for the configured access key (the signature itself is
// not recomputed). Every request is recorded (method, key, range, status) for tests to count.
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';

export interface FakeS3Request {
  method: string;
  key: string | null;
  range: string | null;
  status: number;
  /** How the body came: 'aws-chunked' (with the checksum trailer it named) or 'plain'. */
  encoding: string;
}

export interface FakeS3 {
  url: string;
  bucket: string;
  /** What a server process needs to use this bucket (BANDEJA_BLOB_STORE=s3 and the AWS variables). */
  env: Record<string, string>;
  objects: Map<string, { body: Buffer; lastModified: Date; etag: string }>;
  requests: FakeS3Request[];
  close(): Promise<void>;
}

const ACCESS_KEY = 'AKIAFAKES3TESTKEY000';
const SECRET_KEY = 'fake-s3-secret-key-for-tests-only';

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** The payload of an aws-chunked body: `<hex size>[;chunk-signature=…]\r\n<bytes>\r\n` … `0\r\n`, then
 *  trailer lines `name:value\r\n` and a final `\r\n`. */
function decodeAwsChunked(raw: Buffer): { payload: Buffer; trailers: Map<string, string> } {
  const parts: Buffer[] = [];
  let at = 0;
  const line = () => {
    const end = raw.indexOf('\r\n', at);
    if (end < 0) throw new Error('truncated aws-chunked body');
    const text = raw.subarray(at, end).toString('latin1');
    at = end + 2;
    return text;
  };
  for (;;) {
    const size = parseInt(line().split(';')[0]!, 16);
    if (!Number.isFinite(size)) throw new Error('bad chunk size');
    if (size === 0) break;
    parts.push(raw.subarray(at, at + size));
    at += size;
    if (raw.subarray(at, at + 2).toString('latin1') !== '\r\n') throw new Error('chunk not followed by CRLF');
    at += 2;
  }
  const trailers = new Map<string, string>();
  for (let l = line(); l !== ''; l = line()) {
    const colon = l.indexOf(':');
    trailers.set(l.slice(0, colon).trim().toLowerCase(), l.slice(colon + 1).trim());
  }
  return { payload: Buffer.concat(parts), trailers };
}

function crc32Base64(body: Buffer): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(crc32(body) >>> 0);
  return b.toString('base64');
}

export async function startFakeS3(opts: { bucket?: string } = {}): Promise<FakeS3> {
  const bucket = opts.bucket ?? 'bandeja-test';
  const objects: FakeS3['objects'] = new Map();
  const requests: FakeS3Request[] = [];

  const server = createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) error(res, 500, 'InternalError', e instanceof Error ? e.message : String(e));
      else res.destroy();
    });
  });

  const record = (req: IncomingMessage, key: string | null, status: number) =>
    requests.push({
      method: req.method ?? '',
      key,
      range: (req.headers.range as string | undefined) ?? null,
      status,
      encoding: String(req.headers['content-encoding'] ?? '').includes('aws-chunked')
        ? `aws-chunked ${String(req.headers['x-amz-trailer'] ?? '')}`.trim()
        : 'plain',
    });

  function error(res: ServerResponse, status: number, code: string, message: string, key?: string, head = false): void {
    const requestId = randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase();
    res.statusCode = status;
    res.setHeader('x-amz-request-id', requestId);
    if (head) return void res.end();
    res.setHeader('content-type', 'application/xml');
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message>` +
        `${key !== undefined ? `<Key>${xmlEscape(key)}</Key>` : ''}<RequestId>${requestId}</RequestId></Error>`,
    );
  }

  async function readBody(req: IncomingMessage): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const chunk of req) parts.push(chunk as Buffer);
    return Buffer.concat(parts);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake-s3');
    const [, bucketName = '', ...rest] = url.pathname.split('/');
    const key = rest.length > 0 ? decodeURIComponent(rest.join('/')) : null;
    const method = req.method ?? 'GET';
    const done = (status: number) => record(req, key, status);
    res.setHeader('server', 'FakeS3');
    const auth = req.headers.authorization ?? '';
    if (
      !auth.startsWith(`AWS4-HMAC-SHA256 Credential=${ACCESS_KEY}/`) ||
      !req.headers['x-amz-date'] ||
      !req.headers['x-amz-content-sha256']
    ) {
      await readBody(req);
      done(403);
      return error(res, 403, 'AccessDenied', 'Access Denied', key ?? undefined, method === 'HEAD');
    }
    if (decodeURIComponent(bucketName) !== bucket) {
      await readBody(req);
      done(404);
      return error(res, 404, 'NoSuchBucket', 'The specified bucket does not exist', undefined, method === 'HEAD');
    }

    if (key === null || key === '') {
      if (method !== 'GET' || url.searchParams.get('list-type') !== '2') {
        done(501);
        return error(res, 501, 'NotImplemented', 'Only ListObjectsV2 is implemented on the bucket.');
      }
      const prefix = url.searchParams.get('prefix') ?? '';
      const maxKeys = Math.min(1000, Number(url.searchParams.get('max-keys') ?? '1000'));
      const token = url.searchParams.get('continuation-token');
      const after = token ? Buffer.from(token, 'base64url').toString('utf8') : (url.searchParams.get('start-after') ?? '');
      const keys = [...objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
      const page = keys.slice(0, maxKeys);
      const truncated = keys.length > page.length;
      const contents = page
        .map((k) => {
          const o = objects.get(k)!;
          return `<Contents><Key>${xmlEscape(k)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified><ETag>${xmlEscape(o.etag)}</ETag><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
        })
        .join('');
      done(200);
      res.setHeader('content-type', 'application/xml');
      return void res.end(
        `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
          `<Name>${xmlEscape(bucket)}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${page.length}</KeyCount>` +
          `<MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${contents}` +
          (token ? `<ContinuationToken>${xmlEscape(token)}</ContinuationToken>` : '') +
          (truncated ? `<NextContinuationToken>${Buffer.from(page[page.length - 1]!).toString('base64url')}</NextContinuationToken>` : '') +
          `</ListBucketResult>`,
      );
    }

    switch (method) {
      case 'PUT': {
        const raw = await readBody(req);
        let body = raw;
        if (String(req.headers['content-encoding'] ?? '').includes('aws-chunked')) {
          let decoded: ReturnType<typeof decodeAwsChunked>;
          try {
            decoded = decodeAwsChunked(raw);
          } catch (e) {
            done(400);
            return error(res, 400, 'IncompleteBody', e instanceof Error ? e.message : String(e), key);
          }
          body = decoded.payload;
          const declared = Number(req.headers['x-amz-decoded-content-length']);
          if (declared !== body.length) {
            done(400);
            return error(
              res,
              400,
              'IncompleteBody',
              'You did not provide the number of bytes specified by the Content-Length HTTP header.',
              key,
            );
          }
          const sent = decoded.trailers.get('x-amz-checksum-crc32');
          if (sent !== undefined && sent !== crc32Base64(body)) {
            done(400);
            return error(res, 400, 'BadDigest', 'The CRC32 you specified did not match the calculated checksum.', key);
          }
        } else if (req.headers['content-length'] !== undefined && Number(req.headers['content-length']) !== raw.length) {
          done(400);
          return error(
            res,
            400,
            'IncompleteBody',
            'You did not provide the number of bytes specified by the Content-Length HTTP header.',
            key,
          );
        }
        const crcHeader = req.headers['x-amz-checksum-crc32'];
        if (typeof crcHeader === 'string' && crcHeader !== crc32Base64(body)) {
          done(400);
          return error(res, 400, 'BadDigest', 'The CRC32 you specified did not match the calculated checksum.', key);
        }
        const etag = `"${createHash('md5').update(body).digest('hex')}"`;
        objects.set(key, { body, lastModified: new Date(), etag });
        done(200);
        res.setHeader('etag', etag);
        res.setHeader('x-amz-checksum-crc32', crc32Base64(body));
        return void res.end();
      }
      case 'GET':
      case 'HEAD': {
        const o = objects.get(key);
        if (!o) {
          done(404);
          return error(res, 404, 'NoSuchKey', 'The specified key does not exist.', key, method === 'HEAD');
        }
        res.setHeader('etag', o.etag);
        res.setHeader('last-modified', o.lastModified.toUTCString());
        res.setHeader('accept-ranges', 'bytes');
        res.setHeader('content-type', 'application/octet-stream');
        const size = o.body.length;
        const range = req.headers.range;
        if (method === 'GET' && range) {
          const m = /^bytes=(\d*)-(\d*)$/.exec(range);
          if (m && (m[1] || m[2])) {
            const start = m[1] ? Number(m[1]) : Math.max(0, size - Number(m[2]));
            const end = m[1] && m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
            if (start >= size || start > end) {
              done(416);
              res.setHeader('content-range', `bytes */${size}`);
              return error(res, 416, 'InvalidRange', 'The requested range is not satisfiable', key);
            }
            done(206);
            res.statusCode = 206;
            res.setHeader('content-range', `bytes ${start}-${end}/${size}`);
            res.setHeader('content-length', String(end - start + 1));
            return void res.end(o.body.subarray(start, end + 1));
          }
        }
        done(200);
        res.setHeader('content-length', String(size));
        return void res.end(method === 'HEAD' ? undefined : o.body);
      }
      case 'DELETE':
        objects.delete(key);
        done(204);
        res.statusCode = 204;
        return void res.end();
      default:
        done(405);
        return error(res, 405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.', key);
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    bucket,
    env: {
      BANDEJA_BLOB_STORE: 's3',
      BANDEJA_S3_BUCKET: bucket,
      BANDEJA_S3_ENDPOINT: url,
      BANDEJA_S3_REGION: 'us-east-1',
      BANDEJA_S3_FORCE_PATH_STYLE: 'true',
      AWS_ACCESS_KEY_ID: ACCESS_KEY,
      AWS_SECRET_ACCESS_KEY: SECRET_KEY,
    },
    objects,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
