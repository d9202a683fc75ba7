import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { onePagePdf } from '../build-pdf.js';
import { json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';

/**
 * An input that keeps an in-process decoder busy forever (a PDF page of 64 MB of drawing
 * operators) is the input's fault, not the machine's: its decoder's own time limit fires before
 * the job's and fails it once, for good — not three attempts with backoff.
 */
describe('a decoder that never finishes fails once, for good', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('thumbnail of a PDF whose page is endless work', async () => {
    const tree = join(tmp.path, 'docs');
    mkdirSync(tree);
    const op = Buffer.from('BT /F1 12 Tf 10 10 Td (A) Tj ET\n');
    const ops = Buffer.alloc(op.length * 2_000_000);
    for (let i = 0; i < 2_000_000; i++) op.copy(ops, i * op.length);
    writeFileSync(join(tree, 'endless.pdf'), onePagePdf(deflateSync(ops), [0, 0, 200, 200], '/Filter /FlateDecode '));
    const env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_JOB_TIMEOUT_MS: '4000' };
    json(await runCli(['library', 'create', 'T', '--path', tmp.path, '--json'], env));
    json(await runCli(['location', 'add', tree, '--mode', 'deep', '--generate', 'thumb=grid@1x', '--json'], env));
    const run = await runCli(['jobs', 'run', '--until-idle', '--json'], { ...env, VSS_JOB_TIMEOUT_MS: '4000' }, { timeout: 60_000 });
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout) as { failed: number; errors: Array<{ error: string }> };
    assert.equal(summary.failed, 1);
    assert.match(summary.errors[0]!.error, /took longer than/);
    const [job] = json<Array<{ status: string; attempts: number }>>(await runCli(['jobs', 'list', '--json'], env));
    assert.deepEqual([job!.status, job!.attempts], ['failed', 1], 'one attempt, no retry loop');
  });
});
