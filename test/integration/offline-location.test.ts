import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';

/**
 * A location on a drive that is unplugged when its jobs run is not a verdict on the files: the
 * job says where it could not read and is retried with backoff (it would succeed once the drive
 * is back), instead of failing at once as if the file were gone.
 */
describe('jobs of a location whose folder is unreachable', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('are retried, and say which folder could not be reached', async () => {
    const tree = join(tmp.path, 'drive');
    mkdirSync(tree);
    await sharp({ create: { width: 64, height: 48, channels: 3, background: '#2a6' } }).jpeg().toFile(join(tree, 'a.jpg'));
    const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
    json(await runCli(['library', 'create', 'O', '--path', tmp.path, '--json'], env));
    json(await runCli(['location', 'add', tree, '--mode', 'deep', '--generate', 'thumb=grid@1x', '--json'], env));
    renameSync(tree, join(tmp.path, 'unplugged'));
    const run = await runCli(['jobs', 'run', '--until-idle', '--json'], env, { timeout: 90_000 });
    assert.equal(run.code, 0, run.stderr);
    const [job] = json<Array<{ status: string; attempts: number; error: string }>>(await runCli(['jobs', 'list', '--json'], env));
    assert.match(job!.error, new RegExp(`${tree.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not reachable now`));
    assert.deepEqual([job!.status, job!.attempts], ['failed', 3], 'retried with backoff before giving up');
  });
});
