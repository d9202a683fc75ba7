import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Installation as Vss } from '../library/installation.js';
import { Library } from '../library/library.js';
import { SidecarManager } from '../sidecars/manager.js';
import { tempDir } from '../../test/helpers.js';
import { JobKinds } from './job-kind.js';
import { runJobs } from './run-jobs.js';

const DAY = 24 * 3600_000;
const OLD_COMPLETED = 2_500;

describe('finished jobs are pruned after the library\'s keep time (real library database)', () => {
  const tmp = tempDir();
  const dataDir = join(tmp.path, 'data');
  let vss: Vss;
  let lib: Library;
  let n = 0;
  const uuid = () => `00000000-0000-5000-8000-${String(++n).padStart(12, '0')}`;

  before(() => {
    vss = new Vss({ dataDir });
    lib = vss.createLibrary('P', tmp.path);
  });
  after(() => { lib.close(); tmp.cleanup(); });

  /** A job as a run would have left it, finished AGO ms ago. */
  const finished = (status: 'completed' | 'failed' | 'cancelled', agoMs: number, contentUuid = uuid()): number => {
    const store = lib.store.jobs;
    const at = Date.now() - agoMs;
    store.enqueue({ kind: 'thumb', contentUuid, priority: 10, maxAttempts: 3 }, at);
    const id = store.list({ contentUuid })[0]!.id;
    if (status === 'cancelled') {
      assert.ok(store.cancel(id, ['queued'], at));
      return id;
    }
    assert.ok(store.markRunning(id, at));
    const job = store.get(id)!;
    assert.ok(status === 'completed' ? store.complete(job, null, at) : store.fail(job, 'broken', at));
    return id;
  };
  const ids = () => new Set(lib.store.jobs.list().map((r) => r.id));

  it('deletes old completed, cancelled and failed jobs in batches, and keeps what retry still needs', async () => {
    const store = lib.store.jobs;
    lib.store.transaction(() => { for (let i = 0; i < OLD_COMPLETED; i++) finished('completed', 8 * DAY); });
    const oldCancelled = finished('cancelled', 30 * DAY);
    const recent = finished('completed', 6 * DAY);
    const recentFailed = finished('failed', DAY);
    // A failed job whose sidecar is still failed is what `jobs retry` takes: it stays.
    const stuckContent = uuid();
    const stuck = finished('failed', 30 * DAY, stuckContent);
    new SidecarManager(lib).record({ contentUuid: stuckContent, kind: 'thumb', variant: 'grid@1x', format: 'webp' }, { status: 'failed', source: 'generated', size: null, checksum: null, sourceEntryId: null, error: 'corrupt' });
    // One whose sidecars were made since (by a later job) has nothing left to retry: it goes.
    const doneContent = uuid();
    const superseded = finished('failed', 30 * DAY, doneContent);
    new SidecarManager(lib).record({ contentUuid: doneContent, kind: 'thumb', variant: 'grid@1x', format: 'webp' }, { status: 'ready', source: 'generated', size: 3, checksum: 'ab', sourceEntryId: null, error: null });
    // Open work is never pruned, however old.
    const oldQueued = uuid();
    store.enqueue({ kind: 'thumb', contentUuid: oldQueued, priority: 10, maxAttempts: 3 }, Date.now() - 60 * DAY);
    const queuedId = store.list({ contentUuid: oldQueued })[0]!.id;
    assert.equal(ids().size, OLD_COMPLETED + 6);

    // The default keep time (7 days), read from the library's settings by the runner at start.
    const s = await runJobs(lib, { dataDir, untilIdle: true, kinds: new JobKinds(), nice: false });
    assert.equal(s.completed, 0);
    const left = ids();
    assert.deepEqual([...left].sort((a, b) => a - b), [recent, recentFailed, stuck, queuedId].sort((a, b) => a - b));
    assert.ok(!left.has(oldCancelled) && !left.has(superseded));
  });

  it('keeps finished jobs for the days library.json says', async () => {
    const two = finished('completed', 2 * DAY);
    const half = finished('completed', DAY / 2);
    const config = JSON.parse(readFileSync(lib.layout.configFile, 'utf8')) as { settings: Record<string, unknown> };
    config.settings.keepFinishedJobsDays = 1;
    writeFileSync(lib.layout.configFile, JSON.stringify(config));
    lib.close();
    lib = Library.open(lib.root, vss.device);
    assert.equal(lib.config.settings.keepFinishedJobsDays, 1);
    await runJobs(lib, { dataDir, untilIdle: true, kinds: new JobKinds(), nice: false });
    assert.ok(!ids().has(two), 'older than a day: pruned');
    assert.ok(ids().has(half));
  });
});
