import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { json, runCli as runChild, tempDir } from '../helpers.js';
import { cliHere as runCli } from '../support/cli-here.js';
import type { TrashEmptyResult, TrashItem, TrashRestoreResult } from '../../src/wire/trash.js';
import type { GuardianStatus } from '../../src/wire/guardian.js';

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
const OLD = new Date('2021-03-04T05:06:07Z');

/**
 * The trash (issue 45) through the CLI over real files: `files delete` moves files aside on their
 * own drive (a rename into the location's `.vss-trash/`), `trash list` shows them, `trash restore`
 * puts them back byte-identical with their times, `trash empty` removes them for good as the
 * Guardian lets it (DESIGN §21: a delete is never refused for copy counts; a content whose every
 * copy the user deleted goes at the empty, one that leaned on a copy lost since is kept unless
 * --force), `--permanent` skips the trash, and a kill between the trash's two steps loses nothing.
 */
describe('trash: delete, list, restore, empty', () => {
  const tmp = tempDir('vss-trash-');
  const loc = join(tmp.path, 'photos');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_NO_DAEMON: '1' };
  const vss = async (...args: string[]) => {
    const r = await runCli(args, env);
    assert.equal(r.code, 0, `vss ${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  const trashList = async () => json<TrashItem[]>(await vss('trash', 'list', '--json'));
  const file = (rel: string, bytes: Buffer) => {
    const p = join(loc, rel);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, bytes);
    utimesSync(p, OLD, OLD);
    return p;
  };
  const uniq = (n: number) => Buffer.from(`unique bytes ${n} `.repeat(200 + n));

  before(async () => {
    file('2024/a.jpg', uniq(1));
    file('2024/b.jpg', uniq(2));
    file('2024/trip/c.jpg', uniq(3));
    file('2024/trip/d.jpg', uniq(4));
    // The same bytes twice: a.jpg's twin in another folder.
    file('copies/a-twin.jpg', uniq(1));
    await vss('library', 'create', 'T');
    await vss('location', 'add', loc);
    // One copy a content is enough here: the trash, not the policy, is under test.
    await vss('guardian', 'policy', '--copies', '1');
  });
  after(() => tmp.cleanup());

  it('a delete moves files into the trash on their own drive; restore puts them back as they were', async () => {
    const paths = ['2024/b.jpg', '2024/trip/c.jpg', '2024/trip/d.jpg'].map((r) => join(loc, r));
    const before = new Map(paths.map((p) => [p, { sha: sha(p), mtime: statSync(p).mtimeMs, ino: statSync(p).ino }]));
    await vss('tag', 'add', 'Keep', paths[0]!);
    // Each is its content's last copy: a delete into the trash loses nothing, so nothing asks for --force (DESIGN §21); the answer says so.
    const del = await vss('files', 'delete', paths[0]!, join(loc, '2024/trip'));
    assert.match(del.stdout, /in the trash, restorable for 30 days/);
    assert.match(del.stdout, /3 exist nowhere else: they stay in the trash for 30 days, then are gone/);
    for (const p of paths) assert.equal(existsSync(p), false, `${p} is still at its path`);
    assert.equal(existsSync(join(loc, '2024/trip')), false, 'the emptied folder went');

    const listed = await trashList();
    assert.deepEqual(listed.map((t) => t.path).sort(), [...paths].sort());
    for (const t of listed) {
      assert.match(t.trash_id, /^[0-9a-f-]{36}$/);
      assert.equal(typeof t.content_uuid, 'string');
      assert.equal(t.size, statSync(t.in_trash_at).size);
      assert.ok(Math.abs(Date.now() - t.deleted_at) < 60_000, 'deleted_at is when it was deleted (ms)');
      assert.ok(t.in_trash_at.startsWith(join(loc, '.vss-trash') + '/'), `${t.in_trash_at}: not in its location's trash`);
      // A rename, never a copy: the same inode, the same times.
      assert.equal(statSync(t.in_trash_at).ino, before.get(t.path)!.ino);
    }
    // Out of the library's view, not its memory: no path lists it, the Guardian counts no copy of it.
    const ls = await vss('ls', '/photos/2024', '--json');
    assert.ok(!ls.stdout.includes('b.jpg'), 'a trashed file is not listed');
    const status = json<GuardianStatus>(await vss('guardian', 'status', '--json'));
    assert.deepEqual({ files: status.trash.files, last: status.trash.last }, { files: 3, last: 3 });
    assert.match((await vss('guardian', 'status')).stdout, /trash: 3 files .*not counted as copies; 3 contents have their only bytes there/);

    // Back by one id, and by the folder the others were in.
    const b = listed.find((t) => t.path === paths[0])!;
    // The list shows a person 8 characters of each id, and takes them back.
    const human = (await vss('trash', 'list')).stdout;
    assert.doesNotMatch(human, /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/, 'no whole uuid on a line');
    assert.match(human, new RegExp(`^${b.trash_id.slice(0, 8)} `, 'm'));
    const one = json<TrashRestoreResult>(await vss('trash', 'restore', b.trash_id.slice(0, 8), '--json'));
    assert.deepEqual(one.restored.map((r) => r.path), [paths[0]]);
    const rest = json<TrashRestoreResult>(await vss('trash', 'restore', join(loc, '2024/trip'), '--json'));
    assert.deepEqual(rest.restored.map((r) => r.path).sort(), paths.slice(1).sort());
    for (const p of paths) {
      const was = before.get(p)!;
      assert.equal(sha(p), was.sha, `${p}: not byte-identical`);
      assert.equal(statSync(p).mtimeMs, was.mtime, `${p}: its time changed`);
      assert.equal(statSync(p).ino, was.ino, `${p}: not the same file`);
    }
    assert.deepEqual(await trashList(), []);
    assert.equal(existsSync(join(loc, '.vss-trash')), false, 'an emptied trash leaves no folder behind');
    // Indexed again at once, with the content (and its tag) it had.
    const info = json<{ paths: Array<{ path: string }>; user: { tags: Array<{ name: string }> } }>(await vss('content', 'show', paths[0]!, '--json'));
    assert.deepEqual(info.user.tags.map((t) => t.name), ['Keep']);
  });

  it('a restore never overwrites: a path taken since is kept, the file put beside it', async () => {
    const p = join(loc, '2024/b.jpg');
    await vss('files', 'delete', p);
    writeFileSync(p, 'a new file under the old name');
    const r = json<TrashRestoreResult>(await vss('trash', 'restore', p, '--json'));
    assert.equal(r.restored.length, 1);
    assert.equal(r.restored[0]!.renamed, true);
    assert.equal(readFileSync(p, 'utf8'), 'a new file under the old name', 'the newer file was overwritten');
    assert.equal(sha(r.restored[0]!.path), createHash('sha256').update(uniq(2)).digest('hex'));
    await vss('files', 'delete', '--permanent', '--force', p);
    await vss('location', 'rescan', 'photos');
  });

  it("emptying lets go what the user deleted whole; what leaned on a copy lost since stays unless --force", async () => {
    const twin = join(loc, 'copies/a-twin.jpg');
    const a = join(loc, '2024/a.jpg');
    const lone = join(loc, '2024/trip/d.jpg');
    // a.jpg holds the twin's bytes: nothing to say.
    const first = await vss('files', 'delete', twin);
    assert.doesNotMatch(first.stdout, /nowhere else/);
    // d.jpg is its content's only copy: it goes all the same, said so.
    const json1 = json<{ result: { below_policy?: Array<{ path: string; nowhere_else?: boolean }> }; trashed: string[]; last_copies: Array<{ path: string; content_uuid: string }> }>(await vss('files', 'delete', lone, '--json'));
    assert.deepEqual(json1.result.below_policy?.map((b) => [b.path, b.nowhere_else]), [[lone, true]]);
    // What a script asks first (issue 58's interface): what went into the trash, and what exists nowhere else now.
    assert.deepEqual(json1.trashed, [lone]);
    assert.deepEqual(json1.last_copies.map((c) => c.path), [lone]);

    // a.jpg, which the twin leaned on, goes behind vss's back (another program), and the index follows.
    const aBytes = readFileSync(a);
    rmSync(a);
    await vss('location', 'rescan', 'photos');
    const emptied = json<TrashEmptyResult>(await vss('trash', 'empty', '--json'));
    assert.equal(emptied.files, 1, 'd.jpg, every copy of which the user deleted, went');
    assert.equal(existsSync(lone), false);
    assert.deepEqual(emptied.kept.map((k) => k.path), [twin], 'the twin leaned on a.jpg, lost since by no delete: kept');
    assert.match(emptied.kept[0]!.reason, /last copy/);
    assert.deepEqual((await trashList()).map((t) => t.path), [twin]);

    // --older-than: nothing in the trash is a day old.
    assert.equal(json<TrashEmptyResult>(await vss('trash', 'empty', '--older-than', '1', '--json')).files, 0);
    // Put back, the twin's bytes are a.jpg's again; a.jpg too, for the tests after.
    await vss('trash', 'restore', twin);
    writeFileSync(a, aBytes);
    utimesSync(a, OLD, OLD);
    await vss('location', 'rescan', 'photos');
    await vss('files', 'delete', twin);
    const forced = json<TrashEmptyResult>(await vss('trash', 'empty', '--force', '--json'));
    assert.equal(forced.files, 1);
    assert.deepEqual(await trashList(), []);
    assert.equal(existsSync(a), true);
  });

  it('--permanent deletes for good: nothing in the trash', async () => {
    const p = file('2024/gone.jpg', uniq(9));
    const twin = file('copies/gone-twin.jpg', uniq(9));
    await vss('location', 'rescan', 'photos');
    const r = await vss('files', 'delete', '--permanent', p);
    assert.match(r.stdout, /deleted for good/);
    assert.equal(existsSync(p), false);
    assert.deepEqual(await trashList(), []);
    assert.equal(existsSync(twin), true);
  });

  it('what stands in a restore\'s way is named and the rest goes back; the trash is never deleted into itself; rows lost are found again', async () => {
    const blocked = file('2024/m/n/deep.jpg', uniq(21));
    const dangling = file('2024/link-me.jpg', uniq(22));
    file('copies/deep-twin.jpg', uniq(21));
    file('copies/link-twin.jpg', uniq(22));
    await vss('location', 'rescan', 'photos');
    await vss('files', 'delete', join(loc, '2024/m'), dangling);
    // A file now where the folder was, and a symlink to nothing where the other file was.
    writeFileSync(join(loc, '2024/m'), 'a file where the folder was');
    symlinkSync('/nonexistent/target', dangling);
    const r = json<TrashRestoreResult>(await runCli(['trash', 'restore', join(loc, '2024/m'), dangling, '--json'], env));
    assert.equal(r.not_restored.length, 1, JSON.stringify(r));
    assert.equal(r.restored.length, 1, JSON.stringify(r));
    assert.ok(r.restored[0]!.renamed && r.restored[0]!.path !== dangling, 'put beside the dangling symlink, never over it');
    assert.ok(lstatSync(dangling).isSymbolicLink(), 'the symlink is as it was');
    assert.deepEqual((await trashList()).map((t) => t.path), [blocked], 'the one that could not go back is still in the trash');

    const inTrash = (await trashList())[0]!.in_trash_at;
    const refused = await runCli(['files', 'delete', inTrash], env);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /is in the trash: .*trash restore puts it back/);

    // The location removed and added again: its rows went with it, the file in its trash is found again.
    await vss('location', 'remove', 'photos');
    await vss('location', 'add', loc);
    await vss('guardian', 'policy', '--copies', '1');
    const again = await trashList();
    assert.deepEqual(again.map((t) => [t.path, t.content_uuid]), [[blocked, null]]);
    const kept = json<TrashEmptyResult>(await vss('trash', 'empty', '--json'));
    assert.equal(kept.kept.length, 1, 'bytes the index does not know are kept unless --force');
    rmSync(join(loc, '2024/m'));
    await vss('trash', 'restore', blocked);
    assert.equal(sha(blocked), createHash('sha256').update(uniq(21)).digest('hex'));
  });

  it('a kill between recording and moving, or after moving, loses nothing', async () => {
    const p = file('2024/kill.jpg', uniq(11));
    file('copies/kill-twin.jpg', uniq(11));
    await vss('location', 'rescan', 'photos');
    const killedEarly = await runChild(['files', 'delete', p], { ...env, VSS_CRASH_AT: 'trash:after-rows' });
    assert.equal(killedEarly.code, null, 'killed at the crash point');
    // Its row was written, its file never moved: the trash's upkeep drops the row, the file stays.
    assert.deepEqual(await trashList(), []);
    assert.equal(sha(p), createHash('sha256').update(uniq(11)).digest('hex'));

    const killedLate = await runChild(['files', 'delete', p], { ...env, VSS_CRASH_AT: 'trash:after-renames' });
    assert.equal(killedLate.code, null, 'killed at the crash point');
    const listed = await trashList();
    assert.deepEqual(listed.map((t) => t.path), [p], 'moved, and found in the trash');
    assert.equal(sha(listed[0]!.in_trash_at), createHash('sha256').update(uniq(11)).digest('hex'));
    // The killed job runs again: done, nothing lost or twice.
    await vss('jobs', 'run', '--until-idle');
    assert.deepEqual((await trashList()).map((t) => t.path), [p]);
    await vss('trash', 'restore', p);
    assert.equal(sha(p), createHash('sha256').update(uniq(11)).digest('hex'));
    const left = readdirSync(loc).filter((n) => n.startsWith('.vss'));
    assert.deepEqual(left, [], 'no trash folder left behind');
    assert.ok(lstatSync(p).isFile());
  });
  it('a file edited since it was indexed goes to the trash as bytes no one identified: an empty keeps them, a restore reads them again', async () => {
    const p = file('2024/edited.jpg', uniq(31));
    file('copies/edited-twin.jpg', uniq(31));
    await vss('location', 'rescan', 'photos');
    // Another program rewrites it in place (same size, a later time) and vss is not told: no daemon watches.
    const edited = Buffer.from(uniq(31));
    edited[0] = edited[0]! ^ 0xff;
    writeFileSync(p, edited);
    const later = new Date(OLD.getTime() + 2000);
    utimesSync(p, later, later);
    const want = createHash('sha256').update(edited).digest('hex');

    // Bytes no one identified go to the trash (a delete is never refused), not as the content the index read before the edit.
    await vss('files', 'delete', p);
    const row = (await trashList()).find((t) => t.path === p)!;
    assert.equal(row.content_uuid, null, 'trashed as that content');
    const emptied = json<TrashEmptyResult>(await vss('trash', 'empty', '--json'));
    assert.deepEqual(emptied.kept.filter((k) => k.path === p).map((k) => k.reason.includes('never identified')), [true], 'the only bytes of the edit were emptied as the twin\'s content');
    assert.equal(sha(row.in_trash_at), want);

    // Put back, it is read again: its bytes are their own content, of which it is the last copy.
    await vss('trash', 'restore', p);
    assert.equal(sha(p), want);
    const refused = await runCli(['files', 'delete', '--permanent', p], env);
    assert.notEqual(refused.code, 0, 'restored as the content its twin holds');
    assert.match(refused.stderr, /last copy/);
    await vss('files', 'delete', '--permanent', '--force', p);
  });
});
