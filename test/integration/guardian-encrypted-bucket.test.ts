import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { BucketCheckResult, GuardianAtRisk, GuardianProtectPlan, GuardianStatus, ProtectOutcome, RepairResult, ScrubResult, VolumeAdded } from '../../src/api/index.js';
import Database from 'better-sqlite3';
import { json, tempDir } from '../helpers.js';
import { writeBigFile } from '../support/big-file.js';
import { protectKilledMidUpload } from '../support/protect-killed.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { s3SkipReason, startS3, type S3Server } from '../support/s3-server.js';
import { windowFinder } from '../support/windows.js';

interface Content { content_uuid: string; paths: string[] }

/** A file of a few parts (8 MiB each), for a protect killed mid-way. */
const BIG = 40 * 1024 * 1024;

/** Every file under DIR (s3rver keeps each object and its metadata as files there). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? filesUnder(join(dir, d.name)) : [join(dir, d.name)]));
}

/**
 * An encrypted bucket (issue 60) through the real CLI against a real S3 server on loopback: added
 * with `--encrypt` (the recovery phrase printed once), protected to, counted off-site, and what the
 * server stores holds no name, no content id and no 32-byte window of any original; check-buckets
 * by HEAD and ETag; an object replaced behind vss refused and protected again; an object damaged
 * on the server's disk (its ETag as it was) refused by a content get and found by check-buckets
 * --read; a content got back whole from the bucket alone, byte-identical; a range of a video only
 * the bucket holds served by the daemon; a rotten file repaired from the bucket; an upload killed -9
 * mid-way counting as nothing and made again from the start.
 */
describe('an encrypted bucket as a volume', async () => {
  const skip = await s3SkipReason();
  const tmp = tempDir('vss-enc-bucket-');
  const photos = join(tmp.path, 'photos');
  const s3dir = join(tmp.path, 's3');
  let s3: S3Server;
  let client: S3Client;
  let env: Record<string, string> = {};
  const originals = new Map<string, Buffer>();
  /** The video's content, kept only in the bucket once its file went to the trash. */
  let videoUuid = '';
  const ok = async (...args: string[]) => {
    const r = await runCli(args, env);
    assert.equal(r.code, 0, `vss ${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  const keys = async (): Promise<Array<{ key: string; size: number }>> => {
    const r = await client.send(new ListObjectsV2Command({ Bucket: 'vss-test', Prefix: 'off/' }));
    return (r.Contents ?? []).map((o) => ({ key: o.Key!, size: o.Size! }));
  };
  const dbPath = () => join(tmp.path, 'libs', 'Enc.sdlibrary', 'database.db');
  const contentOf = async (name: string): Promise<string> => {
    const all = json<Content[]>(await ok('content', 'list', '--json'));
    return all.find((c) => c.paths.some((p) => p.endsWith(`/${name}`)))!.content_uuid;
  };

  before(async () => {
    if (skip) return;
    mkdirSync(join(photos, 'Holiday in Lisbon'), { recursive: true });
    for (const [name, size] of [['Holiday in Lisbon/IMG_0001.jpg', 70_000], ['Holiday in Lisbon/beach-video.mp4', 9 * 1024 * 1024 + 4321], ['notes-secret.txt', 5_000]] as const) {
      const bytes = randomBytes(size);
      writeFileSync(join(photos, name), bytes);
      originals.set(name, bytes);
    }
    s3 = await startS3(s3dir, ['vss-test']);
    client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_NO_DAEMON: '1', ...s3.env };
    await ok('library', 'create', 'Enc', '--path', join(tmp.path, 'libs'));
    await ok('location', 'add', photos, '--name', 'Photos', '--mode', 'content');
  });
  after(async () => {
    client?.destroy();
    await s3?.stop();
    tmp.cleanup();
  });

  it('volumes add --encrypt prints the recovery phrase once; a second encrypted bucket uses the same key and prints none', { skip }, async () => {
    const v = json<VolumeAdded>(await ok('volumes', 'add', 's3://vss-test/off', '--endpoint', s3.endpoint, '--path-style', '--encrypt', '--name', 'Offsite', '--json'));
    assert.deepEqual([v.name, v.fs, v.encrypted], ['Offsite', 's3', true]);
    assert.equal(v.phrase?.split(' ').length, 24);
    const human = await ok('volumes', 'add', 's3://vss-test/other', '--endpoint', s3.endpoint, '--path-style', '--encrypt', '--name', 'Other');
    assert.match(human.stdout, /sealed with the library's bucket key made before/);
    assert.ok(!human.stdout.includes(v.phrase!.split(' ').slice(0, 3).join(' ')), 'the phrase is not shown again');
    const plain = json<VolumeAdded>(await ok('volumes', 'add', 's3://vss-test/plain', '--endpoint', s3.endpoint, '--path-style', '--json'));
    assert.deepEqual([plain.encrypted, plain.phrase], [false, null]);
    const asked = await runCli(['library', 'key', 'phrase'], env);
    assert.equal(asked.code, 2, 'not shown unless asked plainly');
    assert.match(asked.stderr, /--yes/);
    const again = json<{ key_id: string; phrase: string; age_identity: string }>(await ok('library', 'key', 'phrase', '--yes', '--json'));
    assert.equal(again.phrase, v.phrase, 'library key phrase shows the same words again');
    assert.match(again.age_identity, /^AGE-SECRET-KEY-1[0-9A-Z]{58}$/);
    const loc = await runCli(['location', 'add', 's3://vss-test/off', '--endpoint', s3.endpoint, '--path-style'], env);
    assert.equal(loc.code, 2, loc.stderr);
    assert.match(loc.stderr, /is encrypted: its objects have keyed names/);
  });

  it('protect --to it: counted as an off-site copy; the server stores no name, no content id and no 32-byte window of any original', { skip, timeout: 120_000 }, async () => {
    await ok('guardian', 'policy', '--copies', '2', '--offsite', '1');
    const plan = json<GuardianProtectPlan>(await ok('guardian', 'protect', '--to', 'Offsite', '--dry-run', '--json'));
    assert.deepEqual(plan.targets.map((t) => [t.drive, t.files]), [['Offsite', 3]], 'a dry run plans it as for a plain bucket');
    assert.equal((await keys()).length, 0, 'and puts nothing there');
    const out = json<ProtectOutcome>(await ok('guardian', 'protect', '--to', 'Offsite', '--json'));
    assert.equal(out.job?.status, 'completed');
    assert.equal(out.result?.copied?.paths.length, 3);
    const s = json<GuardianStatus>(await ok('guardian', 'status', '--json'));
    assert.deepEqual([s.contents, s.safe.contents], [3, 3]);
    const listed = await keys();
    assert.equal(listed.length, 3);
    for (const k of listed) assert.match(k.key, /^off\/[0-9a-f]{40}\.age$/);
    const uuids = await Promise.all([...originals.keys()].map((n) => contentOf(n.split('/').pop()!)));
    const words = ['IMG_0001', 'beach', 'Lisbon', 'Holiday', 'notes-secret', 'Photos', 'vss-protect', ...uuids];
    const holdsWindow = windowFinder([...originals.values()]);
    for (const f of filesUnder(s3dir)) {
      const raw = readFileSync(f);
      for (const w of words) assert.ok(!raw.includes(Buffer.from(w)) && !f.includes(w), `${f} holds ${w}`);
      assert.ok(!holdsWindow(raw), `${f} holds a window of an original`);
    }
  });

  it('check-buckets confirms each object by HEAD and ETag; one replaced behind vss is refused, stops counting, and is protected again', { skip, timeout: 120_000 }, async () => {
    const clean = json<BucketCheckResult>(await ok('guardian', 'check-buckets', '--json'));
    assert.deepEqual([clean.gone, clean.changed, clean.lost], [0, 0, 0]);
    const [first] = await keys();
    const obj = await client.send(new GetObjectCommand({ Bucket: 'vss-test', Key: first!.key }));
    const bytes = Buffer.from(await obj.Body!.transformToByteArray());
    bytes[bytes.length - 20] = bytes[bytes.length - 20]! ^ 1;
    const head = await client.send(new HeadObjectCommand({ Bucket: 'vss-test', Key: first!.key }));
    await client.send(new PutObjectCommand({ Bucket: 'vss-test', Key: first!.key, Body: bytes, Metadata: head.Metadata }));
    const found = json<BucketCheckResult>(await ok('guardian', 'check-buckets', '--json'));
    assert.deepEqual([found.changed, found.lost], [1, 1]);
    const s = json<GuardianStatus>(await ok('guardian', 'status', '--json'));
    assert.equal(s.safe.contents, 2, 'the tampered object is not a copy');
    await ok('guardian', 'protect', '--to', 'Offsite');
    const again = json<BucketCheckResult>(await ok('guardian', 'check-buckets', '--json'));
    assert.deepEqual([again.gone, again.changed, again.lost], [0, 0, 0]);
    assert.equal(json<GuardianStatus>(await ok('guardian', 'status', '--json')).safe.contents, 3);
  });

  it('content get from the bucket alone: opened and verified as it streams, byte-identical; damage on the server refuses it and keeps nothing', { skip, timeout: 120_000 }, async () => {
    const name = 'Holiday in Lisbon/beach-video.mp4';
    const uuid = (videoUuid = await contentOf('beach-video.mp4'));
    await ok('guardian', 'policy', '--copies', '1', '--devices', '0', '--offsite', '1');
    await ok('files', 'delete', join(photos, name));
    const out = join(tmp.path, 'got');
    mkdirSync(out);
    // A byte of the object flipped on the server's own disk: its ETag stays, only its chunk's tag tells.
    const obj = filesUnder(s3dir).filter((f) => !f.endsWith('.json')).find((f) => statSync(f).size > 9 * 1024 * 1024)!;
    const raw = readFileSync(obj);
    raw[5 * 1024 * 1024] = raw[5 * 1024 * 1024]! ^ 1;
    writeFileSync(obj, raw);
    const bad = await runCli(['content', 'get', uuid, '--to', out], env);
    assert.equal(bad.code, 1, bad.stdout);
    assert.match(bad.stderr, /does not authenticate under this library's bucket key/);
    assert.deepEqual(readdirSync(out).filter((f) => !f.startsWith('.')), [], 'nothing kept');
    raw[5 * 1024 * 1024] = raw[5 * 1024 * 1024]! ^ 1;
    writeFileSync(obj, raw);
    const got = json<{ path: string; size: number }>(await ok('content', 'get', uuid, '--to', out, '--json'));
    assert.ok(readFileSync(got.path).equals(originals.get(name)!), 'byte-identical');
    rmSync(got.path);
  });

  it("the viewer's range of a video only the encrypted bucket holds, through the daemon: the bytes asked, opened by their chunks", { skip, timeout: 120_000 }, async () => {
    const video = originals.get('Holiday in Lisbon/beach-video.mp4')!;
    const uuid = videoUuid;
    const { VSS_NO_DAEMON: _inProcess, ...daemonEnv } = env;
    assert.equal((await runCli(['daemon', 'start', '--listen', '/ip4/127.0.0.1/tcp/0'], daemonEnv)).code, 0);
    try {
      const http = json<{ http: string }>(await runCli(['daemon', 'status', '--json'], daemonEnv)).http;
      const auth = { authorization: `Bearer ${readFileSync(join(env.VSS_DATA_DIR!, 'daemon.token'), 'utf8').trim()}` };
      const url = `${http}/api/libraries/current/content/${uuid}`;
      const [from, to] = [5_000_000, 5_300_000];
      const part = await fetch(url, { headers: { ...auth, range: `bytes=${from}-${to}` } });
      assert.equal(part.status, 206);
      assert.equal(part.headers.get('content-range'), `bytes ${from}-${to}/${video.length}`);
      assert.ok(Buffer.from(await part.arrayBuffer()).equals(video.subarray(from, to + 1)));
      const tail = await fetch(url, { headers: { ...auth, range: 'bytes=-1000' } });
      assert.ok(Buffer.from(await tail.arrayBuffer()).equals(video.subarray(video.length - 1000)));
    } finally {
      await runCli(['daemon', 'stop'], daemonEnv);
    }
  });

  it('check-buckets --read reads each object back whole: damage the service kept under its ETag is found, stops counting, and is uploaded again', { skip, timeout: 120_000 }, async () => {
    const obj = filesUnder(s3dir).filter((f) => !f.endsWith('.json')).find((f) => statSync(f).size === 184 + 5_000 + 16)!;
    const raw = readFileSync(obj);
    raw[300] = raw[300]! ^ 1;
    writeFileSync(obj, raw);
    const listed = json<BucketCheckResult>(await ok('guardian', 'check-buckets', 'Offsite', '--json'));
    assert.deepEqual([listed.changed, listed.lost], [0, 0], 'a listing and a HEAD cannot see it');
    const read = json<BucketCheckResult>(await ok('guardian', 'check-buckets', 'Offsite', '--read', '--json'));
    assert.deepEqual([read.buckets[0]!.read, read.buckets[0]!.read_bad, read.buckets[0]!.read_all, read.lost], [3, 1, true, 1]);
    assert.match(read.buckets[0]!.lost_items[0]!.why, /does not authenticate/);
    await ok('guardian', 'protect', '--to', 'Offsite');
    const again = json<BucketCheckResult>(await ok('guardian', 'check-buckets', 'Offsite', '--read', '--json'));
    assert.deepEqual([again.buckets[0]!.read, again.buckets[0]!.read_bad, again.lost], [3, 0, 0]);
  });

  it('a rotten file is found by scrub and repaired from the encrypted bucket', { skip, timeout: 120_000 }, async () => {
    const path = join(photos, 'notes-secret.txt');
    const was = statSync(path);
    const fd = openSync(path, 'r+');
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, 10);
    writeSync(fd, Buffer.from([b[0]! ^ 1]), 0, 1, 10);
    closeSync(fd);
    utimesSync(path, was.atime, was.mtime);
    const scrub = json<ScrubResult>(await ok('guardian', 'scrub', '--json'));
    assert.equal(scrub.rot, 1);
    const r = json<RepairResult>(await ok('guardian', 'repair', '--json'));
    assert.deepEqual(r.refused, []);
    assert.equal(r.repaired.length, 1);
    assert.match(r.repaired[0]!.from, /^s3:\/\/vss-test\/off\/[0-9a-f]{40}\.age$/);
    assert.ok(readFileSync(path).equals(originals.get('notes-secret.txt')!));
    const risk = json<GuardianAtRisk[]>(await ok('guardian', 'list', '--at-risk', '--json'));
    assert.deepEqual(risk, []);
  });

  it('an upload killed -9 mid-way counts as nothing, leaves no object, and is made again from the start', { skip, timeout: 180_000 }, async () => {
    const film = join(photos, 'film.bin');
    writeBigFile(film, BIG);
    await ok('location', 'rescan', photos);
    await ok('guardian', 'policy', '--copies', '2', '--devices', '1', '--offsite', '1');
    await protectKilledMidUpload(env, dbPath());
    const db = new Database(dbPath(), { readonly: true, fileMustExist: true });
    try {
      assert.equal(db.prepare('SELECT COUNT(*) FROM bucket_objects WHERE size = ?').pluck().get(BIG), 0, 'nothing counted before it is complete and read back');
    } finally {
      db.close();
    }
    assert.equal((await keys()).filter((k) => k.size > BIG).length, 0, 'no object of it in the bucket');
    await ok('jobs', 'run', '--until-idle');
    const after = new Database(dbPath(), { readonly: true });
    try {
      assert.equal(after.prepare('SELECT COUNT(*) FROM bucket_objects WHERE size = ? AND lost_at IS NULL').pluck().get(BIG), 1, 'counted once made again, complete and read back');
      assert.equal(after.prepare('SELECT COUNT(*) FROM bucket_uploads').pluck().get(), 0, 'no upload left open');
    } finally {
      after.close();
    }
    const read = json<BucketCheckResult>(await ok('guardian', 'check-buckets', 'Offsite', '--read', '--json'));
    assert.deepEqual([read.buckets[0]!.read_bad, read.lost], [0, 0], 'what was made again reads back whole and authenticates');
    rmSync(film);
    await ok('location', 'rescan', photos);
  });
});
