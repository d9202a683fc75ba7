import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ffmpegTools } from '../../src/generators/tools/ffmpeg.js';
import { FIXTURES, FIXTURES_SKIP, json, tempDir, until } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { baseName, describeProcess, isAlive, killRecorded, markedProcesses, PROC_SKIP, waitForMarked, type MarkedProcess } from '../process-tree.js';

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
    assert.match(again.stderr, /is paused; only queued or running jobs can be paused/);
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

/**
 * A running job paused through the daemon: its tool (ffmpeg making a proxy) is stopped, the job
 * is `paused` without spending an attempt and its sidecar waits (pending, not failed); resumed,
 * it runs again from the start and makes the proxy. Processes are found by an environment mark.
 */
describe('a running job can be paused and resumed (real daemon, real ffmpeg)', { skip: FIXTURES_SKIP || PROC_SKIP }, () => {
  const tmp = tempDir('vss-job-pause-');
  const mark = randomUUID();
  const env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_TEST_MARK: mark, VSS_NO_DAEMON: undefined };
  let seen: MarkedProcess[] = [];
  const ffmpegs = () => markedProcesses(mark).filter((p) => baseName(p) === 'ffmpeg');
  after(async () => {
    await runCli(['daemon', 'stop'], env);
    killRecorded([...seen, ...ffmpegs()]);
    tmp.cleanup();
  });

  it('stops its tool, spends no attempt, and resumes to make the sidecar', async () => {
    const media = join(tmp.path, 'media');
    mkdirSync(media);
    // A clip whose proxy takes long enough that the pause lands mid-encode: 20 s of 720p, made of a
    // 2 s pattern repeated by stream copy (the same 600 frames to decode and encode as 20 s of
    // testsrc2, whose own drawing and encoding cost CPU of their own). The pause lands some 70 ms
    // after ffmpeg starts (the daemon finds the job at once), and the proxy takes ~4 s on this
    // two-core machine: 60 s of clip (13 s to encode, all of it again after the resume) were most of this file's CPU.
    const { ffmpeg } = ffmpegTools();
    const pattern = join(tmp.path, 'pattern.mp4');
    execFileSync(ffmpeg, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30:duration=2', '-c:v', 'libx264', '-preset', 'ultrafast', pattern]);
    execFileSync(ffmpeg, ['-v', 'error', '-y', '-stream_loop', '9', '-i', pattern, '-c', 'copy', join(media, 'long.mp4')]);
    assert.equal((await runCli(['library', 'create', 'P', '--path', tmp.path], env)).code, 0);
    const started = await runCli(['daemon', 'start'], env);
    assert.equal(started.code, 0, started.stderr);
    assert.equal((await runCli(['location', 'add', media, '--mode', 'deep', '--generate', 'proxy=quick'], env)).code, 0);

    seen = (await waitForMarked(mark, (p) => baseName(p) === 'ffmpeg' && isAlive(p), 120_000, 'ffmpeg making the proxy')).filter((p) => baseName(p) === 'ffmpeg');
    const [running] = json<Job[]>(await runCli(['jobs', 'list', '--status', 'running', '--json'], env));
    assert.equal(running?.kind, 'proxy');
    assert.equal(running.attempts, 1);

    const paused = json<Job>(await runCli(['jobs', 'pause', String(running.id), '--json'], env));
    assert.equal(paused.status, 'paused');
    assert.equal(paused.attempts, 0, 'the stopped run spends no attempt');
    // The daemon works the queue itself: it answers once the run has stopped, its tool ended.
    assert.deepEqual([...seen.filter(isAlive), ...ffmpegs()].map(describeProcess), [], 'no ffmpeg left when the pause is answered');

    // It stays paused: nothing starts it again, and its sidecar waits for it.
    await sleep(1500);
    assert.deepEqual(ffmpegs().map(describeProcess), [], 'no tool started again while paused');
    const still = json<Job>(await runCli(['jobs', 'info', String(running.id), '--json'], env));
    assert.deepEqual([still.status, still.attempts, still.error], ['paused', 0, null]);
    const [sidecar] = json<Array<{ status: string }>>(await runCli(['sidecars', 'list', '--kind', 'proxy', '--json'], env));
    assert.equal(sidecar?.status, 'pending');
    const twice = await runCli(['jobs', 'pause', String(running.id)], env);
    assert.equal(twice.code, 1, `a paused job cannot be paused again (through the daemon too): ${twice.stderr}`);

    assert.equal(json<Job>(await runCli(['jobs', 'resume', String(running.id), '--json'], env)).status, 'queued');
    const done = await until('the proxy made after the resume', 180_000, async () => {
      const j = json<Job>(await runCli(['jobs', 'info', String(running.id), '--json'], env));
      return j.status === 'completed' || j.status === 'failed' ? j : undefined;
    }, 500);
    assert.deepEqual([done.status, done.attempts, done.error], ['completed', 1, null]);
    const [made] = json<Array<{ status: string }>>(await runCli(['sidecars', 'list', '--kind', 'proxy', '--json'], env));
    assert.equal(made?.status, 'ready');
  });
});
