import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { spawn } from 'node:child_process';
import { VSS_BIN, json, tempDir, until } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { pairDaemons } from '../sync-peers.js';
import { loopSkipReason, makeLoopVolume, type LoopVolume } from '../loop-volume.js';
import type { LocationInfo, IndexResult } from '../../src/wire/locations.js';

interface Job { id: number; kind: string; status: string; attempts: number; error: string | null }
interface LsItem { name: string; device: string; online: boolean }
interface Stats { files: number; sidecars: Record<string, Record<string, number>> }

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0'];
const IMAGES = 48;

/**
 * The daemon with a deep location on a removable drive (a loop ext4 volume) that is unplugged
 * while its thumbnail jobs run: no entry or sidecar removed, no attempt spent, the location offline
 * here and on a paired device; plugged back at another mount point, it follows, nothing is hashed
 * again, and the waiting jobs finish.
 */
describe('a drive unplugged while the daemon works on it', { skip: loopSkipReason() }, () => {
  const tmp = tempDir('vss-volunplug-');
  const A = { VSS_DATA_DIR: join(tmp.path, 'a') };
  const B = { VSS_DATA_DIR: join(tmp.path, 'b') };
  let drive: LoopVolume | undefined;
  after(async () => {
    await Promise.all([runCli(['daemon', 'stop'], A), runCli(['daemon', 'stop'], B)]);
    drive?.remove();
    tmp.cleanup();
  });

  it('keeps everything, waits, shows it offline everywhere, and follows the drive to its new mount point', async () => {
    drive = makeLoopVolume({ sizeMiB: 128 });
    const pics = join(drive.mountPoint!, 'pics');
    mkdirSync(pics);
    // Noisy photos, slow to decode: one field of noise made once (each made afresh was half a second
    // of CPU, 48 of them most of this file's), each photo that noise brightened by its own amount, so
    // each is a content of its own with the same weight to decode.
    const size = { width: 1600, height: 1200, channels: 3 } as const;
    const noise = await sharp({ create: { ...size, background: { r: 0, g: 90, b: 160 }, noise: { type: 'gaussian', mean: 120, sigma: 40 } } }).raw().toBuffer();
    for (let i = 0; i < IMAGES; i++) {
      await sharp(noise, { raw: size }).linear(1, i * 2).jpeg({ quality: 85 }).toFile(join(pics, `p${String(i).padStart(2, '0')}.jpg`));
    }
    assert.equal((await runCli(['library', 'create', 'Home', '--path', join(tmp.path, 'libs')], A)).code, 0);
    assert.equal((await runCli(['device', 'rename', 'Laptop'], A)).code, 0);
    assert.equal((await runCli(['device', 'rename', 'Desktop'], B)).code, 0);
    assert.equal((await runCli(['daemon', 'start', ...LOOPBACK], A)).code, 0);
    assert.equal((await runCli(['daemon', 'start', ...LOOPBACK], B)).code, 0);
    await pairDaemons(A, B);
    const added = json<IndexResult>(await runCli(['location', 'add', pics, '--name', 'Pics', '--mode', 'deep', '--generate', 'thumb=grid@1x', '--json'], A, { timeout: 120_000 }));
    assert.equal(added.files, IMAGES);

    // Unplugged while its jobs run (lazily: a generator may hold a file open).
    drive.unplug({ lazy: true });
    const atUnplug = json<Job[]>(await runCli(['jobs', 'list', '--json'], A));
    const open = atUnplug.filter((j) => j.status === 'queued' || j.status === 'running').length;
    assert.ok(open > 0, 'jobs were still to run when the drive went');
    const statsBefore = json<Stats>(await runCli(['library', 'stats', '--json'], A));

    const loc = json<LocationInfo[]>(await runCli(['location', 'list', '--json'], A))[0]!;
    assert.equal(loc.online, false);
    assert.ok(loc.volume_id);
    // The paired device hears of it through library sync.
    await until('the desktop sees the laptop\'s location offline', 30_000, async () => {
      const items = json<LsItem[]>(await runCli(['ls', 'Laptop:', '--json'], B));
      return items.length === 1 && items[0]!.online === false ? true : undefined;
    });
    // Jobs meet the missing drive a few times meanwhile (their wait is 10 s).
    await new Promise((r) => setTimeout(r, 4000));
    const jobs = json<Job[]>(await runCli(['jobs', 'list', '--json'], A));
    assert.deepEqual(jobs.filter((j) => j.status === 'failed'), [], 'no job failed');
    const waiting = jobs.filter((j) => j.status !== 'completed');
    assert.ok(waiting.length > 0);
    assert.deepEqual(waiting.filter((j) => j.attempts !== 0).map((j) => `${j.id} ${j.status} ${j.attempts}`), [], 'no attempt spent');
    assert.ok(waiting.every((j) => /waiting for its drive/.test((j as Job & { note: string | null }).note ?? '')), 'each says what it waits for');
    // Jobs waiting for a drive do not hold `jobs run --until-idle` (through the daemon) until it is back.
    const run = await runCli(['jobs', 'run', '--until-idle'], A, { timeout: 30_000 });
    assert.equal(run.code, 0, `jobs run --until-idle returned: ${run.stderr}`);
    const stats = json<Stats>(await runCli(['library', 'stats', '--json'], A));
    assert.equal(stats.files, statsBefore.files, 'no entry removed');
    assert.equal(stats.sidecars.thumb?.failed ?? 0, 0, 'no sidecar failed');
    // A generator that had its file open when the drive went may still finish it (a lazy unmount keeps open files readable): more, never fewer.
    const ready = [statsBefore.sidecars.thumb?.ready ?? 0, stats.sidecars.thumb?.ready ?? 0] as const;
    assert.ok(ready[1] >= ready[0], `no sidecar removed (${ready[0]} ready before, ${ready[1]} now)`);

    // Plugged back at another mount point: the location follows (the daemon polls the mount table).
    const events = spawn(process.execPath, [VSS_BIN, 'events', '--follow'], { env: { ...process.env, ...A }, stdio: ['ignore', 'pipe', 'ignore'] });
    const seen = new Map<string, number>();
    /** Files each scan after the replug had to identify (hash): the daemon's own rescan and ours. */
    const toHash: number[] = [];
    let buf = '';
    events.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try {
          const e = JSON.parse(line) as { type: string; payload: { change?: string; phase?: string; total?: number } };
          if (e.type === 'index:progress' && e.payload.phase === 'content') toHash.push(e.payload.total ?? -1);
          const key = e.type === 'locations:changed' ? `${e.type} ${e.payload.change}` : e.type;
          if (!seen.has(key)) seen.set(key, Date.now());
        } catch { /* not an event line */ }
      }
    });
    await new Promise((r) => setTimeout(r, 1000)); // the follower connected
    seen.clear();
    toHash.length = 0;
    const at = drive.plug(join(tmp.path, 'other-mount'));
    const plugged = Date.now();
    await until('the desktop sees it online again', 30_000, async () => {
      const items = json<LsItem[]>(await runCli(['ls', 'Laptop:', '--json'], B));
      return items[0]?.online === true ? true : undefined;
    }, 100);
    const seenOnline = Date.now() - plugged;
    const here = await until('the daemon told the location online', 10_000, async () => seen.get('locations:changed online'));
    await until('the daemon\'s own rescan after the replug', 20_000, async () => (seen.has('index:done') ? true : undefined));
    assert.ok(seen.has('volume:appeared'), 'volume:appeared told');
    events.kill('SIGTERM');
    // A scan with files to identify says how many in its content phase; one with none says nothing there.
    assert.deepEqual(toHash.filter((n) => n !== 0), [], 'no file hashed again by the daemon\'s rescan after the replug');
    const onlineHere = here - plugged;
    const back = json<LocationInfo[]>(await runCli(['location', 'list', '--json'], A))[0]!;
    assert.deepEqual([back.online, back.path, back.volume_id], [true, join(at, 'pics'), loc.volume_id]);
    const rescan = json<IndexResult>(await runCli(['location', 'rescan', 'Pics', '--json'], A, { timeout: 120_000 }));
    assert.deepEqual({ hashed: rescan.hashed, removed: rescan.removed, added: rescan.added, files: rescan.files }, { hashed: 0, removed: 0, added: 0, files: IMAGES });
    await until('the waiting jobs finish', 90_000, async () => {
      const all = json<Job[]>(await runCli(['jobs', 'list', '--json'], A));
      return all.length > 0 && all.every((j) => j.status === 'completed') ? all : undefined;
    }, 500);
    const done = json<Stats>(await runCli(['library', 'stats', '--json'], A));
    assert.equal(done.sidecars.thumb?.ready, IMAGES);
    console.log(`# figures: ${open} jobs open at the unplug, ${waiting.length} waited with 0 attempts; files kept ${stats.files}/${statsBefore.files}; online here ${onlineHere} ms and on the paired device ${seenOnline} ms after the mount; rescan hashed ${rescan.hashed}, files to hash in the daemon's own rescan: ${toHash.reduce((a, b) => a + b, 0)}`);
  });
});
