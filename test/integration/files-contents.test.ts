import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FileOpOutcome, OpPreview, TrashItem } from '../../src/api/index.js';
import { json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';

/** A content no library here holds. */
const ELSEWHERE = '00000000-0000-4000-8000-000000000000';

/**
 * `vss files copy|move|delete` given contents by uuid, as the grid's bulk actions give them
 * (issue 32 item 3), through the real CLI: a copy and a move take one file of each here (a
 * content already in the destination is left), a delete all of them; a content with no file here
 * is left out and named by the dry run. A delete into the trash of a content's every file goes,
 * naming it as existing nowhere else; a delete for good whose every content the Guardian refuses
 * is refused whole, even when asked to keep what it refuses, and nothing is lost.
 */
describe('files: contents by uuid', () => {
  const tmp = tempDir('vss-files-contents-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_NO_DAEMON: '1' };
  const a = join(tmp.path, 'a');
  const b = join(tmp.path, 'b');
  const cli = (...args: string[]) => runCli(args, env);
  let uuidOf: (name: string) => string = () => '';

  before(async () => {
    mkdirSync(a);
    mkdirSync(b);
    writeFileSync(join(a, 'one.txt'), 'one\n');
    writeFileSync(join(a, 'twice.txt'), 'twice\n');
    writeFileSync(join(b, 'twice.txt'), 'twice\n');
    json(await cli('library', 'create', 'Contents', '--path', join(tmp.path, 'libs'), '--json'));
    json(await cli('location', 'add', a, '--mode', 'content', '--json'));
    json(await cli('location', 'add', b, '--mode', 'content', '--json'));
    const contents = json<Array<{ content_uuid: string; paths: string[] }>>(await cli('content', 'list', '--json'));
    uuidOf = (name) => contents.find((c) => c.paths.some((p) => p.endsWith(`/${name}`)))!.content_uuid;
  });
  after(() => tmp.cleanup());

  it('copies one file of each content named, and a dry run names a content with no file here', async () => {
    const plan = json<OpPreview>(await cli('--json', 'files', 'copy', '--dry-run', uuidOf('one.txt'), uuidOf('twice.txt'), ELSEWHERE, `${join(b, 'picked')}/`));
    assert.deepEqual([plan.files, plan.not_here], [2, [ELSEWHERE]]);
    const r = await cli('files', 'copy', uuidOf('one.txt'), uuidOf('twice.txt'), `${join(b, 'picked')}/`);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(join(b, 'picked', 'one.txt'), 'utf8'), 'one\n');
    assert.equal(readFileSync(join(b, 'picked', 'twice.txt'), 'utf8'), 'twice\n');
    assert.ok(!existsSync(join(b, 'picked', 'twice (2).txt')), 'one file of a content with two');
  });

  it('moves one file of a content here, and leaves a content already in the destination', async () => {
    const r = await cli('files', 'move', uuidOf('one.txt'), `${join(b, 'moved')}/`);
    assert.equal(r.code, 0, r.stderr);
    const left = [join(a, 'one.txt'), join(b, 'picked', 'one.txt')].filter((p) => existsSync(p));
    assert.equal(left.length, 1, 'one file moved, the other copy stays where the user keeps it');
    assert.equal(readFileSync(join(b, 'moved', 'one.txt'), 'utf8'), 'one\n');
    assert.ok(!existsSync(join(b, 'moved', 'one (2).txt')), 'no second copy gathered');
    const again = json<OpPreview>(await cli('--json', 'files', 'move', '--dry-run', uuidOf('one.txt'), uuidOf('twice.txt'), `${join(b, 'moved')}/`));
    assert.deepEqual([again.files, again.already_there], [1, [uuidOf('one.txt')]]);
    const only = await cli('files', 'move', uuidOf('one.txt'), `${join(b, 'moved')}/`);
    assert.equal(only.code, 2, only.stdout);
    assert.match(only.stderr, /is in .*moved.* already/);
    assert.ok(existsSync(left[0]!), 'nothing moved out of its folder');
  });

  it('a delete of the last copies goes into the trash whole, named as existing nowhere else; for good it is refused whole, with or without --keep-refused, and keeps every file', async () => {
    const twice = uuidOf('twice.txt');
    const files = [join(a, 'twice.txt'), join(b, 'twice.txt'), join(b, 'picked', 'twice.txt')];
    for (const flags of [[], ['--keep-refused']]) {
      const r = await cli('files', 'delete', '--permanent', ...flags, twice);
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stderr, new RegExp(`the last copy in the library of content ${twice}`));
    }
    for (const p of files) assert.ok(existsSync(p), p);
    // Into the trash: every file of it, and the answer says it exists nowhere else.
    const trashed = json<FileOpOutcome>(await cli('--json', 'files', 'delete', twice));
    assert.equal(trashed.result?.trash, true);
    assert.deepEqual(trashed.result?.below_policy?.map((x) => [x.content_uuid, x.have, x.nowhere_else]), [[twice, 0, true]]);
    for (const p of files) assert.ok(!existsSync(p), p);
    assert.deepEqual(json<TrashItem[]>(await cli('--json', 'trash', 'list')).map((t) => t.path).sort(), [...files].sort());
    assert.equal((await cli('trash', 'restore', ...files)).code, 0);
    for (const p of files) assert.ok(existsSync(p), p);
    // Two deletes for good queued, each safe when asked, together the last copy: the second is refused as it runs.
    const first = await cli('files', 'delete', '--permanent', '--detach', join(a, 'twice.txt'), join(b, 'twice.txt'));
    const second = await cli('files', 'delete', '--permanent', '--detach', join(b, 'picked', 'twice.txt'));
    assert.deepEqual([first.code, second.code], [0, 0], first.stderr + second.stderr);
    await cli('jobs', 'run', '--until-idle');
    assert.ok(existsSync(join(b, 'picked', 'twice.txt')), 'the last copy is kept');
    assert.ok(!existsSync(join(a, 'twice.txt')) && !existsSync(join(b, 'twice.txt')), 'the first delete ran');
    const failed = json<Array<{ kind: string; status: string; error: string | null }>>(await cli('--json', 'jobs', 'list', '--status', 'failed'));
    assert.equal(failed.length, 1, JSON.stringify(failed));
    assert.match(failed[0]!.error ?? '', new RegExp(`the last copy in the library of content ${twice}.*It was not when it was asked`));
    const none = await cli('files', 'delete', ELSEWHERE);
    assert.equal(none.code, 2, none.stderr);
    assert.match(none.stderr, /has a file on this device now/);
  });
});
