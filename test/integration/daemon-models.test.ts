import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, FIXTURES_SKIP, json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';

interface Sidecar { kind: string; status: string }
interface Summary { completed: number; errors: unknown[]; notes: Record<string, number> }

describe('daemon: a model added while it runs is used at once', { skip: FIXTURES_SKIP }, () => {
  const tmp = tempDir('vss-dmodels-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  const audio = join(tmp.path, 'audio');
  after(async () => {
    await runCli(['daemon', 'stop'], env);
    tmp.cleanup();
  });

  it('transcribes once `models add whisper` went through the daemon, with no restart', async () => {
    mkdirSync(audio);
    copyFileSync(join(FIXTURES, 'audio', 'jfk.wav'), join(audio, 'jfk.wav'));
    assert.equal((await runCli(['library', 'create', 'Models', '--path', tmp.path], env)).code, 0);
    assert.equal((await runCli(['daemon', 'start'], env)).code, 0);
    assert.equal((await runCli(['location', 'add', audio, '--mode', 'deep', '--generate', 'transcript'], env)).code, 0);
    json<Summary>(await runCli(['jobs', 'run', '--until-idle', '--json'], env));
    const before = json<Sidecar[]>(await runCli(['sidecars', 'list', '--kind', 'transcript', '--json'], env));
    assert.ok(!before.some((s) => s.status === 'ready'), 'no model yet: no transcript');

    const add = json<{ queued: number }>(await runCli(['models', 'add', 'whisper', join(FIXTURES, 'whisper', 'for-tests-ggml-tiny.en.bin'), '--json'], env));
    assert.equal(add.queued, 1);
    const run = json<Summary>(await runCli(['jobs', 'run', '--until-idle', '--json'], env));
    assert.deepEqual(run.errors, []);
    // The test model hears no words: whisper ran over all 11 s and said so (issue 18: "no speech", not an empty transcript).
    const [content] = json<Array<{ content_uuid: string }>>(await runCli(['content', 'list', '--json'], env));
    const path = await runCli(['sidecars', 'path', content!.content_uuid, 'transcript', 'default'], env);
    assert.match(path.stderr, /no speech heard in 11 s of audio/, `the daemon's work read the new model (notes: ${JSON.stringify(run.notes)})`);
  });
});
