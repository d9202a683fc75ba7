import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, FIXTURES_SKIP, json, runCli, tempDir } from '../helpers.js';

interface Job {
  id: number;
  kind: string;
  content_uuid: string | null;
  status: string;
  attempts: number;
  max_attempts: number;
  error: string | null;
  note: string | null;
  bytes: number;
  name?: string | null;
}

/**
 * A user's actions on one job through the real CLI (`vss jobs pause|resume|info`): a state the
 * action does not apply to is a failure (exit 1) with the reason, not a usage error (exit 2).
 */
describe('jobs pause, resume and info from the CLI (in-process)', { skip: FIXTURES_SKIP }, () => {
  const tmp = tempDir('vss-job-actions-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_NO_DAEMON: '1' };
  let job: Job;

  before(async () => {
    const photos = join(tmp.path, 'photos');
    mkdirSync(photos);
    copyFileSync(join(FIXTURES, 'exif', 'Canon_40D.jpg'), join(photos, 'canon.jpg'));
    assert.equal((await runCli(['library', 'create', 'A', '--path', tmp.path], env)).code, 0);
    const added = await runCli(['location', 'add', photos, '--mode', 'deep', '--generate', 'thumb=grid@1x'], env);
    assert.equal(added.code, 0, added.stderr);
    job = json<Job[]>(await runCli(['jobs', 'list', '--json'], env))[0]!;
    assert.equal(job?.status, 'queued');
  });
  after(() => tmp.cleanup());

  it('exits 1 with the reason when the job is in the wrong state, 2 only for a usage error', async () => {
    const resumeQueued = await runCli(['jobs', 'resume', String(job.id)], env);
    assert.equal(resumeQueued.code, 1, resumeQueued.stderr);
    assert.match(resumeQueued.stderr, new RegExp(`job ${job.id} is queued; only paused jobs can be resumed`));

    const paused = json<Job>(await runCli(['jobs', 'pause', String(job.id), '--json'], env));
    assert.equal(paused.status, 'paused');
    const again = await runCli(['jobs', 'pause', String(job.id)], env);
    assert.equal(again.code, 1, again.stderr);
    assert.match(again.stderr, /is paused; only queued jobs can be paused/);
    const retry = await runCli(['jobs', 'retry', String(job.id)], env);
    assert.equal(retry.code, 1, retry.stderr);

    assert.equal((await runCli(['jobs', 'pause', 'abc'], env)).code, 2, 'not a job id: a usage error');
    assert.equal((await runCli(['jobs', 'pause', '99999'], env)).code, 1, 'no such job: a failure');
    assert.equal(json<Job>(await runCli(['jobs', 'resume', String(job.id), '--json'], env)).status, 'queued');
  });

  it('jobs info prints the job, and --json its row with its content\'s name', async () => {
    const info = await runCli(['jobs', 'info', String(job.id)], env);
    assert.equal(info.code, 0, info.stderr);
    for (const want of [/kind\s+thumb/, /status\s+queued/, /canon\.jpg/, new RegExp(job.content_uuid!), /attempts\s+0 of 3/, /created\s+\d{4}-\d\d-\d\d/, /bytes\s+\d/]) assert.match(info.stdout, want);
    const row = json<Job>(await runCli(['jobs', 'info', String(job.id), '--json'], env));
    assert.equal(row.id, job.id);
    assert.equal(row.name, 'canon.jpg');
    assert.equal(row.bytes, job.bytes);
    const missing = await runCli(['jobs', 'info', '99999'], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no job 99999/);
    assert.equal((await runCli(['jobs', 'info', 'x'], env)).code, 2);
  });
});
