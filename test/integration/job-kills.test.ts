import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { json, killNow, tempDir, until } from '../helpers.js';
// The CLI in this process: what is killed is the daemon, not a CLI (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';

interface Job { id: number; status: string; attempts: number; max_attempts: number; interruptions: number; done_bytes: number; error: string | null }

/**
 * The faults note of 2026-11-25, defect 13: a scrub has 3 attempts and each kill -9 of the daemon
 * spent one, so a third kill failed it. A run cut off by its process dying spends none (as a
 * graceful stop spends none): killed more times than it has attempts, the scrub still finishes,
 * having spent one (real daemon, real CLI, SIGKILL).
 */
describe('a job whose daemon is killed more times than it has attempts still finishes', () => {
  const tmp = tempDir('vss-job-kills-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  after(async () => {
    await runCli(['daemon', 'stop'], env);
    tmp.cleanup();
  });
  const ok = async (args: string[]): Promise<string> => {
    const r = await runCli(args, env);
    assert.equal(r.code, 0, `vss ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const job = async (id: number): Promise<Job> => json<Job[]>(await runCli(['jobs', 'list', '--json'], env)).find((j) => j.id === id)!;

  it('a guardian scrub killed four times finishes, one attempt spent', { timeout: 240_000 }, async () => {
    const loc = join(tmp.path, 'photos');
    mkdirSync(loc);
    // Sparse: read at the scrub's rate without taking the disk.
    writeFileSync(join(loc, 'big.bin'), '');
    truncateSync(join(loc, 'big.bin'), 24 * 1024 * 1024);
    await ok(['library', 'create', 'K', '--path', tmp.path]);
    await ok(['daemon', 'start']);
    await ok(['location', 'add', loc, '--mode', 'content']);
    // 4 MB/s: each run takes seconds, so a kill lands mid-run.
    await ok(['guardian', 'scrub-settings', '--rate', '4']);
    const id = json<{ job_id: number }>(await runCli(['guardian', 'scrub', loc, '--detach', '--json'], env)).job_id;
    const kills = 4;
    for (let k = 0; k < kills; k++) {
      // Killed once this run has read something: run K+1, taken up by this daemon (the K runs
      // before it counted cut off), not the row the killed one left running.
      const running = await until(`the scrub running (start ${k + 1})`, 60_000, async () => {
        const j = await job(id);
        assert.notEqual(j.status, 'failed', `failed after ${k} kills: ${j.error}`);
        return j.status === 'running' && j.interruptions === k && j.done_bytes > 0 ? j : undefined;
      }, 100);
      assert.equal(running.attempts, 1, 'each run takes one attempt, and a run cut off gave its back');
      const pid = json<{ pid: number }>(await runCli(['daemon', 'status', '--json'], env)).pid;
      await killNow(pid, 'the daemon');
      await ok(['daemon', 'start']);
    }
    assert.ok(kills > (await job(id)).max_attempts, 'more kills than the job has attempts');
    const done = await until('the scrub finished', 120_000, async () => {
      const j = await job(id);
      return j.status === 'completed' || j.status === 'failed' ? j : undefined;
    }, 250);
    assert.equal(done.status, 'completed', done.error ?? '');
    assert.equal(done.attempts, 1, `one attempt spent, by the run that finished (${kills} kills)`);
    assert.equal(done.interruptions, kills);
  });
});
