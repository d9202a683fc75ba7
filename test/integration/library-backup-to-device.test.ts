import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ActionInfo } from '../../src/index.js';
import { blake3File } from '../../src/core/file-blake3.js';
import { writeBackupSchedule } from '../../src/guardian/library-backups.js';
import type { GuardianStatus, LibraryBackupView } from '../../src/wire/guardian.js';
import { json, tempDir, until } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { pairDaemons } from '../sync-peers.js';

interface Job { id: number; kind: string; status: string; note: string | null; attempts: number; result: string | null; error: string | null; updated_at: number }
interface Sent { snapshot: string; path: string; bytes: number; blake3: string; made_at: number; target: string; device: string; removed: string[]; schedule: unknown }

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0'];

/**
 * `vss library backup --to DEVICE:/LOCATION` (issue 45, item 5): two real daemons paired over
 * loopback; the laptop's library snapshot is made there and sent by the way to a device into
 * the desk's location, under `vss-library-backups/LIBRARY_ID/`, verified by its BLAKE3; listed and
 * counted by the Guardian from the desk's index. With the desk away, a backup asked now is
 * refused at once, and the daemon's scheduled one waits for it (no attempt spent, one job
 * however many looks) and sends once it is back.
 */
describe('library backup to a paired device\'s location', () => {
  const tmp = tempDir('vss-backup-dev-');
  // The laptop's daemon looks at its schedules every second (the hourly look, brought near).
  const A = { VSS_DATA_DIR: join(tmp.path, 'a'), VSS_GUARDIAN_LOOK_MS: '1000' };
  const B = { VSS_DATA_DIR: join(tmp.path, 'b') };
  const photos = join(tmp.path, 'photos');
  let libraryId = '';
  let libraryRoot = '';
  const vss = async (env: Record<string, string>, ...args: string[]) => {
    const r = await runCli(args, env);
    assert.equal(r.code, 0, `vss ${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  const jobsOfKind = async () => json<Job[]>(await vss(A, 'jobs', 'list', '--kind', 'library-backup-to-device', '--json'));
  /** Nothing left staged in the laptop's library once a snapshot was sent. */
  const staged = () => {
    const dir = join(libraryRoot, 'backups', 'outgoing');
    return existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String) : [];
  };

  after(async () => {
    await Promise.all([runCli(['daemon', 'stop'], A), runCli(['daemon', 'stop'], B)]);
    tmp.cleanup();
  });

  before(async () => {
    mkdirSync(photos, { recursive: true });
    writeFileSync(join(photos, 'a.txt'), 'a file of the desk');
    const made = json<{ id: string; path: string }>(await vss(A, 'library', 'create', 'Home', '--path', join(tmp.path, 'a-libs'), '--json'));
    libraryId = made.id;
    libraryRoot = made.path;
    await vss(A, 'tag', 'create', 'Family');
    await vss(A, 'device', 'rename', 'Laptop');
    await vss(B, 'device', 'rename', 'Desk');
    await vss(A, 'daemon', 'start', ...LOOPBACK);
    await vss(B, 'daemon', 'start', ...LOOPBACK);
    await pairDaemons(A, B);
    await vss(B, 'location', 'add', photos, '--name', 'Photos', '--mode', 'content');
    await until('the desk\'s location known to the laptop', 30_000, async () => {
      const r = await runCli(['ls', 'Desk:', '--json'], A);
      return r.code === 0 && json<Array<{ name: string }>>(r).some((l) => l.name === 'Photos') ? true : undefined;
    }, 250);
  });

  it('lands byte-identical in the desk\'s location under vss-library-backups/LIBRARY_ID/, verified; listed and counted from the desk\'s index', async () => {
    const t0 = performance.now();
    const r = json<Sent>(await vss(A, 'library', 'backup', '--to', 'Desk:/Photos', '--json'));
    const tookMs = performance.now() - t0;
    assert.ok(r.path.startsWith(`Desk:/Photos/vss-library-backups/${libraryId}/`) && r.path.endsWith('.vss-library.db'), r.path);
    assert.deepEqual([r.device, r.target, r.removed], ['Desk', 'Desk:/Photos', []]);
    assert.match(r.blake3, /^[0-9a-f]{64}$/);
    const landed = join(photos, 'vss-library-backups', libraryId, basename(r.path));
    assert.equal(statSync(landed).size, r.bytes);
    assert.equal((await blake3File(landed)).checksum, r.blake3, 'the bytes there are the snapshot made here');
    assert.deepEqual(staged(), [], 'the copy staged here went once the desk confirmed it');
    console.log(`# a ${r.bytes}-byte snapshot made and sent to the desk in ${Math.round(tookMs)} ms (the CLI's call, end to end)`);

    // The laptop hears of the file through the desk's index: listed as there, one more drive.
    const listed = await until('the snapshot in the desk\'s index', 30_000, async () => {
      const all = json<LibraryBackupView[]>(await vss(A, 'library', 'backups', '--json'));
      const b = all.find((x) => x.path === r.path);
      return b?.present ? b : undefined;
    }, 250);
    assert.deepEqual([listed.device, listed.target, listed.bytes], ['Desk', 'Desk:/Photos', r.bytes]);
    const status = json<GuardianStatus>(await vss(A, 'guardian', 'status', '--json'));
    assert.deepEqual([status.library.snapshots, status.library.fresh_drives, status.library.newest_at], [1, 1, r.made_at]);
    const logged = json<ActionInfo[]>(await vss(A, 'actions', 'list', '--limit', '1', '--json'))[0]!;
    assert.deepEqual([logged.op, logged.outcome, logged.what.target], ['backup', 'done', 'Desk:/Photos']);

    // Restored from this device's disk only: fetched first, by the way any file of the desk is.
    const restore = await runCli(['library', 'restore', r.path], A);
    assert.notEqual(restore.code, 0);
    assert.match(restore.stderr, /is not a path here: a snapshot on another device is copied here first \(\S*vss content get/);
    const back = join(tmp.path, 'back');
    mkdirSync(back);
    await vss(A, 'content', 'get', r.path, '--to', back);
    assert.equal((await blake3File(join(back, basename(r.path)))).checksum, r.blake3);

    // Nothing removes the desk's files from here: --keep is refused, not dropped.
    const keep = await runCli(['library', 'backup', '--to', 'Desk:/Photos', '--keep', '2'], A);
    assert.notEqual(keep.code, 0);
    assert.match(keep.stderr, /--keep does not apply to Desk:\/Photos: every snapshot sent to another device is kept there/);
  });

  it('the desk away: a backup now is refused at once; the daemon\'s schedule waits for it (no attempt spent, one job), and sends once it is back', async () => {
    await vss(B, 'daemon', 'stop');
    const now = await runCli(['library', 'backup', '--to', 'Desk:/Photos'], A);
    assert.notEqual(now.code, 0);
    assert.match(now.stderr, /Desk is not connected now: no snapshot was made/);
    assert.deepEqual(staged(), []);

    // A schedule to a folder of the desk's location with no snapshot yet: due at the daemon's next look.
    writeBackupSchedule(A.VSS_DATA_DIR, libraryId, { to: 'Desk:/Photos/nightly', every_hours: 24, keep: 7 });
    const t0 = performance.now();
    const waiting = await until('the scheduled snapshot waiting for the desk', 30_000, async () => {
      const all = await jobsOfKind();
      // While the laptop's network settles after losing the desk, then for the desk itself: both a wait.
      const j = all.find((x) => x.status === 'queued' && /waiting for .*Desk to connect/.test(x.note ?? ''));
      return j ?? undefined;
    }, 200);
    assert.deepEqual(staged(), [], 'no snapshot made while it cannot be sent');
    console.log(`# waiting after ${Math.round(performance.now() - t0)} ms`);
    // Two more waits of the job (each a few seconds): the look, every second, queued no second one.
    let seen = waiting.updated_at;
    for (let i = 0; i < 2; i++) {
      seen = await until('the job looked at again', 20_000, async () => {
        const j = json<Job>(await vss(A, 'jobs', 'info', String(waiting.id), '--json'));
        return j.updated_at > seen ? j.updated_at : undefined;
      }, 200);
    }
    const still = await jobsOfKind();
    assert.equal(still.filter((j) => j.id !== waiting.id && j.status !== 'completed').length, 0, 'one job however many looks');
    const again = json<Job>(await vss(A, 'jobs', 'info', String(waiting.id), '--json'));
    assert.deepEqual([again.status, again.attempts], ['queued', 0], 'waiting spends no attempt and does not fail');

    console.log(`# looked at twice more after ${Math.round(performance.now() - t0)} ms`);
    await vss(B, 'daemon', 'start', ...LOOPBACK);
    console.log(`# desk started after ${Math.round(performance.now() - t0)} ms`);
    const done = await until('the scheduled snapshot sent', 60_000, async () => {
      const j = json<Job>(await vss(A, 'jobs', 'info', String(waiting.id), '--json'));
      return j.status === 'completed' || j.status === 'failed' || j.status === 'cancelled' ? j : undefined;
    }, 250);
    assert.equal(done.status, 'completed', done.error ?? '');
    console.log(`# sent after ${Math.round(performance.now() - t0)} ms`);
    const r = JSON.parse(done.result!) as Sent;
    assert.ok(r.path.startsWith(`Desk:/Photos/nightly/vss-library-backups/${libraryId}/`), r.path);
    const landed = join(photos, 'nightly', 'vss-library-backups', libraryId, basename(r.path));
    assert.equal((await blake3File(landed)).checksum, r.blake3);
    assert.deepEqual(staged(), []);
    // Done: the next looks find it fresh and queue nothing more.
    assert.equal((await jobsOfKind()).filter((j) => j.status === 'queued' || j.status === 'running').length, 0);
    writeBackupSchedule(A.VSS_DATA_DIR, libraryId, null);
  });
});
