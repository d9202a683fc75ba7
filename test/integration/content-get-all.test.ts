import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { VolumeAdded } from '../../src/api/index.js';
import { json, killNow, tempDir, until, VSS_BIN } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { filesUnder } from '../support/away-setup.js';
import { s3SkipReason, startS3, type S3Server } from '../support/s3-server.js';
import { stopped } from '../support/stopped.js';

interface GetAll { files: number; bytes: number; skipped: number; failed: number; failures: Array<{ content_uuid: string; reason: string }>; unreachable: { files: number } }

/**
 * A whole library back on a new computer in one command (issue 60): files in two locations
 * (subfolders) protected to an encrypted bucket and the library backed up there; on a fresh data
 * dir, `library recover` with the phrase, then `content get --all --to DIR` through the real CLI
 * against a real S3 server: a dry run writes nothing; a run killed -9 mid-way leaves no file half
 * written under its name and run again completes; every original comes back byte-identical at
 * `DIR/LOCATION/sub/name` with its time; a second run copies nothing again (kept: the same bytes);
 * an object tampered with on the server is that content's failure alone.
 */
describe('content get --all: a recovered library\'s originals back in one command', async () => {
  const skip = await s3SkipReason();
  const tmp = tempDir('vss-getall-');
  const photos = join(tmp.path, 'photos');
  const phone = join(tmp.path, 'phone');
  const s3dir = join(tmp.path, 's3');
  const out = join(tmp.path, 'restored');
  /** Each original by where it must come back under the folder (LOCATION/its/path). */
  const originals = new Map<string, { bytes: Buffer; mtimeMs: number }>();
  const MTIME = Date.UTC(2021, 5, 14, 9, 30, 12, 345);
  let s3: S3Server;
  let env: Record<string, string> = {};
  const at = (dir: string) => ({ ...env, VSS_DATA_DIR: join(tmp.path, dir) });
  const ok = async (args: string[], e: Record<string, string>) => {
    const r = await runCli(args, e);
    assert.equal(r.code, 0, `vss ${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  const getAll = (to: string) => ['content', 'get', '--all', '--to', to, '--json'];
  /** The files under DIR by their path there (partials included: they start with `.vss-partial-`). */
  const underOut = (dir: string) => filesUnder(dir).map((f) => relative(dir, f)).sort();

  before(async () => {
    if (skip) return;
    const files: Array<[string, string, number]> = [
      [photos, '2023/trip/beach.jpg', 60_000], [photos, '2023/trip/tram.mp4', 200_000], [photos, 'notes.txt', 3_000],
      [phone, 'DCIM/IMG_0001.jpg', 40_000], [phone, 'DCIM/IMG_0002.jpg', 20_000],
    ];
    for (const [root, rel, size] of files) {
      const path = join(root, rel);
      mkdirSync(join(path, '..'), { recursive: true });
      const bytes = randomBytes(size);
      writeFileSync(path, bytes);
      utimesSync(path, new Date(), new Date(MTIME + size));
      originals.set(`${root === photos ? 'Photos' : 'Phone'}/${rel}`, { bytes, mtimeMs: MTIME + size });
    }
    s3 = await startS3(s3dir, ['vss-test']);
    env = { VSS_NO_DAEMON: '1', ...s3.env };
    const home = at('home');
    await ok(['library', 'create', 'Home', '--path', join(tmp.path, 'libs')], home);
    await ok(['location', 'add', photos, '--name', 'Photos', '--mode', 'content'], home);
    await ok(['location', 'add', phone, '--name', 'Phone', '--mode', 'content'], home);
    const v = json<VolumeAdded>(await ok(['volumes', 'add', 's3://vss-test/off', '--endpoint', s3.endpoint, '--path-style', '--encrypt', '--name', 'Offsite', '--json'], home));
    await ok(['guardian', 'protect', '--to', 'Offsite'], home);
    // A file indexed after the protect, before the snapshot: the library knows it, the bucket has no copy (it was on the laptop only).
    writeFileSync(join(photos, 'late.txt'), randomBytes(5_000));
    await ok(['location', 'rescan', photos], home);
    await ok(['library', 'backup', '--to', 'Offsite'], home);
    // The laptop burned: a fresh data dir, the bucket's address and the phrase alone.
    await ok(['library', 'recover', '--from', 's3://vss-test/off', '--endpoint', s3.endpoint, '--path-style', '--phrase', v.phrase!], at('new'));
    mkdirSync(out);
  });
  after(async () => {
    await s3?.stop();
    tmp.cleanup();
  });

  it('--dry-run counts the contents, their bytes and the room in the folder, and writes nothing', { skip, timeout: 60_000 }, async () => {
    const p = json<{ files: number; bytes: number; free_bytes: number; unreachable: { files: number; bytes: number } }>(await ok(['content', 'get', '--all', '--to', out, '--dry-run', '--json'], at('new')));
    const bytes = [...originals.values()].reduce((n, o) => n + o.bytes.length, 0);
    assert.deepEqual([p.files, p.bytes], [originals.size, bytes]);
    assert.deepEqual(p.unreachable, { files: 1, bytes: 5_000 }, 'the file the laptop alone held: counted, not planned');
    assert.ok(p.free_bytes > 0);
    assert.deepEqual(readdirSync(out), [], 'nothing written');
    const text = await ok(['content', 'get', '--all', '--to', out, '--dry-run'], at('new'));
    assert.match(text.stdout, /would copy 5 files .* into .*restored.* free there/);
    assert.match(text.stderr, /1 content \(.*\) has no copy this device can reach/);
  });

  it('killed -9 mid-way: no file half written under its name; run again, every original is back at LOCATION/its/path, byte-identical, with its time', { skip, timeout: 120_000 }, async () => {
    const child = spawn(process.execPath, [VSS_BIN, ...getAll(out)], { env: { ...process.env, ...at('new'), VSS_CRASH_AT: 'get-all:landed:stop' }, stdio: 'ignore' });
    try {
      await until('the get stopped once a content landed', 60_000, async () => (stopped(child.pid!) ? true : undefined), 50);
      await killNow(child.pid!, 'the get');
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    const left = underOut(out);
    const named = left.filter((f) => !f.split('/').pop()!.startsWith('.vss-partial-'));
    assert.ok(named.length >= 1 && named.length < originals.size, `some landed, not all: ${left.join(', ')}`);
    for (const f of named) assert.ok(originals.get(f)?.bytes.equals(readFileSync(join(out, f))), `${f} under its name is whole`);

    // The same job resumed; a content that landed before its row was written is found there, whole, and kept.
    const r = json<GetAll>(await ok(getAll(out), at('new')));
    assert.deepEqual([r.files + r.skipped, r.failed, r.unreachable.files], [originals.size, 0, 1], JSON.stringify(r));
    assert.ok(r.files >= 1, 'the rest copied by the run again');
    assert.deepEqual(underOut(out), [...originals.keys()].sort(), 'each at LOCATION/its/path, no partial left');
    for (const [rel, o] of originals) {
      assert.ok(readFileSync(join(out, rel)).equals(o.bytes), `${rel} byte-identical`);
      assert.equal(Math.floor(statSync(join(out, rel)).mtimeMs), o.mtimeMs, `${rel} has its time back`);
    }
  });

  it('a second run copies nothing again: each file there already with the same bytes is kept, and the text says what to do next', { skip, timeout: 60_000 }, async () => {
    const before = new Map(underOut(out).map((f) => [f, statSync(join(out, f)).ino]));
    const r = json<GetAll>(await ok(getAll(out), at('new')));
    assert.deepEqual([r.files, r.skipped, r.failed], [0, originals.size, 0]);
    assert.deepEqual(new Map(underOut(out).map((f) => [f, statSync(join(out, f)).ino])), before, 'nothing written');
    const text = await ok(['content', 'get', '--all', '--to', out], at('new'));
    assert.match(text.stdout, /0 files .* copied into .*restored.*5 there already/);
    assert.match(text.stdout, /vss location add .*restored/);
  });

  it('through the daemon: one job of the daemon\'s, every original back byte-identical', { skip, timeout: 120_000 }, async () => {
    const daemon = { ...at('new') } as Record<string, string>;
    delete daemon.VSS_NO_DAEMON;
    const there = join(tmp.path, 'through-daemon');
    mkdirSync(there);
    assert.equal((await runCli(['daemon', 'start', '--listen', '/ip4/127.0.0.1/tcp/0'], daemon)).code, 0);
    const ofKind = async () => json<Array<{ id: number; status: string }>>(await ok(['jobs', 'list', '--kind', 'content-get-all', '--json'], daemon));
    try {
      const before = new Set((await ofKind()).map((j) => j.id));
      const r = json<GetAll>(await ok(getAll(there), daemon));
      assert.deepEqual([r.files, r.failed], [originals.size, 0], JSON.stringify(r));
      for (const [rel, o] of originals) assert.ok(readFileSync(join(there, rel)).equals(o.bytes), `${rel} byte-identical`);
      const made = (await ofKind()).filter((j) => !before.has(j.id));
      assert.deepEqual(made.map((j) => j.status), ['completed'], 'one job, run by the daemon');
    } finally {
      await runCli(['daemon', 'stop'], daemon);
    }
  });

  it('an object tampered with on the server: that content fails, said, the others come back, the exit code is 1', { skip, timeout: 60_000 }, async () => {
    // The tram's object: the one near its size (the others are far smaller, the snapshot far larger or smaller).
    const tram = originals.get('Photos/2023/trip/tram.mp4')!.bytes.length;
    const file = filesUnder(join(s3dir, 'vss-test')).find((f) => f.endsWith('._S3rver_object') && Math.abs(statSync(f).size - tram) < 4_096)!;
    const good = readFileSync(file);
    const bad = Buffer.from(good);
    bad[Math.floor(bad.length / 2)]! ^= 1;
    writeFileSync(file, bad);
    const again = join(tmp.path, 'again');
    mkdirSync(again);
    try {
      const run = await runCli(getAll(again), at('new'));
      assert.equal(run.code, 1, run.stderr);
      const r = JSON.parse(run.stdout) as GetAll;
      assert.deepEqual([r.files, r.failed], [originals.size - 1, 1], JSON.stringify(r));
      assert.equal(r.failures.length, 1);
      assert.deepEqual(underOut(again), [...originals.keys()].filter((k) => !k.endsWith('tram.mp4')).sort(), 'nothing of the tram kept, no partial');
      for (const f of underOut(again)) assert.ok(originals.get(f)!.bytes.equals(readFileSync(join(again, f))));
    } finally {
      writeFileSync(file, good);
    }
  });
});
