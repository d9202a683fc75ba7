import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionInfo, FileOpOutcome, OpPreview, TrashEmptyResult, TrashItem } from '../../src/api/index.js';
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
 * device), the default policy of two copies. A delete for good (--permanent) or a move that leaves
 * a content below it is refused, naming it, until --force; a delete into the trash is not (DESIGN
 * §21): it names what it leaves below, and emptying the trash keeps such a file, saying why; a
 * move keeps the count within a drive or to another; a dry run prints the plan and changes
 * nothing (no job, no action, no file).
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

  it('a delete for good that leaves one of the two copies the policy asks is refused, naming the content; the file stays', async () => {
    const uuid = await uuidAt('/photos', 'kept.txt');
    const before = await traces();
    const r = await runCli(['files', 'delete', '--permanent', join(photos, 'kept.txt')], env);
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

  it('a delete of that copy into the trash goes, naming the content it leaves below its policy; emptying the trash keeps it, saying why', async () => {
    const uuid = await uuidAt('/photos', 'kept.txt');
    const kept = join(photos, 'kept.txt');
    const human = await cli('files', 'delete', kept);
    assert.match(human.stdout, /in the trash, restorable for 30 days/);
    assert.match(human.stdout, new RegExp(`^1 falls below its Guardian policy: the trash keeps it .*\\n  ${kept}: 1 copy left, its policy asks 2$`, 'm'));
    assert.doesNotMatch(human.stdout, /nowhere else/, 'the drive holds another copy');
    assert.ok(!existsSync(kept));
    const [item] = json<TrashItem[]>(await cli('--json', 'trash', 'list'));
    assert.deepEqual([item?.path, item?.content_uuid], [kept, uuid]);
    // The permanent step is the Guardian's: its bytes are one of the two copies the policy asks.
    const emptied = json<TrashEmptyResult>(await cli('--json', 'trash', 'empty'));
    assert.deepEqual([emptied.files, emptied.kept.map((k) => [k.trash_id, k.content_uuid])], [0, [[item!.trash_id, uuid]]]);
    assert.match(emptied.kept[0]!.reason, new RegExp(`content ${uuid} \\(.*kept\\.txt\\): 1 copy left, its policy asks 2`));
    assert.ok(existsSync(item!.in_trash_at), 'kept in the trash');
    await cli('trash', 'restore', kept);
    assert.equal(readFileSync(kept, 'utf8'), BACKED_UP);
    assert.equal(await uuidAt('/photos', 'kept.txt'), uuid);
  });

  it('--dry-run prints the plan of a delete, into the trash or for good, and changes nothing: no job, no action, the file kept', async () => {
    const uuid = await uuidAt('/photos', 'kept.txt');
    const before = await traces();
    const below = [{ content_uuid: uuid, path: join(photos, 'kept.txt'), have: 1, policy: 2, of: 'copies', not_counted: 0 }];
    const human = await cli('files', 'delete', '--dry-run', join(photos, 'kept.txt'));
    assert.match(human.stdout, /^Dry run: would delete 1 file, 14 B; nothing was changed$/m);
    assert.match(human.stdout, new RegExp(`^1 would fall below its Guardian policy: the trash keeps it .*\\n  .*kept\\.txt: 1 copy left, its policy asks 2$`, 'm'));
    const plan = json<OpPreview>(await cli('--json', 'files', 'delete', '--dry-run', join(photos, 'kept.txt')));
    assert.deepEqual(plan, {
      op: 'delete', files: 1, bytes: Buffer.byteLength(BACKED_UP), on_conflict: null, conflicts: [], conflict_count: 0, free_bytes: null, needed_bytes: 0,
      below_policy: below, trash: true,
    });
    const forGood = await cli('files', 'delete', '--dry-run', '--permanent', join(photos, 'kept.txt'));
    assert.match(forGood.stdout, /^Dry run: would delete 1 file, 14 B; nothing was changed$/m);
    assert.match(forGood.stdout, new RegExp(`Would leave below their policy \\(refused without --force\\): 1 content\\n  ${uuid} .*kept\\.txt: 1 copy left, its policy asks 2`));
    const permanent = json<OpPreview>(await cli('--json', 'files', 'delete', '--dry-run', '--permanent', join(photos, 'kept.txt')));
    assert.deepEqual(permanent, {
      op: 'delete', files: 1, bytes: Buffer.byteLength(BACKED_UP), on_conflict: null, conflicts: [], conflict_count: 0, free_bytes: null, needed_bytes: 0,
      below_policy: below,
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

  it('a folder is weighed by the files in it: deleted for good with the other file of its drive, refused; alone, its drive keeps a copy', async () => {
    const uuid = await uuidAt('/photos', 'kept.txt');
    await cli('files', 'copy', join(photos, 'kept.txt'), `${join(photos, 'dir', 'deeper')}/`);
    const both = json<OpPreview>(await cli('--json', 'files', 'delete', '--dry-run', '--permanent', join(photos, 'dir'), join(photos, 'kept.txt')));
    assert.deepEqual(both.below_policy.map((b) => [b.content_uuid, b.have, b.policy]), [[uuid, 1, 2]]);
    assert.equal(both.files, 2);
    const refused = await runCli(['files', 'delete', '--permanent', join(photos, 'dir'), join(photos, 'kept.txt')], env);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, new RegExp(`content ${uuid} .*: 1 copy left, its policy asks 2`));
    assert.ok(existsSync(join(photos, 'dir', 'deeper', 'kept.txt')) && existsSync(join(photos, 'kept.txt')));
    // Moved whole onto the drive that holds the other copy, with the other file of its drive: one copy left.
    const moved = json<OpPreview>(await cli('--json', 'files', 'move', '--dry-run', join(photos, 'dir'), join(photos, 'kept.txt'), `${backup}/`));
    assert.deepEqual(moved.below_policy.map((b) => [b.content_uuid, b.have]), [[uuid, 1]]);
    assert.deepEqual(json<OpPreview>(await cli('--json', 'files', 'move', '--dry-run', join(photos, 'dir'), `${backup}/`)).below_policy, []);
    const alone = json<FileOpOutcome>(await cli('--json', 'files', 'delete', '--permanent', join(photos, 'dir')));
    assert.deepEqual([alone.result?.trash, alone.result?.below_policy ?? []], [undefined, []], 'for good, nothing below its policy');
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

  it('--permanent --force deletes anyway and names the contents it left below their policy; the last copy goes into the trash named as existing nowhere else, and for good only forced', async () => {
    const uuid = await uuidAt('/photos', 'kept.txt');
    const human = await cli('files', 'delete', '--permanent', '--force', join(photos, 'kept.txt'));
    assert.match(human.stdout, /Deleted 14 B \(1 file; deleted for good;/);
    assert.match(human.stdout, new RegExp(`Forced: left below their policy: 1 content\\n  ${uuid} .*kept\\.txt: 1 copy left, its policy asks 2`));
    assert.ok(!existsSync(join(photos, 'kept.txt')));
    assert.deepEqual(json<TrashItem[]>(await cli('--json', 'trash', 'list')), [], 'for good: not in the trash');
    // The last copy: for good, refused as such.
    const last = await runCli(['files', 'delete', '--permanent', join(backup, 'kept.txt')], env);
    assert.equal(last.code, 1);
    assert.match(last.stderr, new RegExp(`the last copy in the library of content ${uuid}`));
    assert.ok(existsSync(join(backup, 'kept.txt')));
    // Into the trash it goes, and the answer says it exists nowhere else (--json too).
    const trashed = await cli('files', 'delete', join(backup, 'kept.txt'));
    assert.match(trashed.stdout, new RegExp(`^1 exists nowhere else: it stays in the trash for 30 days, then is gone .*\\n  ${join(backup, 'kept.txt')}$`, 'm'));
    assert.ok(!existsSync(join(backup, 'kept.txt')));
    await cli('trash', 'restore', join(backup, 'kept.txt'));
    const again = json<FileOpOutcome>(await cli('--json', 'files', 'delete', join(backup, 'kept.txt')));
    assert.equal(again.result?.trash, true);
    assert.deepEqual(again.result?.below_policy?.map((b) => [b.content_uuid, b.path, b.have, b.policy, b.nowhere_else]), [[uuid, join(backup, 'kept.txt'), 0, 2, true]]);
    await cli('trash', 'restore', join(backup, 'kept.txt'));
    // Forced for good: named in --json too.
    const forced = json<FileOpOutcome>(await cli('--json', 'files', 'delete', '--permanent', '--force', join(backup, 'kept.txt')));
    assert.deepEqual(forced.result?.below_policy?.map((b) => [b.content_uuid, b.path, b.have, b.policy, b.nowhere_else]), [[uuid, join(backup, 'kept.txt'), 0, 2, undefined]]);
    assert.ok(!existsSync(join(backup, 'kept.txt')));
    assert.deepEqual(json<TrashItem[]>(await cli('--json', 'trash', 'list')), []);
  });
});
