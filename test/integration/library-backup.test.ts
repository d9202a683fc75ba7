import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Vss } from '../../src/index.js';
import { flipBit, json, runCli as runChild, tempDir } from '../helpers.js';
import { cliHere as runCli } from '../support/cli-here.js';
import type { GuardianStatus, LibraryBackupView } from '../../src/wire/guardian.js';

interface Made { snapshot: string; path: string; bytes: number; removed: string[] }

/**
 * The library's own work kept (issue 45) through the CLI: `library backup` snapshots the database
 * (tags, albums, notes, policies) to a folder, `--keep` keeps the last N, the Guardian counts them,
 * and `library restore` brings every tag and album back after they were removed — refusing a
 * snapshot of another library, a damaged one, and a library that is open elsewhere; the database as
 * it was is kept as a snapshot first.
 */
describe('library backup and restore', () => {
  const tmp = tempDir('vss-backup-');
  const loc = join(tmp.path, 'photos');
  const out = join(tmp.path, 'snapshots');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_NO_DAEMON: '1' };
  const vss = async (...args: string[]) => {
    const r = await runCli(args, env);
    assert.equal(r.code, 0, `vss ${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  const photo = join(loc, 'a.jpg');
  let libPath = '';

  before(async () => {
    mkdirSync(loc, { recursive: true });
    writeFileSync(photo, Buffer.from('not really a photo, but a content'));
    writeFileSync(join(loc, 'b.txt'), 'another content');
    libPath = json<{ path: string }>(await vss('library', 'create', 'Work', '--json')).path;
    await vss('location', 'add', loc);
  });
  after(() => tmp.cleanup());

  it('snapshots the database to a folder, keeps the last N, and the Guardian counts them', async () => {
    await vss('tag', 'add', 'Family', photo);
    await vss('album', 'add', 'Summer', photo);
    await vss('meta', 'set', photo, '--note', 'the first one', '--rating', '5');
    await vss('guardian', 'policy', '--copies', '3');
    const made: Made[] = [];
    for (let i = 0; i < 3; i++) made.push(json<Made>(await vss('library', 'backup', '--to', out, '--keep', '2', '--json')));
    for (const m of made) assert.ok(m.snapshot.startsWith('Work-') && m.bytes > 0 && m.path.startsWith(out), JSON.stringify(m));
    assert.deepEqual(readdirSync(out).filter((n) => n.endsWith('.vss-library.db')).sort(), [made[1]!, made[2]!].map((m) => m.path.slice(out.length + 1)).sort(), 'the last two kept');
    assert.deepEqual(made[2]!.removed, [made[0]!.path]);
    const listed = json<LibraryBackupView[]>(await vss('library', 'backups', '--json'));
    assert.deepEqual(listed.map((b) => [b.path, b.present]), [[made[2]!.path, true], [made[1]!.path, true]]);
    const status = json<GuardianStatus>(await vss('guardian', 'status', '--json'));
    assert.equal(status.library.snapshots, 2);
    assert.equal(status.library.fresh_drives, 1);
    assert.match((await vss('guardian', 'status')).stdout, /library: 2 snapshots of its own work, the newest less than an hour ago; 1 place \(a drive, a paired device, a bucket\) with one from the last 7 days/);
  });

  it('restores every tag, album, note and policy; keeps the database as it was', async () => {
    const snapshot = json<LibraryBackupView[]>(await vss('library', 'backups', '--json'))[0]!.path;
    await vss('tag', 'remove', 'Family', photo);
    await vss('album', 'delete', 'Summer');
    await vss('meta', 'set', photo, '--note', '', '--rating', '0');
    await vss('guardian', 'policy', '--copies', '1');
    assert.deepEqual(json<{ tags: string[] }>(await vss('meta', 'show', photo, '--json')).tags, []);

    const r = json<{ restored: string; before: string }>(await vss('library', 'restore', snapshot, '--json'));
    assert.equal(r.restored, snapshot);
    assert.ok(existsSync(r.before), 'the database as it was is kept');
    const meta = json<{ tags: string[]; note: string | null; rating: number }>(await vss('meta', 'show', photo, '--json'));
    assert.deepEqual([meta.tags, meta.note, meta.rating], [['Family'], 'the first one', 5]);
    assert.match((await vss('album', 'show', 'Summer')).stdout, /1 content/);
    assert.match((await vss("guardian", "policy")).stdout, /copies 3/);
    // Undone by the snapshot it kept.
    await vss('library', 'restore', r.before);
    assert.deepEqual(json<{ tags: string[] }>(await vss('meta', 'show', photo, '--json')).tags, []);
  });

  it('a job the snapshot had open (a delete cancelled since) is not taken up again; a snapshot changed since it was made is refused', async () => {
    const victim = join(loc, 'b.txt');
    await vss('files', 'delete', '--detach', '--permanent', '--force', victim);
    const snap = json<Made>(await vss('library', 'backup', '--to', out, '--json'));
    const job = json<Array<{ id: number; kind: string; status: string }>>(await vss('jobs', 'list', '--json')).find((j) => j.kind === 'files-delete' && j.status === 'queued')!;
    await vss('jobs', 'cancel', String(job.id));
    const r = json<{ jobs_cancelled: number }>(await vss('library', 'restore', snap.path, '--json'));
    assert.ok(r.jobs_cancelled >= 1);
    await vss('jobs', 'run', '--until-idle');
    assert.equal(existsSync(victim), true, 'the delete cancelled before the restore did not run after it');
    const after = json<Array<{ id: number; status: string; note: string | null }>>(await vss('jobs', 'list', '--json')).find((j) => j.id === job.id)!;
    assert.equal(after.status, 'cancelled');

    // Bytes added to the end: SQLite may not mind, its BLAKE3 does.
    appendFileSync(snap.path, Buffer.from('tampered'));
    const changed = await runCli(['library', 'restore', snap.path], env);
    assert.notEqual(changed.code, 0);
    assert.match(changed.stderr, /changed since it was made/);
  });

  it("refuses another library's snapshot, a damaged one, and a library open elsewhere", async () => {
    const other = json<{ path: string }>(await runCli(['library', 'create', 'Other', '--json'], env)).path;
    const theirs = json<Made>(await vss('library', 'backup', '--to', join(tmp.path, 'other-snapshots'), '--json'));
    await vss('library', 'open', libPath);
    const wrong = await runCli(['library', 'restore', theirs.path], env);
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /is a snapshot of library "Other" .* not of "Work"/);
    void other;

    const mine = json<Made>(await vss('library', 'backup', '--to', out, '--json'));
    const damaged = join(tmp.path, 'damaged.vss-library.db');
    copyFileSync(mine.path, damaged);
    // Every page but the first given another type: the b-trees no longer hold together.
    for (let at = 4096; at < mine.bytes; at += 4096) flipBit(damaged, at);
    const bad = await runCli(['library', 'restore', damaged], env);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /damaged|not a snapshot|cannot be opened|malformed/);
    const notOne = await runCli(['library', 'restore', join(loc, 'b.txt')], env);
    assert.notEqual(notOne.code, 0);

    // Open in another process (this one): the restore in a child process is refused, nothing replaced.
    const holder = new Vss({ dataDir: env.VSS_DATA_DIR }).openLibrary({ path: libPath });
    try {
      const busy = await runChild(['library', 'restore', mine.path], env);
      assert.notEqual(busy.code, 0);
      assert.match(busy.stderr, /is open .*close it first/);
    } finally {
      holder.close();
    }
  });
  it('refuses, by its name, the drive the library is on (or the system drive): nothing is written at its top', async () => {
    interface Vol { id: number; mount_point: string }
    const vols = json<Vol[]>(await vss('volumes', 'list', '--json'));
    // The mounted volume holding the library: the longest mount point its path starts with.
    const here = vols.filter((v) => libPath === v.mount_point || libPath.startsWith(v.mount_point.endsWith('/') ? v.mount_point : `${v.mount_point}/`))
      .sort((a, b) => b.mount_point.length - a.mount_point.length)[0];
    assert.ok(here, `a volume holds ${libPath}`);
    await vss('volumes', 'track', String(here.id), '--name', 'ThisDrive');
    const r = await runCli(['library', 'backup', '--to', 'ThisDrive'], env);
    assert.notEqual(r.code, 0, r.stdout);
    assert.match(r.stderr, /ThisDrive is (the drive the library is on|the system drive)/);
    assert.equal(existsSync(join(here.mount_point, 'vss-library-backups')), false);
    // A folder on it, named as a folder, still takes a snapshot.
    await vss('library', 'backup', '--to', join(tmp.path, 'on-this-drive'));
  });
});
