import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import type { GuardianStatus, IndexResult, LocationInfo } from '../../src/api/index.js';
import { json, tempDir, until } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { s3SkipReason, startS3, type S3Server } from '../support/s3-server.js';

interface SidecarRow { kind: string; variant: string; status: string; path: string | null }

/** A JPEG of W×H in one colour (a real image the thumbnailer decodes). */
function jpeg(r: number, g: number, b: number, w = 320, h = 240): Promise<Buffer> {
  return sharp({ create: { width: w, height: h, channels: 3, background: { r, g, b } } }).jpeg().toBuffer();
}

/**
 * A bucket as a location (issue 30 item 7) through the real CLI, against a real S3 server on
 * loopback (s3rver in its own process): its objects indexed like a folder's files (content ids by
 * ranged reads, the same as the same bytes on a disk), thumbnails made from objects no disk here
 * holds, changes found by a rescan, the bucket away exactly like an unplugged drive (offline,
 * nothing removed), and the daemon rescanning it on its schedule.
 */
describe('a bucket as a location', async () => {
  const skip = await s3SkipReason();
  const tmp = tempDir('vss-bucket-loc-');
  const photos = join(tmp.path, 'photos');
  let s3: S3Server;
  let client: S3Client;
  let env: Record<string, string> = {};
  let same: Buffer;
  const put = (key: string, body: Buffer | string) => client.send(new PutObjectCommand({ Bucket: 'vss-test', Key: key, Body: body }));
  const ok = async (...args: string[]) => {
    const r = await runCli(args, env);
    assert.equal(r.code, 0, `vss ${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  const db = () => new Database(join(tmp.path, 'libs', 'B.sdlibrary', 'database.db'), { readonly: true, fileMustExist: true });
  /** The bucket location's files: path → content uuid (null while unidentified). */
  const bucketFiles = (): Map<string, string | null> => {
    const d = db();
    try {
      const rows = d.prepare(`SELECT e.rel_path, c.uuid FROM entries e JOIN locations l ON l.id = e.location_id LEFT JOIN content_identities c ON c.id = e.content_id
        WHERE l.path LIKE 's3://%' AND e.kind = 'file' ORDER BY e.rel_path`).all() as Array<{ rel_path: string; uuid: string | null }>;
      return new Map(rows.map((r) => [r.rel_path, r.uuid]));
    } finally {
      d.close();
    }
  };
  const uuidOfLocal = (rel: string): string => {
    const d = db();
    try {
      return (d.prepare(`SELECT c.uuid FROM entries e JOIN locations l ON l.id = e.location_id JOIN content_identities c ON c.id = e.content_id
        WHERE l.path NOT LIKE 's3://%' AND e.rel_path = ?`).pluck().get(rel) as string);
    } finally {
      d.close();
    }
  };

  before(async () => {
    if (skip) return;
    mkdirSync(photos, { recursive: true });
    same = await jpeg(200, 30, 30);
    writeFileSync(join(photos, 'same.jpg'), same);
    s3 = await startS3(join(tmp.path, 's3'), ['vss-test']);
    client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    await put('photos/same.jpg', same);
    await put('photos/trip/only.jpg', await jpeg(20, 120, 220));
    await put('photos/trip/note.txt', 'a note kept only in the bucket\n');
    await put('photos/big.bin', Buffer.alloc(3 * 1024 * 1024 + 5, 7));
    await put('elsewhere/not-indexed.txt', 'outside the prefix\n');
    env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_NO_DAEMON: '1', ...s3.env };
    await ok('library', 'create', 'B', '--path', join(tmp.path, 'libs'));
    await ok('location', 'add', photos, '--name', 'Home', '--mode', 'deep');
  });
  after(async () => {
    const { VSS_NO_DAEMON: _inProcess, ...daemonEnv } = env;
    await runCli(['daemon', 'stop'], daemonEnv);
    client?.destroy();
    await s3?.stop();
    tmp.cleanup();
  });

  it('is added by its URL and indexed like a folder: its objects, not what lies outside its prefix, each content the same as the same bytes on a disk', { skip }, async () => {
    const added = json<IndexResult>(await ok('location', 'add', 's3://vss-test/photos', '--endpoint', s3.endpoint, '--path-style', '--name', 'Cloud', '--mode', 'deep', '--json'));
    assert.deepEqual([added.files, added.dirs, added.hashed, added.skipped_total], [4, 1, 4, 0]);
    const files = bucketFiles();
    assert.deepEqual([...files.keys()], ['big.bin', 'same.jpg', 'trip/note.txt', 'trip/only.jpg']);
    assert.equal(files.get('same.jpg'), uuidOfLocal('same.jpg'), 'one content, wherever its bytes are');
    const locs = json<LocationInfo[]>(await ok('location', 'list', '--json'));
    const cloud = locs.find((l) => l.name === 'Cloud')!;
    assert.deepEqual([cloud.path, cloud.online, cloud.files], ['s3://vss-test/photos', true, 4]);
    // Its kind recorded with it, as the app reads it (its path's form is never asked).
    assert.deepEqual(locs.map((l) => [l.name, l.kind]), locs.map((l) => [l.name, l === cloud ? 'bucket' : 'disk']));
    assert.ok(locs.length >= 2);
    // Its bucket is a volume of this device now: the same bucket is not added twice.
    const vols = json<Array<{ fs: string; mount_point: string }>>(await ok('volumes', 'list', '--json'));
    assert.deepEqual(vols.filter((v) => v.fs === 's3').map((v) => v.mount_point), ['s3://vss-test/photos']);
    // Counted as copies: the photo on the disk and in the bucket is held twice.
    await ok('guardian', 'policy', '--copies', '2');
    const st = json<GuardianStatus>(await ok('guardian', 'status', '--json'));
    assert.equal(st.contents, 4);
    assert.equal(st.safe.contents, 1, 'same.jpg: on the disk and in the bucket');
    // Found by search as any file is.
    assert.match((await ok('search', 'note')).stdout, /\[note\]\.txt/);
  });

  it('makes thumbnails of a photo only the bucket holds, from a fetched copy checked against its content', { skip }, async () => {
    await ok('jobs', 'run', '--until-idle');
    const only = bucketFiles().get('trip/only.jpg')!;
    const rows = json<SidecarRow[]>(await ok('sidecars', 'list', '--content', only, '--kind', 'thumb', '--json'));
    assert.ok(rows.length > 0, 'thumbnails were asked for');
    for (const r of rows) assert.equal(r.status, 'ready', `${r.kind}/${r.variant}: ${r.status}`);
    const made = await sharp(readFileSync(rows[0]!.path!)).stats();
    assert.ok(made.channels[2]!.mean > made.channels[0]!.mean, 'the thumbnail is of the blue photo');
    // No fetched copy is left behind.
    const d = db();
    try {
      assert.equal(d.prepare("SELECT COUNT(*) FROM jobs WHERE status NOT IN ('completed')").pluck().get(), 0);
    } finally {
      d.close();
    }
  });

  it('copies out a content only the bucket holds (content get), checked against its content id', { skip }, async () => {
    const only = bucketFiles().get('trip/only.jpg')!;
    const out = join(tmp.path, 'out');
    mkdirSync(out);
    const got = json<{ path: string; size: number }>(await ok('content', 'get', only, '--to', out, '--json'));
    assert.equal(got.path, join(out, 'only.jpg'));
    assert.deepEqual(readFileSync(got.path), await jpeg(20, 120, 220));
  });

  it('the Guardian scrubs the disk\'s locations, not the bucket\'s (it would download every object), and plans no copy from it it cannot read', { skip }, async () => {
    const scrub = json<{ locations: Array<{ name: string }> }>(await ok('guardian', 'scrub', '--json'));
    assert.deepEqual(scrub.locations.map((l) => l.name), ['Home']);
    const named = await runCli(['guardian', 'scrub', 'Cloud'], env);
    assert.equal(named.code, 2, named.stderr);
    assert.match(named.stderr, /a bucket location, which is not scrubbed/);
    const plan = await runCli(['guardian', 'protect', '--dry-run', '--json'], env);
    assert.equal(plan.code, 0, plan.stderr);
    // The contents only the bucket holds, the bucket answering: the true reason, not "drives not mounted" (faults 2026-11-25, 13).
    const reasons = json<{ not_planned: Array<{ content_uuid: string; reason: string }> }>(plan).not_planned.map((n) => n.reason);
    assert.equal(reasons.length, 3, JSON.stringify(reasons));
    for (const r of reasons) {
      assert.match(r, /^its only copies on this device are objects of the bucket location Cloud \(s3:\/\/vss-test\/photos\): protect copies from files on a drive, not from a bucket \(vss content get [0-9a-f-]{36} --to FOLDER brings it to a drive first\)$/);
    }
  });

  it('a rescan finds an object changed, one added and one deleted; nothing in the bucket is written', { skip }, async () => {
    const before = bucketFiles();
    await put('photos/trip/note.txt', 'the note, rewritten\n');
    await put('photos/new.txt', 'new in the bucket\n');
    await client.send(new DeleteObjectCommand({ Bucket: 'vss-test', Key: 'photos/big.bin' }));
    const r = json<IndexResult>(await ok('location', 'rescan', 'Cloud', '--json'));
    assert.deepEqual([r.added, r.changed, r.removed, r.files], [1, 1, 1, 4]);
    const after = bucketFiles();
    assert.notEqual(after.get('trip/note.txt'), before.get('trip/note.txt'));
    assert.ok(after.get('new.txt'));
    assert.equal(after.has('big.bin'), false);
  });

  it('the bucket away is an unplugged drive: offline, its scan refused, nothing of it removed; back, it scans again', { skip }, async () => {
    const before = bucketFiles();
    const port = s3.port;
    await s3.stop();
    const locs = json<LocationInfo[]>(await ok('location', 'list', '--json'));
    assert.equal(locs.find((l) => l.name === 'Cloud')!.online, false);
    assert.equal(locs.find((l) => l.name === 'Home')!.online, true);
    const refused = await runCli(['location', 'rescan', 'Cloud'], env);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /offline.*nothing of it is removed/);
    assert.deepEqual(bucketFiles(), before);
    s3 = await startS3(join(tmp.path, 's3'), ['vss-test'], port);
    const r = json<IndexResult>(await ok('location', 'rescan', 'Cloud', '--json'));
    assert.deepEqual([r.added, r.changed, r.removed], [0, 0, 0]);
    assert.equal(json<LocationInfo[]>(await ok('location', 'list', '--json')).find((l) => l.name === 'Cloud')!.online, true);
  });

  it('the daemon rescans it on its schedule (a bucket tells nobody of its changes)', { skip }, async () => {
    const { VSS_NO_DAEMON: _inProcess, ...rest } = env;
    const daemonEnv = { ...rest, VSS_BUCKET_RESCAN_MS: '1000' };
    assert.equal((await runCli(['daemon', 'start', '--listen', '/ip4/127.0.0.1/tcp/0'], daemonEnv)).code, 0);
    try {
      await put('photos/later.txt', 'put while the daemon runs\n');
      await until('the daemon\'s rescan of the bucket to find later.txt', 30_000, async () => (bucketFiles().get('later.txt') ? true : undefined), 300);
      // The daemon streams a range of an original only the bucket holds (a viewer seeking), keeping nothing.
      const http = json<{ http: string }>(await runCli(['daemon', 'status', '--json'], daemonEnv)).http;
      const auth = { authorization: `Bearer ${readFileSync(join(env.VSS_DATA_DIR!, 'daemon.token'), 'utf8').trim()}` };
      const url = `${http}/api/libraries/current/content/${bucketFiles().get('trip/note.txt')!}`;
      const part = await fetch(url, { headers: { ...auth, range: 'bytes=4-8' } });
      assert.equal(part.status, 206);
      assert.equal(part.headers.get('content-range'), 'bytes 4-8/20');
      assert.equal(await part.text(), 'note,');
      assert.equal(await (await fetch(url, { headers: auth })).text(), 'the note, rewritten\n');
    } finally {
      await runCli(['daemon', 'stop'], daemonEnv);
    }
  });
});
