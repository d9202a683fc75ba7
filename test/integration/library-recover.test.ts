import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { entropyToMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import type { VolumeAdded } from '../../src/api/index.js';
import type { LibraryRecoverResult } from '../../src/api/libraries.js';
import type { LibraryBackupResult } from '../../src/api/library-backup.js';
import type { GuardianAtRisk, GuardianStatus } from '../../src/wire/guardian.js';
import { json, killNow, tempDir, until, VSS_BIN } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { filesUnder } from '../support/away-setup.js';
import { s3SkipReason, startS3, type S3Server } from '../support/s3-server.js';
import { stopped } from '../support/stopped.js';
import { windowFinder } from '../support/windows.js';

interface Content { content_uuid: string; paths: string[] }

/**
 * The library itself off-site (issue 60, item 4), through the real CLI against a real S3 server:
 * `library backup --to` an encrypted bucket (a plain one refused), the server holding no window of
 * the snapshot and not the library's name; then on fresh data dirs, with the bucket's address and
 * the phrase alone: a wrong phrase refused with nothing written, a tampered snapshot refused, a
 * recover killed -9 mid-way leaving nothing registered and run again, and the library back — its
 * tags and albums, the bucket's contents counted and one got back byte-identical.
 */
describe('a library recovered from its encrypted bucket', async () => {
  const skip = await s3SkipReason();
  const tmp = tempDir('vss-recover-');
  const photos = join(tmp.path, 'photos');
  const s3dir = join(tmp.path, 's3');
  const LIB = 'Family Photos of the Lisbon Trip';
  let s3: S3Server;
  let env: Record<string, string> = {};
  let phrase = '';
  const originals = new Map<string, Buffer>();
  const at = (dir: string) => ({ ...env, VSS_DATA_DIR: join(tmp.path, dir) });
  const ok = async (args: string[], e = env) => {
    const r = await runCli(args, e);
    assert.equal(r.code, 0, `vss ${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  const recoverArgs = (words: string) => ['library', 'recover', '--from', 's3://vss-test/off', '--endpoint', s3.endpoint, '--path-style', '--phrase', words, '--json'];
  /** A data dir holds no library: none registered, no folder of one (nor one being made). */
  const noLibrary = (dir: string) => {
    const libs = join(tmp.path, dir, 'libraries');
    assert.deepEqual(existsSync(libs) ? readdirSync(libs) : [], [], `${dir} has no library folder`);
    const reg = join(tmp.path, dir, 'libraries.json');
    assert.ok(!existsSync(reg) || (JSON.parse(readFileSync(reg, 'utf8')) as { libraries: unknown[] }).libraries.length === 0, `${dir} registers no library`);
  };

  before(async () => {
    if (skip) return;
    mkdirSync(photos, { recursive: true });
    for (const [name, size] of [['beach.jpg', 90_000], ['tram.mp4', 300_000], ['notes.txt', 4_000]] as const) {
      const bytes = randomBytes(size);
      writeFileSync(join(photos, name), bytes);
      originals.set(name, bytes);
    }
    s3 = await startS3(s3dir, ['vss-test']);
    env = { VSS_NO_DAEMON: '1', ...s3.env };
    await ok(['library', 'create', LIB, '--path', join(tmp.path, 'libs')], at('home'));
    await ok(['location', 'add', photos, '--name', 'Photos', '--mode', 'content'], at('home'));
    const v = json<VolumeAdded>(await ok(['volumes', 'add', 's3://vss-test/off', '--endpoint', s3.endpoint, '--path-style', '--encrypt', '--name', 'Offsite', '--json'], at('home')));
    phrase = v.phrase!;
    await ok(['volumes', 'add', 's3://vss-test/plain', '--endpoint', s3.endpoint, '--path-style', '--name', 'Plain'], at('home'));
    await ok(['guardian', 'policy', '--copies', '2', '--offsite', '1'], at('home'));
    await ok(['guardian', 'protect', '--to', 'Offsite'], at('home'));
    await ok(['tag', 'add', 'Beach days', join(photos, 'beach.jpg')], at('home'));
    await ok(['album', 'add', 'Summer in Lisbon', join(photos, 'beach.jpg'), join(photos, 'tram.mp4')], at('home'));
  });
  after(async () => {
    await s3?.stop();
    tmp.cleanup();
  });

  it('library backup --to an encrypted bucket: sealed, scheduled, pruned; a plain bucket refused; the server holds no window of the snapshot and not the name', { skip, timeout: 120_000 }, async () => {
    const plain = await runCli(['library', 'backup', '--to', 'Plain'], at('home'));
    assert.equal(plain.code, 2, plain.stderr);
    assert.match(plain.stderr, /is a plain bucket: a snapshot of the library .* goes only to an encrypted one/);
    const first = json<LibraryBackupResult>(await ok(['library', 'backup', '--to', 'Offsite', '--every', '24', '--keep', '2', '--json'], at('home')));
    assert.match(first.path, /^s3:\/\/vss-test\/off\/[0-9a-f]{40}\.age$/);
    assert.deepEqual([first.schedule?.to, first.schedule?.every_hours, first.schedule?.keep], ['Offsite', 24, 2]);
    await ok(['library', 'backup', '--to', 's3://vss-test/off', '--keep', '2'], at('home'));
    const third = json<LibraryBackupResult>(await ok(['library', 'backup', '--to', 'Offsite', '--keep', '2', '--json'], at('home')));
    assert.deepEqual(third.removed, [first.path], 'the oldest pruned from the bucket');
    const objects = filesUnder(join(s3dir, 'vss-test')).filter((f) => f.endsWith('._S3rver_object'));
    assert.equal(objects.length, 3 + 2 + 1, 'three originals, two snapshots and the index');
    assert.ok(!objects.some((f) => f.includes(first.path.split('/').pop()!)), 'the pruned snapshot is gone from the server');
    const backups = json<Array<{ path: string; present: boolean }>>(await ok(['library', 'backups', '--json'], at('home')));
    assert.deepEqual(backups.map((b) => b.present), [true, true]);

    // The snapshot's plaintext: one made beside it now, the same pages.
    const local = json<LibraryBackupResult>(await ok(['library', 'backup', '--to', join(tmp.path, 'local-snap'), '--json'], at('home')));
    const libraryId = json<{ id: string }>(await ok(['library', 'current', '--json'], at('home'))).id;
    const holdsWindow = windowFinder([readFileSync(local.path)]);
    for (const f of filesUnder(s3dir)) {
      const raw = readFileSync(f);
      for (const w of ['Lisbon', 'Family Photos', libraryId, 'Beach days', 'beach.jpg']) assert.ok(!raw.includes(Buffer.from(w)) && !f.includes(w), `${f} holds ${w}`);
      if (f.endsWith('._S3rver_object')) assert.ok(!holdsWindow(raw), `${f} holds a window of the snapshot`);
    }
  });

  it('a phrase that is not one, or of another key, is refused and nothing is written in the data dir', { skip, timeout: 60_000 }, async () => {
    const words = phrase.split(' ');
    const swapped = [...words.slice(0, 22), words[23]!, words[22]!].join(' ');
    const bad = await runCli(recoverArgs(swapped), at('wrong'));
    if (words[22] !== words[23]) {
      assert.equal(bad.code, 2, bad.stderr);
      assert.match(bad.stderr, /recovery phrase does not check/);
    }
    const other = await runCli(recoverArgs(entropyToMnemonic(randomBytes(32), wordlist)), at('wrong'));
    assert.notEqual(other.code, 0);
    assert.match(other.stderr, /this phrase does not open the bucket at s3:\/\/vss-test\/off/);
    assert.equal(other.stdout, '');
    noLibrary('wrong');
    const short = await runCli(recoverArgs('abandon ability'), at('wrong'));
    assert.equal(short.code, 2);
    assert.match(short.stderr, /24 words, not 2/);
    noLibrary('wrong');
  });

  it('a snapshot damaged on the server is refused, nothing registered', { skip, timeout: 60_000 }, async () => {
    const newest = json<Array<{ path: string }>>(await ok(['library', 'backups', '--json'], at('home'))).find((b) => b.path.startsWith('s3:'))!;
    const file = filesUnder(join(s3dir, 'vss-test')).find((f) => f.endsWith('._S3rver_object') && f.includes(newest.path.split('/').pop()!))!;
    const good = readFileSync(file);
    const bad = Buffer.from(good);
    bad[Math.floor(bad.length / 2)]! ^= 1;
    writeFileSync(file, bad);
    try {
      const r = await runCli(recoverArgs(phrase), at('tampered'));
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /does not authenticate/);
      noLibrary('tampered');
    } finally {
      writeFileSync(file, good);
    }
  });

  it('killed -9 mid-recover: nothing registered; run again it recovers the library, its tags, albums and the bucket\'s contents', { skip, timeout: 120_000 }, async () => {
    const child = spawn(process.execPath, [VSS_BIN, ...recoverArgs(phrase)], { env: { ...process.env, ...at('fresh'), VSS_CRASH_AT: 'recover:downloaded:stop' }, stdio: 'ignore' });
    try {
      await until('the recover stopped once the snapshot is downloaded', 60_000, async () => (stopped(child.pid!) ? true : undefined), 50);
      const libs = join(tmp.path, 'fresh', 'libraries');
      assert.equal(readdirSync(libs).filter((n) => n.startsWith('.recovering-')).length, 1, 'the library is being made apart');
      await killNow(child.pid!, 'the recover');
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    assert.deepEqual(json<unknown[]>(await ok(['library', 'list', '--json'], at('fresh'))), [], 'no library registered');

    const r = json<LibraryRecoverResult>(await ok(recoverArgs(phrase), at('fresh')));
    assert.deepEqual([r.library, r.contents], [LIB, 3]);
    assert.deepEqual(readdirSync(join(tmp.path, 'fresh', 'libraries')), [`${LIB}.sdlibrary`], 'what the killed run left is gone');
    const e = at('fresh');
    const tags = json<Array<{ name: string; count?: number; contents?: number }>>(await ok(['tag', 'list', '--json'], e));
    assert.ok(tags.some((t) => t.name === 'Beach days'), JSON.stringify(tags));
    const albums = json<Array<{ name: string }>>(await ok(['album', 'list', '--json'], e));
    assert.ok(albums.some((a) => a.name === 'Summer in Lisbon'), JSON.stringify(albums));
    const vols = json<Array<{ name: string; encrypted?: boolean }>>(await ok(['volumes', 'list', '--json'], e));
    assert.ok(vols.some((v) => v.name === 'Offsite' && v.encrypted === true), JSON.stringify(vols));
    assert.equal(json<{ phrase: string }>(await ok(['library', 'key', 'phrase', '--yes', '--json'], e)).phrase, phrase);

    // Every content got back from the bucket alone, byte-identical (its files are on the other device).
    const status = json<GuardianStatus>(await ok(['guardian', 'status', '--json'], e));
    assert.equal(status.contents, 3);
    assert.ok(status.library.snapshots >= 1, 'the snapshot it came from counts: the library\'s own work has an off-site copy');
    // The lost computer's copies are what the snapshot said it held: not counted until it is heard from. The bucket's are.
    assert.equal(r.unconfirmed_devices, 1);
    const lost = status.by_device.find((d) => d.device_id !== status.by_device[0]!.device_id)!;
    assert.ok(lost.unconfirmed_since !== null, JSON.stringify(status.by_device));
    assert.deepEqual([status.safe.contents, status.short.contents, status.single.contents], [0, 3, 3], 'each held once: in the bucket');
    const risk = json<GuardianAtRisk[]>(await ok(['guardian', 'list', '--at-risk', '--json'], e));
    assert.deepEqual(risk.map((c) => [c.has.copies, c.copies.filter((x) => x.unconfirmed).length]), [[1, 1], [1, 1], [1, 1]]);
    assert.match((await ok(['guardian', 'status'], e)).stdout, /not heard from since the library was restored .*: its copies are not counted/);
    const home = json<Content[]>(await ok(['content', 'list', '--json'], at('home')));
    const out = join(tmp.path, 'got');
    mkdirSync(out);
    for (const [name, bytes] of originals) {
      const uuid = home.find((c) => c.paths.some((p) => p.endsWith(`/${name}`)))!.content_uuid;
      const got = json<{ path: string }>(await ok(['content', 'get', uuid, '--to', out, '--json'], e));
      assert.ok(readFileSync(got.path).equals(bytes), `${name} byte-identical`);
    }
    const again = await runCli(recoverArgs(phrase), e);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /has library .* already/);
  });
});
