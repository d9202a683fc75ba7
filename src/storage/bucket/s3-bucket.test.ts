import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Blake3Hasher } from '@napi-rs/blake-hash';
import { tempDir } from '../../../test/helpers.js';
import { s3SkipReason, startS3, useS3Env, type S3Server } from '../../../test/support/s3-server.js';
import { parseBucketUrl } from '../../core/address.js';
import { PART_SIZE, S3Bucket, SourceFault, type ObjectMeta, type UploadState } from './s3-bucket.js';

const blake3 = (b: Buffer) => new Blake3Hasher().update(b).digest('hex');
const meta = (b: Buffer): ObjectMeta => ({ 'vss-content': '00000000-0000-5000-8000-000000000001', 'vss-blake3': blake3(b), 'vss-mtime-ms': '1700000000000' });

describe('bucket URLs', () => {
  it('take s3://BUCKET/PREFIX apart, and refuse what names no bucket or climbs', () => {
    assert.deepEqual(parseBucketUrl('s3://photos-backup'), { bucket: 'photos-backup', prefix: '' });
    assert.deepEqual(parseBucketUrl('s3://photos-backup/home/vss/'), { bucket: 'photos-backup', prefix: 'home/vss' });
    for (const bad of ['http://x/y', 's3://', 's3://UPPER', 's3://a', 's3://b/../x', 's3://b/a//c', 's3://b/./x', 's3://b/a\u0007']) assert.throws(() => parseBucketUrl(bad), /bucket|prefix/, bad);
  });
});

/** The requests vss makes of a bucket, against a real S3 server on loopback (s3rver). */
describe('an S3 bucket (s3rver on loopback)', async () => {
  const skip = await s3SkipReason();
  const tmp = tempDir('vss-s3-');
  let s3: S3Server;
  let bucket: S3Bucket;
  let restoreEnv = (): void => undefined;
  before(async () => {
    if (skip) return;
    s3 = await startS3(join(tmp.path, 's3'), ['unit']);
    restoreEnv = useS3Env(s3);
    bucket = new S3Bucket({ bucket: 'unit', prefix: 'home', endpoint: s3.endpoint, region: null, pathStyle: true });
  });
  after(async () => {
    bucket?.close();
    await s3?.stop();
    restoreEnv();
    tmp.cleanup();
  });

  it('answers a probe; a bucket that is not there, or no server, says why', { skip }, async () => {
    assert.equal(await bucket.probe(), undefined);
    const none = new S3Bucket({ bucket: 'nothing-here', prefix: '', endpoint: s3.endpoint, region: null, pathStyle: true });
    assert.match((await none.probe()) ?? '', /no such bucket/);
    none.close();
    const away = new S3Bucket({ bucket: 'unit', prefix: '', endpoint: 'http://127.0.0.1:9', region: null, pathStyle: true });
    assert.match((await away.probe()) ?? '', /cannot be reached now/);
    away.close();
  });

  it('uploads a small file in one PUT and a large one in parts, hashing what it sent; reads ranges back', { skip }, async () => {
    const small = randomBytes(1000);
    const large = randomBytes(2 * PART_SIZE + 12345);
    writeFileSync(join(tmp.path, 'small'), small);
    writeFileSync(join(tmp.path, 'large'), large);
    let sent = 0;
    const a = await bucket.upload(bucket.key('a/small'), join(tmp.path, 'small'), { size: small.length, meta: meta(small) });
    const b = await bucket.upload(bucket.key('b/large'), join(tmp.path, 'large'), { size: large.length, meta: meta(large), onBytes: (n) => { sent += n; } });
    assert.deepEqual(a, { blake3: blake3(small), size: small.length });
    assert.deepEqual(b, { blake3: blake3(large), size: large.length });
    assert.equal(sent, large.length);
    const head = await bucket.head('home/b/large');
    assert.equal(head?.size, large.length);
    assert.equal(head?.meta['vss-blake3'], blake3(large));
    assert.deepEqual(await bucket.readRange('home/b/large', PART_SIZE - 10, PART_SIZE + 10), large.subarray(PART_SIZE - 10, PART_SIZE + 10));
    assert.equal(await bucket.head('home/nothing'), undefined);
    const chunks: Buffer[] = [];
    for await (const c of bucket.read('home/a/small')) chunks.push(Buffer.from(c));
    assert.deepEqual(Buffer.concat(chunks), small);
  });

  it('a multipart upload cut off resumes: the parts the server holds are not sent again', { skip }, async () => {
    const large = randomBytes(3 * PART_SIZE);
    writeFileSync(join(tmp.path, 'resumed'), large);
    const ac = new AbortController();
    let state: UploadState | undefined;
    let sent = 0;
    await assert.rejects(bucket.upload(bucket.key('resumed'), join(tmp.path, 'resumed'), {
      size: large.length, meta: meta(large), signal: ac.signal, onState: (s) => { state = s; },
      onBytes: (n) => { sent += n; if (sent >= PART_SIZE) ac.abort(new Error('cut off')); },
    }));
    assert.ok(state && state.parts.length >= 1, 'the upload\'s id and its confirmed parts were told');
    const held = state.parts.length;
    let again = 0;
    const r = await bucket.upload(bucket.key('resumed'), join(tmp.path, 'resumed'), { size: large.length, meta: meta(large), resume: state, onBytes: (n) => { again += n; } });
    assert.equal(r.blake3, blake3(large));
    assert.equal(again, large.length, 'every byte counted (the parts held are read and hashed again, not sent)');
    assert.ok(held >= 1 && held < 3);
    const back = await bucket.readRange('home/resumed', 0, large.length > 64 * 1024 * 1024 ? 1024 : large.length);
    assert.deepEqual(back, large);
  });

  it('bytes that do not hash to what they must make no object: a PUT is not sent, a multipart upload is aborted', { skip }, async () => {
    const small = randomBytes(5000);
    const large = randomBytes(2 * PART_SIZE + 7);
    writeFileSync(join(tmp.path, 'rotten-small'), small);
    writeFileSync(join(tmp.path, 'rotten-large'), large);
    const good = 'a'.repeat(64);
    const fault = (err: unknown) => err instanceof SourceFault && err.fault === 'not-its-bytes' && err.found !== undefined && err.found !== good;
    await assert.rejects(bucket.upload(bucket.key('rot/small'), join(tmp.path, 'rotten-small'), { size: small.length, meta: meta(small), expect: good }), fault);
    let state: UploadState | undefined;
    await assert.rejects(bucket.upload(bucket.key('rot/large'), join(tmp.path, 'rotten-large'), { size: large.length, meta: meta(large), expect: good, onState: (st) => { state = st; } }), fault);
    assert.ok(state && state.parts.length >= 1, 'its parts were sent before the last byte was hashed');
    assert.equal(await bucket.head('home/rot/small'), undefined);
    assert.equal(await bucket.head('home/rot/large'), undefined);
    // The upload was aborted: resuming it finds nothing to complete, and starts over.
    const again = await bucket.upload(bucket.key('rot/large'), join(tmp.path, 'rotten-large'), { size: large.length, meta: meta(large), resume: state, expect: blake3(large) });
    assert.equal(again.blake3, blake3(large));
    await assert.rejects(bucket.upload(bucket.key('rot/none'), join(tmp.path, 'not-there'), { size: 1, meta: meta(small) }), (err: unknown) => err instanceof SourceFault && err.fault === 'gone');
  });

  it('lists every key under the prefix a page at a time from a key on, with sizes and ETags; deletes', { skip }, async () => {
    const keys: string[] = [];
    let after = '';
    for (;;) {
      const page = await bucket.listKeys('home/', after, 3);
      assert.ok(page.objects.length <= 3);
      for (const o of page.objects) {
        keys.push(o.key);
        assert.equal(o.etag, (await bucket.head(o.key))?.etag, 'a listing\'s ETag is the HEAD\'s');
      }
      if (!page.more) break;
      after = page.objects.at(-1)!.key;
    }
    assert.deepEqual(keys, [...keys].sort());
    assert.ok(keys.includes('home/a/small') && keys.includes('home/b/large') && keys.includes('home/rot/large'));
    await bucket.remove('home/rot/large');
    await bucket.remove('home/rot/large');
    assert.equal(await bucket.head('home/rot/large'), undefined);
  });
});
