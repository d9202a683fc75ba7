import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Installation as Vss } from '../library/installation.js';
import type { Library } from '../library/library.js';
import { MovieIndex } from '../store/live-photo-movies.js';
import { tempDir } from '../../test/helpers.js';
import { JobKinds } from './job-kind.js';
import { JobRunner } from './runner.js';

/** The id of a process that has exited (a reused id would only keep a stale folder). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
  return Number(r.stdout.trim());
}

describe('a runner start cleans only stale scratch (real library, real movie index)', () => {
  const tmp = tempDir();
  let lib: Library;
  before(() => { lib = new Vss({ dataDir: join(tmp.path, 'data') }).createLibrary('S', tmp.path); });
  after(() => { lib.close(); tmp.cleanup(); });

  it('keeps a concurrent scan\'s Live Photo index and removes what dead work left', async () => {
    // A scan beside the runner (the daemon) has its movie index open in the scratch folder.
    const index = new MovieIndex(lib.layout.scratchDir);
    index.add([{ entryId: 7, path: '/photos/IMG_1.MOV', keys: ['cid:abc'] }]);
    const dead = deadPid();
    const staleJob = join(lib.layout.scratchDir, `job-12-1-${dead}`);
    mkdirSync(staleJob);
    writeFileSync(join(staleJob, 'audio.s16le'), 'half-written');
    const staleIndex = join(lib.layout.scratchDir, `live-photo-movies-${dead}-0a1b2c3d.db`);
    writeFileSync(staleIndex, 'left by a killed scan');

    await new JobRunner(lib, { kinds: new JobKinds(), settings: { ocrLanguages: ['eng'], models: {}, threads: 1 }, untilIdle: true, pollMs: 20 }).run();

    // Deleted under an open SQLite connection, the file would still answer through its descriptor: look for it by name.
    assert.ok(readdirSync(lib.layout.scratchDir).some((n) => n.startsWith(`live-photo-movies-${process.pid}-`)), 'the scan\'s index file is still there');
    assert.deepEqual(index.matching(['cid:abc']), [7], 'and readable');
    index.add([{ entryId: 8, path: '/photos/IMG_2.MOV', keys: ['cid:def'] }]);
    assert.deepEqual(index.matching(['cid:def']), [8]);
    assert.equal(existsSync(staleJob), false, 'a dead run\'s job scratch is gone');
    assert.equal(existsSync(staleIndex), false, 'a dead scan\'s index is gone');
    index.close();
    assert.deepEqual(readdirSync(lib.layout.scratchDir).filter((n) => n !== 'space-reserve'), []);
  });
});
