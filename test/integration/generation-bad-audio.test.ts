import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, FIXTURES_SKIP, json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { toneSamples, wavFile } from '../hostile-files.js';
import { MEMORY_SKIP, runCliWatched, type WatchedRun } from '../peak-memory.js';

interface JobJson { kind: string; name: string; status: string; error: string | null; note: string | null; attempts: number }
interface SidecarJson { kind: string; status: string }

/**
 * Audio that holds no speech, or whose header lies, through the real job path (issue 18): `vss jobs
 * run` with whisper.cpp's test model. Before, a 16 KB WAV whose header says 1 Hz became 8,192 s
 * of 16 kHz audio (254 MiB of scratch, the job still running 10 minutes later), and 64 bytes of
 * sound became a ready transcript with nothing in it.
 */
describe('lying and speechless audio: refused from the header, or "no speech"; never an empty transcript', { skip: FIXTURES_SKIP || MEMORY_SKIP }, () => {
  const tmp = tempDir('vss-bad-audio-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  const tree = join(tmp.path, 'audio');
  let run: WatchedRun;
  let library = '';
  let jobs: JobJson[] = [];
  const job = (name: string) => jobs.find((j) => j.name === name && j.kind === 'transcript')!;

  before(async () => {
    mkdirSync(tree);
    writeFileSync(join(tree, 'claims-1hz.wav'), wavFile({ sampleRate: 1 }, toneSamples(16_384 - 44)));
    writeFileSync(join(tree, 'claims-1hz-tiny.wav'), wavFile({ sampleRate: 1 }, toneSamples(64)));
    writeFileSync(join(tree, 'blip.wav'), wavFile({ sampleRate: 16_000 }, toneSamples(64)));
    writeFileSync(join(tree, 'tone.wav'), wavFile({ sampleRate: 16_000 }, toneSamples(3 * 32_000)));
    library = json<{ path: string }>(await runCli(['library', 'create', 'Audio', '--path', tmp.path, '--json'], env)).path;
    json(await runCli(['models', 'add', 'whisper', join(FIXTURES, 'whisper', 'for-tests-ggml-tiny.en.bin'), '--json'], env));
    json(await runCli(['location', 'add', tree, '--mode', 'deep', '--generate', 'transcript', '--json'], env));
    run = await runCliWatched(['jobs', 'run', '--until-idle', '--json'], env, { killAboveMiB: 3 * 1024, timeoutMs: 120_000 });
    jobs = json<JobJson[]>(await runCli(['jobs', 'list', '--json'], env));
  });
  after(() => tmp.cleanup());

  it('ends at once, quietly', () => {
    assert.equal(run.killed, undefined, `killed: ${run.killed}`);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    assert.ok(run.ms < 30_000, `the run took ${run.ms} ms`);
  });

  it('refuses a header claiming 1 Hz before decoding, once, saying what it claims', () => {
    for (const name of ['claims-1hz.wav', 'claims-1hz-tiny.wav']) {
      const j = job(name);
      assert.deepEqual([j.status, j.attempts], ['failed', 1], JSON.stringify(j));
      assert.equal(j.error, `${join(tree, name)}: the audio's header is not believable: it claims a sample rate of 1 Hz (real recordings use 4,000–768,000 Hz)`);
    }
  });

  it('records sound without words as "no speech", with no transcript made', async () => {
    assert.equal(job('blip.wav').note, 'transcript/default: no speech: only 0.002 s of sound');
    assert.equal(job('tone.wav').note, 'transcript/default: no speech heard in 3 s of audio');
    const sidecars = json<SidecarJson[]>(await runCli(['sidecars', 'list', '--json'], env));
    assert.deepEqual(sidecars.map((s) => `${s.kind}:${s.status}`).sort(), ['transcript:failed', 'transcript:failed'], 'nothing ready');
    const [content] = json<Array<{ content_uuid: string; paths: string[] }>>(await runCli(['content', 'list', '--json'], env)).filter((c) => c.paths.some((p) => p.endsWith('/tone.wav')));
    const path = await runCli(['sidecars', 'path', content!.content_uuid, 'transcript', 'default'], env);
    assert.equal(path.code, 1);
    assert.match(path.stderr, /no speech heard in 3 s of audio/);
  });

  it('leaves no scratch behind', () => {
    // A job's scratch folder is job-<id>-…; the library keeps its disk-space reserve beside them.
    const scratch = join(library, 'tmp');
    assert.deepEqual((existsSync(scratch) ? readdirSync(scratch) : []).filter((n) => n.startsWith('job-')), []);
  });
});
