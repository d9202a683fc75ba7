import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { tempDir } from '../../../test/helpers.js';
import { s3SkipReason, startS3, useS3Env, type S3Server } from '../../../test/support/s3-server.js';
import type { DirListing, ListedEntry, WalkedListing } from '../port.js';
import { BucketStorage, nameProblem } from './bucket-storage.js';
import { inodeOf } from './bucket-url.js';

const names = (l: DirListing) => l.entries.map((e) => ('kind' in e ? `${e.kind}:${e.name}` : `skip:${e.name}`)).sort();

/** A bucket prefix read as a location through the storage port, against a real S3 server on loopback (s3rver). */
describe('a bucket key\'s names', () => {
  // s3rver keeps keys as files, so it cannot hold these: the rule is tested alone.
  it('refuses a part that is empty, `.` or `..`, holds a NUL, or is longer than a file system\'s name', () => {
    for (const bad of ['', '.', '..', 'a\0b', 'x'.repeat(256), 'é'.repeat(128)]) assert.ok(nameProblem(bad), JSON.stringify(bad.slice(0, 10)));
    for (const good of ['a.txt', '...', ' lead', 'x'.repeat(255), 'naïve.jpg']) assert.equal(nameProblem(good), undefined, good);
  });

  it('names a skipped key as the bucket stores it: a prefix with its `/`, an empty or long part as it is', async () => {
    // What S3 itself answers for such keys (s3rver cannot hold them): the listing, not a server, is under test.
    const storage = new BucketStorage({ bucket: 'b', prefix: 'cam', endpoint: 'http://127.0.0.1:9', region: null, pathStyle: true });
    const long = 'é'.repeat(200);
    storage.bucket.listPage = async () => ({
      folders: ['cam/./', 'cam//', 'cam/x/', `cam/${long}/`],
      objects: [{ key: 'cam/.', size: 1, mtimeMs: 0 }, { key: 'cam/x', size: 1, mtimeMs: 0 }, { key: 'cam/ok.jpg', size: 1, mtimeMs: 0 }],
    });
    try {
      const l = await storage.list('');
      assert.deepEqual(l.entries.map((e) => ('kind' in e ? `${e.kind}:${e.name}` : `skip:${e.name}`)), ['skip:./', 'skip:/', 'dir:x', `skip:${long}/`, 'skip:.', 'skip:x', 'file:ok.jpg']);
      const reasons = l.entries.filter((e) => 'skip' in e).map((e) => (e as { skip: string }).skip);
      assert.match(reasons[0]!, /the objects under this prefix are not indexed/);
      assert.match(reasons[4]!, /the folder is indexed, not this object/);
    } finally {
      storage.close();
    }
  });
});

describe('a bucket location\'s storage (s3rver on loopback)', async () => {
  const skip = await s3SkipReason();
  const tmp = tempDir('vss-bucket-storage-');
  let s3: S3Server;
  let storage: BucketStorage;
  let client: S3Client;
  const big = randomBytes(3 * 1024 * 1024 + 17);
  let restoreEnv = (): void => undefined;
  const put = (key: string, body: Buffer | string) => client.send(new PutObjectCommand({ Bucket: 'unit', Key: key, Body: body }));

  before(async () => {
    if (skip) return;
    s3 = await startS3(join(tmp.path, 's3'), ['unit']);
    restoreEnv = useS3Env(s3);
    client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    await put('home/a.txt', 'alpha\n');
    await put('home/trip/b.txt', 'beta\n');
    await put('home/trip/deep/big.bin', big);
    await put('home/trip/', ''); // a folder's marker object, as consoles make them
    await put('outside.txt', 'not under the prefix');
    storage = new BucketStorage({ bucket: 'unit', prefix: 'home', endpoint: s3.endpoint, region: null, pathStyle: true });
  });
  after(async () => {
    storage?.close();
    client?.destroy();
    await s3?.stop();
    restoreEnv();
    tmp.cleanup();
  });

  it('lists a folder: its objects as files, its prefixes as folders, a marker object as neither', { skip }, async () => {
    const root = await storage.list('');
    assert.deepEqual(names(root), ['dir:trip', 'file:a.txt']);
    const a = root.entries.find((e): e is Extract<ListedEntry, { kind: string }> => 'kind' in e && e.name === 'a.txt')!;
    assert.equal(a.size, 6);
    assert.equal(a.inode, inodeOf('a.txt'));
    assert.equal(a.mtimeMs % 1000, 0, 'times to the second, as a HEAD gives them');
    assert.deepEqual(names(await storage.list('trip')), ['dir:deep', 'file:b.txt']);
    assert.deepEqual(names(await storage.list('', { ignoreRules: ['*.txt'] })), ['dir:trip']);
  });

  it('walks the whole prefix parents first, and nothing outside it', { skip }, async () => {
    const seen: string[] = [];
    for await (const batch of storage.walk({ ignoreRules: [], exclude: [] })) for (const l of batch as WalkedListing[]) seen.push(l.rel);
    assert.deepEqual(seen, ['', 'trip', 'trip/deep']);
  });

  it('says what is at a path: a file with its size, a folder, or nothing; a path that climbs is refused', { skip }, async () => {
    assert.equal((await storage.stat('trip/deep/big.bin'))?.size, big.length);
    assert.equal((await storage.stat('trip'))?.kind, 'dir');
    assert.equal(await storage.stat('nothing-here'), null);
    await assert.rejects(storage.stat('../outside.txt'), /could step outside/);
  });

  it('reads ranges of an object, and the facts it was opened with match its listing', { skip }, async () => {
    const r = await storage.openRead('trip/deep/big.bin');
    try {
      const listed = (await storage.list('trip/deep')).entries[0] as Extract<ListedEntry, { kind: string }>;
      assert.deepEqual([r.facts.size, r.facts.mtimeMs, r.facts.inode], [listed.size, listed.mtimeMs, listed.inode]);
      const buf = Buffer.alloc(4096);
      assert.equal(await r.read(buf, 0, 4096, 2 * 1024 * 1024), 4096);
      assert.deepEqual(buf, big.subarray(2 * 1024 * 1024, 2 * 1024 * 1024 + 4096));
      assert.equal(await r.read(buf, 0, 4096, big.length - 10), 10);
      assert.deepEqual(buf.subarray(0, 10), big.subarray(big.length - 10));
      assert.equal(await r.read(buf, 0, 4096, big.length), 0);
    } finally {
      await r.close();
    }
    await assert.rejects(storage.openRead('trip/none.bin'), /no object/);
  });

  it('refuses every write: vss only reads a bucket location', { skip }, async () => {
    await assert.rejects(storage.land('new.txt'), /only reads/);
    await assert.rejects(storage.rename('a.txt'), /only reads/);
    await assert.rejects(storage.remove('a.txt'), /only reads/);
    assert.equal((await storage.stat('a.txt'))?.size, 6);
  });

  it('a bucket that stops answering stops a walk (nothing would be taken for deleted)', { skip }, async () => {
    const away = new BucketStorage({ bucket: 'unit', prefix: 'home', endpoint: 'http://127.0.0.1:9', region: null, pathStyle: true });
    try {
      await assert.rejects(async () => {
        for await (const _ of away.walk({ ignoreRules: [], exclude: [] })) { /* none */ }
      }, /went away while it was listed/);
    } finally {
      away.close();
    }
  });
});
