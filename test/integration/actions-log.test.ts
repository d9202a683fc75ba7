import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Vss, type ActionInfo } from '../../src/index.js';
import { json, tempDir, VSS_BIN } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';

/** Whether this filesystem takes `chattr +i` (a file even root cannot delete): the failed job below needs it. */
function immutable(path: string, on: boolean): boolean {
  try {
    execFileSync('chattr', [on ? '+i' : '-i', path], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * `vss actions list` (issue 30, the action log): every copy, move and delete asked through the CLI
 * is there, newest first, with its device, what, when and how it ended; a refusal and a job that
 * failed say why; a CLI killed mid-copy leaves its action running until the job is finished.
 */
describe('actions: the log of file operations', () => {
  const tmp = tempDir('vss-actions-');
  const a = join(tmp.path, 'a');
  const b = join(tmp.path, 'b');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_NO_DAEMON: '1' };
  let lib: string[];
  const actions = async (...more: string[]) => json<ActionInfo[]>(await runCli([...lib, '--json', 'actions', 'list', ...more], env));

  before(async () => {
    mkdirSync(a);
    mkdirSync(b);
    writeFileSync(join(a, 'one.txt'), 'one\n');
    writeFileSync(join(a, 'only.txt'), 'the only copy\n');
    const vss = new Vss({ dataDir: env.VSS_DATA_DIR });
    const libPath = vss.libraries.create('Actions', { dir: join(tmp.path, 'libs') }).path;
    await vss.withLibrary({ path: libPath }, async (l) => {
      await l.locations.add(a, { mode: 'content', name: 'A' });
      await l.locations.add(b, { mode: 'content', name: 'B' });
    });
    lib = ['--library', libPath];
  });
  after(() => {
    immutable(join(b, 'moved.txt'), false);
    tmp.cleanup();
  });

  it('lists a copy, a move and deletes (one refused, one failed) newest first, with their outcomes', async (t) => {
    assert.deepEqual(await actions(), []);
    assert.match((await runCli([...lib, 'actions', 'list'], env)).stdout, /No actions yet/);
    const copied = await runCli([...lib, 'files', 'copy', join(a, 'one.txt'), `${b}/`], env);
    assert.equal(copied.code, 0, copied.stderr);
    const moved = await runCli([...lib, 'files', 'move', join(b, 'one.txt'), join(b, 'moved.txt')], env);
    assert.equal(moved.code, 0, moved.stderr);
    const refused = await runCli([...lib, 'files', 'delete', '--permanent', join(a, 'only.txt')], env);
    assert.notEqual(refused.code, 0);
    const canFail = immutable(join(b, 'moved.txt'), true);
    if (canFail) {
      const failed = await runCli([...lib, 'files', 'delete', join(b, 'moved.txt')], env);
      assert.notEqual(failed.code, 0, 'a file even root cannot delete');
    } else t.diagnostic('chattr +i not available here: no failed job');

    const list = await actions();
    const ops = list.map((x) => [x.op, x.outcome]);
    assert.deepEqual(ops, [...(canFail ? [['delete', 'failed']] : []), ['delete', 'refused'], ['move', 'done'], ['copy', 'done']]);
    assert.ok(list.every((x, i) => i === 0 || x.id < list[i - 1]!.id), 'newest first');
    const [copy, move, refusal] = [list.at(-1)!, list.at(-2)!, list.at(-3)!];
    assert.deepEqual(copy.what, { files: 1, bytes: 4, sources: [join(a, 'one.txt')], source_count: 1, target: `${b}/` });
    assert.ok(copy.job_id !== null && copy.finished_at !== null && copy.finished_at >= copy.started_at);
    assert.match(copy.reason ?? '', /copy: 1 file done/);
    assert.equal(copy.device_name.length > 0 && copy.device_id.length === 36, true);
    assert.deepEqual(move.what, { files: 1, bytes: 4, sources: [join(b, 'one.txt')], source_count: 1, target: join(b, 'moved.txt') });
    assert.deepEqual(refusal.what, { files: null, bytes: null, sources: [join(a, 'only.txt')], source_count: 1, target: null });
    assert.equal(refusal.job_id, null);
    assert.match(refusal.reason ?? '', /last copy in the library/);
    if (canFail) {
      assert.ok(list[0]!.job_id !== null);
      assert.match(list[0]!.reason ?? '', /not permitted|EPERM/i);
    }
    assert.deepEqual((await actions('--limit', '2')).map((x) => x.id), list.slice(0, 2).map((x) => x.id));
    const limit = await runCli([...lib, 'actions', 'list', '--limit', '0'], env);
    assert.equal(limit.code, 2, limit.stderr);
    const text = (await runCli([...lib, 'actions', 'list'], env)).stdout.trim().split('\n');
    assert.equal(text.length, list.length);
    assert.match(text.at(-1)!, new RegExp(`copy ${join(a, 'one.txt')} -> ${b}/ \\(1 file, 4 B\\)  done: copy: 1 file done`));
  });

  it('a CLI killed mid-copy leaves its action running; the job finished later ends it done', async () => {
    const many = join(a, 'many');
    mkdirSync(many);
    for (let i = 0; i < 2600; i++) writeFileSync(join(many, `f${i}.txt`), `file ${i}\n`);
    const child = spawn(process.execPath, [VSS_BIN, ...lib, 'files', 'copy', many, join(b, 'many')], { env: { ...process.env, ...env }, stdio: 'ignore' });
    const deadline = Date.now() + 60_000;
    const placed = () => { try { return readdirSync(join(b, 'many')).filter((n) => !n.startsWith('.vss-')).length; } catch { return 0; } };
    while (Date.now() < deadline && placed() === 0) await new Promise((r) => setTimeout(r, 2));
    child.kill('SIGKILL');
    await new Promise((res) => child.once('exit', res));
    const killed = (await actions())[0]!;
    assert.equal(killed.op, 'copy');
    assert.equal(killed.outcome, 'running');
    assert.equal(killed.finished_at, null);
    const run = await runCli([...lib, 'jobs', 'run', '--until-idle'], env);
    assert.equal(run.code, 0, run.stderr);
    const ended = (await actions())[0]!;
    assert.equal(ended.id, killed.id);
    assert.equal(ended.outcome, 'done', ended.reason ?? '');
    assert.equal(ended.what.files, 2600);
  });
});
