import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, FIXTURES_SKIP, json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';

interface ListedJob { id: number; kind: string; content_uuid: string | null; status: string; name: string | null }

/**
 * `jobs list` names each job's content as the grid does: its first copy's file name (the copy this
 * device found first), the next copy's once that one is gone, and null when no copy is left.
 */
describe('jobs list names the content of each job (real CLI, real library)', { skip: FIXTURES_SKIP }, () => {
  const tmp = tempDir('vss-jobs-names-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_NO_DAEMON: '1' };
  const tree = join(tmp.path, 'Pictures');
  const photo = join(FIXTURES, 'exif', 'Canon_40D.jpg');
  const list = async () => json<ListedJob[]>(await runCli(['jobs', 'list', '--json'], env));
  const rescan = async () => assert.equal((await runCli(['location', 'rescan', '1', '--json'], env)).code, 0);

  before(async () => {
    mkdirSync(tree);
    copyFileSync(photo, join(tree, 'IMG_0042.jpg'));
    json(await runCli(['library', 'create', 'Names', '--path', tmp.path, '--json'], env));
    json(await runCli(['location', 'add', tree, '--mode', 'deep', '--json'], env));
  });
  after(() => tmp.cleanup());

  it('gives the first copy\'s file name, in --json and in the text list', async () => {
    const jobs = await list();
    assert.ok(jobs.length >= 1, 'the new photo queued jobs');
    for (const j of jobs) {
      assert.ok(j.content_uuid, `job ${j.id} has a content`);
      assert.equal(j.name, 'IMG_0042.jpg', `job ${j.id} (${j.kind})`);
    }
    const text = await runCli(['jobs', 'list'], env);
    assert.equal(text.code, 0, text.stderr);
    // The content by the start of its uuid (no uuid on a text line), which a command takes back.
    assert.match(text.stdout, new RegExp(`thumb · IMG_0042\\.jpg ${jobs[0]!.content_uuid!.slice(0, 8)}  `));
    assert.doesNotMatch(text.stdout, /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
  });

  it('keeps the copy found first when another (earlier by name) is added, takes it when the first goes, and is null with no copy left', async () => {
    copyFileSync(photo, join(tree, 'A_copy.jpg'));
    await rescan();
    assert.deepEqual([...new Set((await list()).map((j) => j.name))], ['IMG_0042.jpg'], 'the copy found first');
    rmSync(join(tree, 'IMG_0042.jpg'));
    await rescan();
    assert.deepEqual([...new Set((await list()).map((j) => j.name))], ['A_copy.jpg'], 'the copy left');
    rmSync(join(tree, 'A_copy.jpg'));
    await rescan();
    const jobs = await list();
    assert.ok(jobs.length >= 1, 'the jobs are still listed');
    assert.ok(jobs.every((j) => j.name === null && j.content_uuid !== null), JSON.stringify(jobs.map((j) => [j.id, j.name, j.status])));
  });

  it('quotes a name that could fake a line of the text list', async () => {
    const evil = 'evil\n   999  completed  thumb · fake.jpg';
    copyFileSync(join(FIXTURES, 'exif', 'orientation', 'landscape_1.jpg'), join(tree, evil));
    await rescan();
    assert.ok((await list()).some((j) => j.name === evil), '--json gives the name as it is');
    const text = await runCli(['jobs', 'list'], env);
    assert.equal(text.code, 0, text.stderr);
    assert.ok(text.stdout.includes(JSON.stringify(evil)), text.stdout);
    assert.ok(!text.stdout.split('\n').some((l) => l.trimStart().startsWith('999')), 'no line of its own');
  });
});
