import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionInfo, FileOpOutcome, OpPreview } from '../../src/api/index.js';
import { json } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { loopSkipReason, type LoopVolume } from '../loop-volume.js';
import { twoDrives, type TwoDrives } from '../two-drives.js';

const ONCE = 'only here\n';
const BACKED_UP = 'on two drives\n';

/**
 * The Guardian's guards and the dry runs through the real CLI (issue 30 items 3 and 4): a library
 * with a location on this machine's disk and one on another drive (an ext4 image on a loop
 * device), the default policy of two copies. A delete or move that leaves a content below it is
 * refused, naming it, until --force; a move keeps the count within a drive or to another; a dry
 * run prints the plan and changes nothing (no job, no action, no file).
 */
describe('vss files: guards and dry runs', { skip: loopSkipReason() }, () => {
  let t!: TwoDrives;
  let env: Record<string, string> = {};
  let tmp = '';
  let photos = '';
  let backup = '';
  let drive!: LoopVolume;
  const cli = (...args: string[]) => t.cli(...args);
  const uuidAt = async (folder: string, name: string) => (await t.uuidAt(folder, name))!;
  const traces = () => t.traces();

  before(async () => {
    t = await twoDrives('vss-guards-cli-', {
      run: runCli,
      sizeMiB: 64,
      files: { 'photos/once.txt': ONCE, 'photos/kept.txt': BACKED_UP, 'backup/kept.txt': BACKED_UP },
    });
    ({ env, tmp, photos, backup, drive } = t);
  });
  after(() => t?.stop());

  it('a delete that leaves one of the two copies the policy asks is refused, naming the content; the file stays', async () => {
    const uuid = await uuidAt('/photos', 'kept.txt');
    const before = await traces();
    const r = await runCli(['files', 'delete', join(photos, 'kept.txt')], env);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`content ${uuid} \\(${join(photos, 'kept.txt')}\\): 1 copy left, its policy asks 2`));
    assert.match(r.stderr, /--force/);
    assert.ok(existsSync(join(photos, 'kept.txt')));
    const after = await traces();
    assert.equal(after.jobs, before.jobs, 'no job queued');
    const refused = json<ActionInfo[]>(await cli('--json', 'actions', 'list'))[0]!;
    assert.deepEqual([refused.op, refused.outcome], ['delete', 'refused']);
    assert.match(refused.reason ?? '', /below its policy/);
  });

  it('--dry-run prints the plan of a delete and changes nothing: no job, no action, the file kept', async () => {
    const uuid = await uuidAt('/photos', 'kept.txt');
    const before = await traces();
    const human = await cli('files', 'delete', '--dry-run', join(photos, 'kept.txt'));
    assert.match(human.stdout, /^Dry run: would delete 1 file, 14 B; nothing was changed$/m);
    assert.match(human.stdout, new RegExp(`Would leave below their policy .*: 1 content\\n  ${uuid} .*kept\\.txt: 1 copy left, its policy asks 2`));
    const plan = json<OpPreview>(await cli('--json', 'files', 'delete', '--dry-run', join(photos, 'kept.txt')));
    assert.deepEqual(plan, {
      op: 'delete', files: 1, bytes: Buffer.byteLength(BACKED_UP), on_conflict: null, conflicts: [], conflict_count: 0, free_bytes: null, needed_bytes: 0,
      below_policy: [{ content_uuid: uuid, path: join(photos, 'kept.txt'), have: 1, policy: 2, of: 'copies', not_counted: 0 }],
    });
    assert.deepEqual(await traces(), before);
    assert.ok(existsSync(join(photos, 'kept.txt')));
  });

  it('--dry-run of a copy: the names taken at the target with the policy for them, and the room it needs against the room there', async () => {
    const before = await traces();
    const plan = json<OpPreview>(await cli('--json', 'files', 'copy', '--dry-run', join(photos, 'kept.txt'), join(photos, 'once.txt'), `${backup}/`));
    assert.equal(plan.op, 'copy');
    assert.deepEqual([plan.files, plan.bytes, plan.needed_bytes], [2, Buffer.byteLength(BACKED_UP + ONCE), Buffer.byteLength(BACKED_UP + ONCE)]);
    assert.equal(plan.on_conflict, 'keep-both');
    assert.deepEqual(plan.conflicts, [{ source: join(photos, 'kept.txt'), target: join(backup, 'kept.txt') }]);
    assert.ok(plan.free_bytes !== null && plan.free_bytes > 1024 * 1024 && plan.free_bytes < 64 * 1024 * 1024, 'the drive\'s free space');
    assert.deepEqual(plan.below_policy, []);
    const human = await cli('files', 'copy', '--dry-run', '--on-conflict', 'skip', join(photos, 'kept.txt'), `${backup}/`);
    assert.match(human.stdout, /1 name taken at the destination \(--on-conflict skip\):\n {4}.*kept\.txt -> .*backup\/kept\.txt/);
    assert.match(human.stdout, /space: 14 B to write, .* free at the destination \(fits\)/);
    // A move by a rename writes nothing.
    // Replacing a file by the same bytes loses nothing; replacing the only copy of other bytes would.
    const same = json<OpPreview>(await cli('--json', 'files', 'copy', '--dry-run', '--on-conflict', 'replace', join(photos, 'kept.txt'), `${backup}/`));
    assert.deepEqual([same.conflict_count, same.on_conflict, same.below_policy], [1, 'replace', []]);
    const other = json<OpPreview>(await cli('--json', 'files', 'copy', '--dry-run', '--on-conflict', 'replace', join(photos, 'once.txt'), join(backup, 'kept.txt')));
    assert.deepEqual(other.below_policy.map((b) => [b.path, b.have, b.policy]), [[join(backup, 'kept.txt'), 1, 2]]);
    const rename = json<OpPreview>(await cli('--json', 'files', 'move', '--dry-run', join(photos, 'once.txt'), join(photos, 'sub', 'once.txt')));
    assert.deepEqual([rename.needed_bytes, rename.below_policy], [0, []]);
    assert.deepEqual(await traces(), before);
    assert.ok(!existsSync(join(backup, 'once.txt')) && !existsSync(join(photos, 'sub', 'once.txt')));
  });

  it('a move keeps the count within a drive and to another; onto the drive that holds the other copy it is refused', async () => {
    const uuid = await uuidAt('/photos', 'kept.txt');
    await cli('files', 'move', join(photos, 'once.txt'), `${join(photos, 'sub')}/`);
    await cli('files', 'move', join(photos, 'sub', 'once.txt'), `${backup}/`);
    assert.equal(readFileSync(join(backup, 'once.txt'), 'utf8'), ONCE);
    await cli('files', 'move', join(backup, 'once.txt'), `${photos}/`);
    const onto = await runCli(['files', 'move', join(photos, 'kept.txt'), join(backup, 'kept-again.txt')], env);
    assert.equal(onto.code, 1, onto.stderr);
    assert.match(onto.stderr, new RegExp(`refused: this move would leave a content below its policy .*content ${uuid}.*1 copy left, its policy asks 2.*Add --force to move anyway`));
    assert.ok(existsSync(join(photos, 'kept.txt')) && !existsSync(join(backup, 'kept-again.txt')));
    const preview = json<OpPreview>(await cli('--json', 'files', 'move', '--dry-run', join(photos, 'kept.txt'), join(backup, 'kept-again.txt')));
    assert.deepEqual(preview.below_policy.map((b) => [b.content_uuid, b.have, b.policy]), [[uuid, 1, 2]]);
  });

  it('a folder is weighed by the files in it: with the other file of its drive, refused; alone, its drive keeps a copy', async () => {
    const uuid = await uuidAt('/photos', 'kept.txt');
    await cli('files', 'copy', join(photos, 'kept.txt'), `${join(photos, 'dir', 'deeper')}/`);
    const both = json<OpPreview>(await cli('--json', 'files', 'delete', '--dry-run', join(photos, 'dir'), join(photos, 'kept.txt')));
    assert.deepEqual(both.below_policy.map((b) => [b.content_uuid, b.have, b.policy]), [[uuid, 1, 2]]);
    assert.equal(both.files, 2);
    // Moved whole onto the drive that holds the other copy, with the other file of its drive: one copy left.
    const moved = json<OpPreview>(await cli('--json', 'files', 'move', '--dry-run', join(photos, 'dir'), join(photos, 'kept.txt'), `${backup}/`));
    assert.deepEqual(moved.below_policy.map((b) => [b.content_uuid, b.have]), [[uuid, 1]]);
    assert.deepEqual(json<OpPreview>(await cli('--json', 'files', 'move', '--dry-run', join(photos, 'dir'), `${backup}/`)).below_policy, []);
    await cli('files', 'delete', join(photos, 'dir'));
    assert.ok(!existsSync(join(photos, 'dir')) && existsSync(join(photos, 'kept.txt')));
  });

  it('--dry-run of content get: its bytes, the name taken in the folder, the room there; of a send without the daemon: refused as the send is', async () => {
    const uuid = await uuidAt('/photos', 'once.txt');
    const before = await traces();
    const plan = json<OpPreview>(await cli('--json', 'content', 'get', uuid, '--to', photos, '--dry-run'));
    assert.ok(plan.free_bytes !== null && plan.free_bytes > 0);
    assert.deepEqual({ ...plan, free_bytes: 0 }, {
      op: 'get', files: 1, bytes: ONCE.length, on_conflict: 'keep-both', conflicts: [{ source: uuid, target: join(photos, 'once.txt') }], conflict_count: 1,
      free_bytes: 0, needed_bytes: ONCE.length, below_policy: [],
    });
    assert.match((await cli('content', 'get', uuid, '--to', backup, '--dry-run')).stdout, /^Dry run: would get 1 file, 10 B; nothing was changed\n {2}space: 10 B to write, .* free at the destination \(fits\)\n$/);
    const send = await runCli(['files', 'send', join(photos, 'once.txt'), '--to', 'Laptop', '--dry-run'], env);
    assert.equal(send.code, 1);
    assert.match(send.stderr, /needs the daemon/);
    assert.deepEqual(await traces(), before);
    assert.ok(!existsSync(join(backup, 'once.txt')));
  });

  it('--force deletes anyway and names the contents it left below their policy', async () => {
    const uuid = await uuidAt('/photos', 'kept.txt');
    const human = await cli('files', 'delete', '--force', join(photos, 'kept.txt'));
    assert.match(human.stdout, /Deleted 14 B/);
    assert.match(human.stdout, new RegExp(`Forced: left below their policy: 1 content\\n  ${uuid} .*kept\\.txt: 1 copy left, its policy asks 2`));
    assert.ok(!existsSync(join(photos, 'kept.txt')));
    // The last copy: refused as such; forced, named in --json too.
    const last = await runCli(['files', 'delete', join(backup, 'kept.txt')], env);
    assert.equal(last.code, 1);
    assert.match(last.stderr, new RegExp(`the last copy in the library of content ${uuid}`));
    const forced = json<FileOpOutcome>(await cli('--json', 'files', 'delete', '--force', join(backup, 'kept.txt')));
    assert.deepEqual(forced.result?.below_policy?.map((b) => [b.content_uuid, b.path, b.have, b.policy]), [[uuid, join(backup, 'kept.txt'), 0, 2]]);
  });
});
