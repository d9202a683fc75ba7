/**
 * The tests' S3 server stores an object whole before it answers (test/support/s3rver-child.ts):
 * right after a PUT or a multipart upload's completion is answered, the object's file in the
 * server's store holds every byte, as a real S3 would serve them. Unpatched, s3rver answered as
 * the bytes passed through, before its file stream wrote them (a buffer: right after `end()`); the
 * safety model once read such an object half written and took it for a bucket object that lies
 * (2026-11-29, run 46, under the suite's load). On a quiet machine the unpatched store's writes
 * mostly end first, so these hold the contract rather than reproduce that race.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, PutObjectCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { tempDir } from '../helpers.js';
import { s3SkipReason, startS3, type S3Server } from '../support/s3-server.js';
import { objectFiles } from '../safety/reality.js';
import { FilesystemStore, storeWhole } from '../support/s3rver-whole.js';
import { Readable } from 'node:stream';

const BUCKET = 'whole';

describe('the tests\' S3 server\'s store: a write ends once its bytes are on disk', () => {
  it('putObject and putPart resolve with every byte in their files (s3rver unpatched resolved as the bytes passed through)', async () => {
    const tmp = tempDir('vss-s3-store-');
    try {
      storeWhole();
      const store = new FilesystemStore(tmp.path) as unknown as {
        putObject(o: { bucket: string; key: string; content: Buffer | Readable; metadata: Record<string, string> }): Promise<{ size: number }>;
        putPart(bucket: string, uploadId: string, n: number, content: Readable): Promise<{ size: number }>;
        getResourcePath(bucket: string, key: string | undefined, resource: string): string;
      };
      const bytes = randomBytes(24 * 1024 * 1024);
      await store.putObject({ bucket: BUCKET, key: 'a/b.bin', content: bytes, metadata: {} });
      assert.ok(readFileSync(store.getResourcePath(BUCKET, 'a/b.bin', 'object')).equals(bytes), 'a buffer put: whole at once');
      const chunks = Array.from({ length: 12 }, () => randomBytes(1024 * 1024));
      await store.putObject({ bucket: BUCKET, key: 'a/b.bin', content: Readable.from(chunks), metadata: {} });
      assert.ok(readFileSync(store.getResourcePath(BUCKET, 'a/b.bin', 'object')).equals(Buffer.concat(chunks)), 'a stream put over it: whole at once');
      await store.putPart(BUCKET, 'up1', 1, Readable.from(chunks));
      assert.ok(readFileSync(join(store.getResourcePath(BUCKET, undefined, 'uploads'), 'up1', '1')).equals(Buffer.concat(chunks)), 'a part: whole at once');
    } finally {
      tmp.cleanup();
    }
  });
});

describe('the tests\' S3 server answers a write once its object is whole on disk', async () => {
  const skip = await s3SkipReason();
  const tmp = tempDir('vss-s3-whole-');
  let s3: S3Server;
  let client: S3Client;
  before(async () => {
    if (skip) return;
    s3 = await startS3(join(tmp.path, 's3'), [BUCKET]);
    client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: s3.env.AWS_REGION!, credentials: { accessKeyId: s3.env.AWS_ACCESS_KEY_ID!, secretAccessKey: s3.env.AWS_SECRET_ACCESS_KEY! } });
  });
  after(async () => {
    client?.destroy();
    await s3?.stop();
    tmp.cleanup();
  });
  const stored = (key: string) => readFileSync(objectFiles(join(tmp.path, 's3', BUCKET), key).bytes);

  it('a PUT: every byte in the store when it is answered, an overwrite too', { skip, timeout: 120_000 }, async () => {
    for (let i = 0; i < 1; i++) {
      // Big enough that the file stream is still writing when the bytes have passed through.
      const bytes = randomBytes(24 * 1024 * 1024);
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'one/object.bin', Body: bytes }));
      assert.ok(stored('one/object.bin').equals(bytes), `round ${i}: the stored object is the bytes put`);
    }
  });

  it('a multipart upload: its parts whole before they are joined, the object whole when completed', { skip, timeout: 120_000 }, async () => {
    for (let i = 0; i < 1; i++) {
      const parts = [randomBytes(8 * 1024 * 1024), randomBytes(8 * 1024 * 1024), randomBytes(3 * 1024 * 1024)];
      const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'many/parts.bin' }));
      const done: Array<{ ETag?: string; PartNumber: number }> = [];
      for (const [n, body] of parts.entries()) {
        const r = await client.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'many/parts.bin', UploadId, PartNumber: n + 1, Body: body }));
        done.push({ ETag: r.ETag, PartNumber: n + 1 });
      }
      await client.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'many/parts.bin', UploadId, MultipartUpload: { Parts: done } }));
      assert.ok(stored('many/parts.bin').equals(Buffer.concat(parts)), `round ${i}: the stored object is the parts joined`);
    }
  });
});
