import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Blake3Hasher } from '@napi-rs/blake-hash';
import fc from 'fast-check';
import { Installation } from '../library/installation.js';
import type { Library } from '../library/library.js';
import type { BucketObjectRecord, BucketVolume } from '../store/buckets.js';
import { S3Bucket } from '../storage/bucket/s3-bucket.js';
import { addBucket } from '../volumes/buckets.js';
import { tempDir } from '../../test/helpers.js';
import { s3SkipReason, startS3, useS3Env, type S3Server } from '../../test/support/s3-server.js';
import { confirmBucketCopy, judgeObject } from './bucket-evidence.js';
import { checkBucket, queueDueBucketCheck, CHECK_EVERY_MS } from './bucket-check.js';

const blake3 = (b: Buffer) => new Blake3Hasher().update(b).digest('hex');
const uuidOf = (n: number) => `00000000-0000-5000-8000-${String(n).padStart(12, '0')}`;

describe('a bucket object is judged by its size and ETag (or, recorded before ETags were kept, its metadata)', () => {
  const hex = fc.stringMatching(/^[0-9a-f]{4}$/);
  it('counts exactly when the bucket says what was recorded', () => {
    fc.assert(fc.property(
      fc.record({ size: fc.nat(10), etag: fc.option(hex), blake3: hex, content_uuid: hex }),
      fc.option(fc.record({ size: fc.nat(10), etag: fc.option(hex), meta: fc.record({ 'vss-blake3': fc.option(hex, { nil: undefined }), 'vss-content': fc.option(hex, { nil: undefined }) }) }), { nil: undefined }),
      (rec, found) => {
        const j = judgeObject(rec, found);
        const same = found !== undefined && found.size === rec.size
          && (rec.etag !== null ? found.etag === rec.etag : found.meta['vss-blake3'] === rec.blake3 && found.meta['vss-content'] === rec.content_uuid);
        assert.equal(j?.is === 'recorded', same);
        if (found === undefined) assert.equal(j?.is, 'gone');
        else if (!same) assert.equal(j?.is, 'changed');
      },
    ));
  });

  it('a listing (no metadata) does not judge an object recorded without an ETag: a HEAD must', () => {
    assert.equal(judgeObject({ size: 3, etag: null, blake3: 'b', content_uuid: 'c' }, { size: 3, etag: 'e' }), undefined);
    assert.equal(judgeObject({ size: 3, etag: null, blake3: 'b', content_uuid: 'c' }, { size: 4, etag: 'e' })?.is, 'changed');
  });
});

/**
 * The HEAD the guard asks before a bucket copy vouches, and the listing check, against a real S3
 * server on loopback (s3rver): objects recorded as a protect records them, then deleted, replaced
 * (same size, same metadata) and put back behind vss's back.
 */
describe('bucket evidence (s3rver on loopback)', async () => {
  const skip = await s3SkipReason();
  const tmp = tempDir('vss-bucket-evidence-');
  let s3: S3Server;
  let lib: Library;
  let vol: BucketVolume;
  let bucket: S3Bucket;
  let raw: S3Client;
  let restoreEnv = (): void => undefined;
  let n = 0;

  /** A file of SIZE random bytes uploaded to REL under the volume's prefix and recorded as a protect records it (ETAG false: as before ETags were kept). */
  const put = async (rel: string, size = 1000, etag = true): Promise<{ rec: BucketObjectRecord; bytes: Buffer }> => {
    const bytes = randomBytes(size);
    const file = join(tmp.path, `f${++n}`);
    writeFileSync(file, bytes);
    const key = bucket.key(rel);
    const uuid = uuidOf(n);
    await bucket.upload(key, file, { size, meta: { 'vss-content': uuid, 'vss-blake3': blake3(bytes), 'vss-mtime-ms': '1' } });
    const back = await bucket.readBack(key, file, size, blake3(bytes));
    assert.ok(back.ok);
    lib.store.buckets.putObject({ volume_id: vol.volume_id, key, content_uuid: uuid, size, blake3: blake3(bytes), uploaded_at: 1, verified_at: 1, etag: etag ? back.etag : null });
    return { rec: lib.store.buckets.object(vol.volume_id, key)!, bytes };
  };
  const behind = {
    delete: (key: string) => raw.send(new DeleteObjectCommand({ Bucket: 'unit', Key: key })),
    put: (key: string, body: Buffer, meta: Record<string, string>) => raw.send(new PutObjectCommand({ Bucket: 'unit', Key: key, Body: body, Metadata: meta })),
  };
  const metaOf = (r: BucketObjectRecord) => ({ 'vss-content': r.content_uuid, 'vss-blake3': r.blake3, 'vss-mtime-ms': '1' });

  before(async () => {
    if (skip) return;
    s3 = await startS3(join(tmp.path, 's3'), ['unit']);
    restoreEnv = useS3Env(s3);
    lib = new Installation({ dataDir: join(tmp.path, 'data') }).createLibrary('B', tmp.path);
    vol = await addBucket(lib, 's3://unit/home', { endpoint: s3.endpoint, pathStyle: true, name: 'Offsite' });
    bucket = new S3Bucket({ bucket: 'unit', prefix: 'home', endpoint: s3.endpoint, region: null, pathStyle: true });
    raw = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true });
  });
  after(async () => {
    bucket?.close();
    raw?.destroy();
    lib?.close();
    await s3?.stop();
    restoreEnv();
    tmp.cleanup();
  });

  it('a HEAD confirms an object as recorded; one deleted behind vss is marked gone, says so, and counts again once it is back', { skip }, async () => {
    const { rec, bytes } = await put('vss-protect/loc/b.bin');
    assert.deepEqual(await confirmBucketCopy(lib, rec), { counts: true });
    assert.ok((lib.store.buckets.object(vol.volume_id, rec.key)!.checked_at ?? 0) > 1, 'the look is kept');
    await behind.delete(rec.key);
    const gone = await confirmBucketCopy(lib, rec);
    assert.equal(gone.counts, false);
    assert.match(!gone.counts ? gone.why : '', /^the object home\/vss-protect\/loc\/b\.bin in Offsite is gone .*vss guardian protect --to "Offsite" uploads it again/);
    const marked = lib.store.buckets.object(vol.volume_id, rec.key)!;
    assert.ok(marked.lost_at !== null && marked.lost_why === (gone.counts ? '' : gone.why));
    assert.deepEqual(lib.store.buckets.objectsOf(rec.content_uuid), [], 'a lost object is no source for a repair');
    assert.equal(lib.store.buckets.holds(vol.volume_id, rec.content_uuid), false);
    // The same bytes put back (as a restore from elsewhere would): the same ETag, a copy again.
    await behind.put(rec.key, bytes, metaOf(rec));
    assert.deepEqual(await confirmBucketCopy(lib, rec), { counts: true });
    assert.equal(lib.store.buckets.object(vol.volume_id, rec.key)!.lost_at, null);
  });

  it('an object replaced by other bytes of the same size and the same x-amz-meta-vss-* metadata is found changed by its ETag', { skip }, async () => {
    const { rec } = await put('vss-protect/loc/c.bin');
    await behind.put(rec.key, randomBytes(rec.size), metaOf(rec));
    const v = await confirmBucketCopy(lib, rec);
    assert.match(!v.counts ? v.why : '', /^the object home\/vss-protect\/loc\/c\.bin in Offsite was replaced: its ETag is \S+, not the \S+ it had when uploaded/);
  });

  it('an object recorded before ETags were kept is compared by its metadata, and its ETag is learnt', { skip }, async () => {
    const { rec } = await put('old/a.bin', 500, false);
    assert.equal(rec.etag, null);
    assert.deepEqual(await confirmBucketCopy(lib, rec), { counts: true });
    assert.ok(lib.store.buckets.object(vol.volume_id, rec.key)!.etag, 'learnt at the first look');
    const { rec: other } = await put('old/b.bin', 500, false);
    await behind.put(other.key, randomBytes(500), { ...metaOf(other), 'vss-blake3': 'f'.repeat(64) });
    const v = await confirmBucketCopy(lib, other);
    assert.match(!v.counts ? v.why : '', /was replaced: its metadata says BLAKE3 ffffffffffffffff…/);
  });

  it('a bucket that does not answer confirms nothing and marks nothing', { skip }, async () => {
    const away = lib.store.volumes.seen(lib.deviceId, { fingerprint: 's3:away', mount_point: 's3://unit/away', fs: 's3', capacity: 0, free: 0, removable: 0, read_only: 0 }, 1);
    lib.store.volumes.setTracked(away.id, true, 'Away');
    lib.store.buckets.add({ volume_id: away.id, bucket: 'unit', prefix: 'away', endpoint: 'http://127.0.0.1:9', region: null, path_style: 1 });
    lib.store.buckets.putObject({ volume_id: away.id, key: 'away/x.bin', content_uuid: uuidOf(999), size: 3, blake3: 'b', uploaded_at: 1, verified_at: 1, etag: 'e' });
    const v = await confirmBucketCopy(lib, { volume_id: away.id, key: 'away/x.bin' });
    assert.match(!v.counts ? v.why : '', /^Away does not answer now \(.*\): its copy away\/x\.bin cannot be confirmed$/);
    assert.equal(lib.store.buckets.object(away.id, 'away/x.bin')!.lost_at, null);
    assert.ok(lib.store.buckets.byVolume(away.id)!.unreachable, 'its silence is kept: it shows offline');
  });

  it('the listing check goes through a bucket a bounded number of keys a run, marks what is gone or changed, and counts what is back', { skip }, async () => {
    const recs: BucketObjectRecord[] = [];
    const bytes: Buffer[] = [];
    for (let i = 0; i < 24; i++) {
      const p = await put(`list/k${String(i).padStart(2, '0')}.bin`, 100 + i);
      recs.push(p.rec);
      bytes.push(p.bytes);
    }
    // Not vss's: listed, and left alone.
    await behind.put('home/list/someone-elses.txt', Buffer.from('x'), {});
    await behind.delete(recs[3]!.key);
    await behind.delete(recs[17]!.key);
    await behind.delete(recs[23]!.key);
    await behind.put(recs[9]!.key, randomBytes(recs[9]!.size), metaOf(recs[9]!));
    // Put back in the bucket what the earlier tests found gone (b.bin), and see it counted again.
    const runs = [];
    for (let i = 0; i < 20; i++) {
      const r = await checkBucket(lib, lib.store.buckets.byVolume(vol.volume_id)!, { keys: 8, heads: 2 });
      runs.push(r);
      assert.ok(r.listed <= 8, `a run lists at most its budget (${r.listed})`);
      assert.ok(r.heads <= 2);
      if (r.pass_done) break;
    }
    const last = runs.at(-1)!;
    assert.ok(runs.length >= 4, `a bucket of ${recs.length + 5} keys is gone through over several runs of 8 (${runs.length})`);
    assert.equal(last.pass_done, true);
    assert.equal(runs.reduce((n, r) => n + r.gone, 0), 3);
    assert.equal(runs.reduce((n, r) => n + r.changed, 0), 1, 'k09 replaced (c.bin and old/b.bin, found changed before, stay so and are not counted again)');
    assert.ok(lib.store.buckets.object(vol.volume_id, 'home/vss-protect/loc/c.bin')!.lost_at !== null);
    for (const i of [3, 17, 23]) assert.match(lib.store.buckets.object(vol.volume_id, recs[i]!.key)!.lost_why ?? '', / is gone /);
    assert.match(lib.store.buckets.object(vol.volume_id, recs[9]!.key)!.lost_why ?? '', / was replaced: its ETag/);
    for (const i of [0, 1, 2, 4, 10, 22]) assert.equal(lib.store.buckets.object(vol.volume_id, recs[i]!.key)!.lost_at, null);
    assert.equal(lib.store.buckets.byVolume(vol.volume_id)!.check_after, null, 'no pass under way');
    assert.ok(last.done_at !== null);
    // One put back is found back by the next pass.
    await behind.put(recs[17]!.key, bytes[17]!, metaOf(recs[17]!));
    let back = 0;
    for (let i = 0; i < 20; i++) {
      const r = await checkBucket(lib, lib.store.buckets.byVolume(vol.volume_id)!, { keys: 1000, heads: 100 });
      back += r.back;
      if (r.pass_done) break;
    }
    assert.equal(back, 1);
    assert.equal(lib.store.buckets.object(vol.volume_id, recs[17]!.key)!.lost_at, null);
  });

  it('the daemon\'s schedule queues a check of a bucket never checked, or whose last pass ended a day ago, one job at a time', { skip }, () => {
    const now = Date.now();
    const away = lib.store.buckets.ofDevice(lib.deviceId).find((b) => b.name === 'Away')!;
    const first = queueDueBucketCheck(lib, now);
    assert.deepEqual(JSON.parse(first?.params ?? '{}'), { volumes: [away.volume_id] }, 'the bucket never checked is due; Offsite, checked through a moment ago, is not');
    assert.equal(queueDueBucketCheck(lib, now), null, 'one open check at a time');
    assert.ok(lib.store.jobs.cancel(first!.id, ['queued'], now));
    const later = queueDueBucketCheck(lib, now + CHECK_EVERY_MS);
    assert.deepEqual(JSON.parse(later?.params ?? '{}'), { volumes: [vol.volume_id, away.volume_id] }, 'a day on, both');
  });
});
