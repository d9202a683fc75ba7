/**
 * `node dist/bench/lock-bench.js [--files N] [--asks N] [--keep]` (npm run bench:locks)
 *
 * The locks of DESIGN §19 (/vss/lock/1.0.0, src/sync/locks/), measured:
 * 1. A lock's round trip on loopback: two real libp2p nodes (Noise, Yamux) in this process, real
 *    libraries scanned from disk; one device asks the other to lock one copy (its Guardian checks
 *    the file by the evidence rule) and releases it: ask → held, release → released. Also an ask
 *    of 1,000 copies (one ask per 1,000 copies: the most one message carries).
 * 2. `files delete` of N files (default 1,000) whose other copies are on a paired device that is
 *    connected (two real daemons on loopback, driven through the CLI: the delete asks the device
 *    to lock its 1,000 copies, once), against the same delete when the other copies are on a
 *    second drive here (an ext4 image on a loop device: the copies left there are hashed again
 *    before the delete, being the last). Timed: the job from its start to its end. The ratio is
 *    the device's over the drive's. Part 2 needs root (a loop device); without it, it is skipped.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { makeDevice, pairAndConnect, type TestDevice } from '../test/sync-peers.js';
import { loopSkipReason, makeLoopVolume, type LoopVolume } from '../test/loop-volume.js';
import type { RemoteCopy } from '../src/guardian/guard.js';
import { addLocation, scanLocation } from '../src/locations/locations.js';
import { lockCopies } from '../src/sync/locks/lock-copies.js';
import { serveLock } from '../src/sync/locks/serve-lock.js';
import { cli, cliJson, device, pair, startDaemon, stopDaemon, waitFor, type Device } from './library-daemons.js';
import { Summary, benchArgs, freshDir, median, num, ratio, rmrf, runMain, secs } from './util.js';

interface JobRow { id: number; status: string; started_at: number | null; finished_at: number | null; error: string | null }

async function main(): Promise<void> {
  const o = benchArgs('lock-bench [--files N] [--asks N] [--keep]', { files: { default: 1000, min: 10 }, asks: { default: 200, min: 10 } }, ['keep']);
  const work = freshDir(tmpdir(), 'vss-lock-bench-');
  const summary = new Summary();
  try {
    await roundTrips(work, o.asks, summary);
    const skip = loopSkipReason();
    if (skip) console.log(`lock-bench: the delete against a second drive is skipped: ${skip}`);
    else await deletes(work, o.files, summary);
    summary.print();
  } finally {
    if (o.keep) console.log(`kept ${work}`);
    else rmrf(work);
  }
}

/** Part 1: ASKS locks of one copy asked and released on loopback, and a few of 1,000 copies. */
async function roundTrips(work: string, asks: number, summary: Summary): Promise<void> {
  const alpha = await makeDevice(work, 'Alpha');
  const bravo = await makeDevice(work, 'Bravo', alpha.lib.config.id);
  try {
    await pairAndConnect(alpha, bravo);
    await bravo.node.handle('lock', (stream, peer) => serveLock(stream, bravo.remotes.get(peer)!, (id) => (id === bravo.lib.config.id ? bravo.lib : undefined), pino({ level: 'silent' })));
    const copies = await holdMany(bravo, join(work, 'bravo-photos'), 1000);
    const ask = async (these: RemoteCopy[]) => {
      const t0 = performance.now();
      const lock = await lockCopies(alpha.link(), bravo.lib.device.uuid, alpha.lib.config.id, these);
      if (lock.held.size !== these.length) throw new Error(`held ${lock.held.size} of ${these.length}: ${[...lock.refused.values()][0] ?? ''}`);
      await lock.release();
      return performance.now() - t0;
    };
    for (let i = 0; i < 10; i++) await ask([copies[i]!]);
    const one: number[] = [];
    for (let i = 0; i < asks; i++) one.push(await ask([copies[i % copies.length]!]));
    const many: number[] = [];
    for (let i = 0; i < 10; i++) many.push(await ask(copies));
    one.sort((a, b) => a - b);
    console.log(`lock-bench: lock round trips on loopback (ask → held, release → released), ${asks} of one copy, 10 of 1,000`);
    summary.add({ what: 'a lock of one copy, asked and released (median)', value: `${num(median(one))} ms`, ratio: '', target: '', ok: null });
    summary.add({ what: '  95th percentile', value: `${num(one[Math.floor(one.length * 0.95)]!)} ms`, ratio: '', target: '', ok: null });
    summary.add({ what: 'a lock of 1,000 copies, asked and released (median)', value: `${num(median(many))} ms`, ratio: '', target: '', ok: null });
  } finally {
    await Promise.all([alpha.stop(), bravo.stop()]);
  }
}

/** N small files of DEV's new location at DIR, scanned: each as a copy another device would ask it to lock. */
async function holdMany(dev: TestDevice, dir: string, n: number): Promise<RemoteCopy[]> {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < n; i++) writeFileSync(join(dir, `IMG_${i}.jpg`), randomBytes(2048));
  const loc = addLocation(dev.lib, dir, { name: 'Photos' });
  await scanLocation(dev.lib, loc.id);
  return Array.from({ length: n }, (_, i) => {
    const rel = `IMG_${i}.jpg`;
    return { content_uuid: dev.lib.store.entries.fileAt(loc.id, rel)!.content_uuid!, location: loc.uuid, rel_path: rel, size: 2048 };
  });
}

/** N files of 16 KiB in DIR, each also at the same name in each of MIRRORS. */
function writeTwice(dir: string, mirrors: string[], n: number): void {
  for (const d of [dir, ...mirrors]) mkdirSync(d, { recursive: true });
  for (let i = 0; i < n; i++) {
    const body = randomBytes(16 * 1024);
    for (const d of [dir, ...mirrors]) writeFileSync(join(d, `IMG_${i}.jpg`), body);
  }
}

/** Part 2: the delete of N files leaning on a connected device's copies, and on a second drive's. */
async function deletes(work: string, n: number, summary: Summary): Promise<void> {
  const laptop = device('Laptop', join(work, 'laptop'));
  const desk = device('Desk', join(work, 'desk'));
  let drive: LoopVolume | undefined;
  const ok = async (d: Device, args: string[]) => {
    const r = await cli(d, args, 600_000);
    if (r.code !== 0) throw new Error(`${d.name}: vss ${args.join(' ')}: ${r.stderr.trim()}`);
    return r;
  };
  try {
    drive = makeLoopVolume({ sizeMiB: Math.max(64, Math.ceil((n * 20) / 1024) + 32) });
    const photos = join(work, 'photos');
    const deskPhotos = join(work, 'desk-photos');
    const backup = join(drive.mountPoint!, 'backup');
    // Two folders each, deleted in the order device, drive, drive, device (a warm daemon, and drift, weigh on both alike); and a warm-up.
    for (const r of [0, 1]) {
      writeTwice(join(photos, `on-desk-${r}`), [join(deskPhotos, `on-desk-${r}`)], n);
      writeTwice(join(photos, `on-drive-${r}`), [join(backup, `on-drive-${r}`)], n);
    }
    writeTwice(join(photos, 'warm-up'), [join(backup, 'warm-up')], 10);
    await ok(laptop, ['library', 'create', 'Home', '--path', join(work, 'libs')]);
    await ok(laptop, ['device', 'rename', 'Laptop']);
    await ok(desk, ['device', 'rename', 'Desk']);
    await startDaemon(laptop);
    await startDaemon(desk);
    await ok(laptop, ['location', 'add', photos, '--name', 'Photos', '--mode', 'content']);
    await ok(laptop, ['location', 'add', backup, '--name', 'Backup', '--mode', 'content']);
    await pair(laptop, desk);
    await ok(desk, ['location', 'add', deskPhotos, '--name', 'Photos', '--mode', 'content']);
    await ok(laptop, ['guardian', 'policy', '--copies', '1']);
    await waitFor('the desk\'s copies known to the laptop', 120_000, async () => {
      for (const r of [0, 1]) {
        const got = await cli(laptop, ['ls', `Desk:/Photos/on-desk-${r}`, '--json']);
        if (got.code !== 0 || (JSON.parse(got.stdout) as Array<{ content_uuid: string | null }>).filter((i) => i.content_uuid !== null).length !== n) return undefined;
      }
      return true;
    }, 500);
    // Each delete timed on quiet daemons: no scan, generation or other job of either under way.
    const quiet = () => waitFor('both daemons idle', 300_000, async () => {
      for (const d of [laptop, desk]) {
        for (const status of ['queued', 'running']) if ((await cliJson<JobRow[]>(d, ['jobs', 'list', '--status', status])).length > 0) return undefined;
      }
      return true;
    }, 500);
    const timed = async (folder: string): Promise<number> => {
      await quiet();
      const r = await ok(laptop, ['files', 'delete', join(photos, folder), '--json']);
      const { job } = JSON.parse(r.stdout) as { job: JobRow };
      if (job.status !== 'completed' || job.started_at === null || job.finished_at === null) throw new Error(`the delete of ${folder} ended ${job.status}: ${job.error ?? ''}`);
      return (job.finished_at - job.started_at) / 1000;
    };
    await timed('warm-up');
    const d0 = await timed('on-desk-0');
    const h0 = await timed('on-drive-0');
    const h1 = await timed('on-drive-1');
    const d1 = await timed('on-desk-1');
    const onDevice = (d0 + d1) / 2;
    const onDrive = (h0 + h1) / 2;
    const asked = await cliJson<JobRow[]>(laptop, ['jobs', 'list', '--kind', 'files-delete']);
    if (asked.length !== 5) throw new Error(`${asked.length} delete jobs`);
    console.log(`lock-bench: files delete of ${n} files of 16 KiB, their other copies on a connected device (one lock ask) or on a second drive here (hashed again)`);
    summary.add({ what: `files delete of ${n} files, other copies on a connected device (the job, mean of 2)`, value: secs(onDevice), ratio: ratio(onDevice / onDrive), target: '', ok: null });
    summary.add({ what: `  the same, other copies on a second drive here (mean of 2)`, value: secs(onDrive), ratio: '1', target: '', ok: null });
    summary.add({ what: `  each: device ${secs(d0)}, ${secs(d1)}; drive ${secs(h0)}, ${secs(h1)}`, value: '', ratio: '', target: '', ok: null });
  } finally {
    await stopDaemon(laptop);
    await stopDaemon(desk);
    drive?.remove();
  }
}

runMain(import.meta.url, main);
