import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import { Installation } from '../library/installation.js';
import type { Library } from '../library/library.js';
import { tempDir } from '../../test/helpers.js';
import { claimJobs, MAX_INTERRUPTIONS, recordFailure, recoverInterrupted } from './queue.js';

const MAX_ATTEMPTS = 3;

/**
 * What a run's end costs a job (real library database): a failure spends one of its attempts; a
 * run cut off by its process dying (found `running` when the next process starts) spends none,
 * as a graceful stop spends none; only runs cut off MAX_INTERRUPTIONS times in a row give it up.
 */
describe('a job\'s runs cut off by its process dying', () => {
  const tmp = tempDir('vss-queue-');
  let lib: Library;
  let n = 0;
  before(() => { lib = new Installation({ dataDir: join(tmp.path, 'data') }).createLibrary('Q', tmp.path); });
  after(() => { lib.close(); tmp.cleanup(); });

  const newJob = (): number => {
    const contentUuid = `00000000-0000-5000-8000-${String(++n).padStart(12, '0')}`;
    lib.store.jobs.enqueue({ kind: 'guardian-scrub', contentUuid, priority: 5, maxAttempts: MAX_ATTEMPTS });
    return lib.store.jobs.list({ contentUuid })[0]!.id;
  };
  /** Claim job ID (a run starts: its attempt counted), as a runner does. */
  const claim = (id: number) => {
    const taken = claimJobs(lib.store, 100, { room: new Map([['guardian-scrub', 100]]) }).find((j) => j.id === id);
    assert.ok(taken, `job ${id} claimed`);
    return taken;
  };
  const job = (id: number) => lib.store.jobs.get(id)!;

  it('a kill -9 of its process spends no attempt: killed more times than it has attempts, it still runs', () => {
    const id = newJob();
    for (let i = 1; i < MAX_INTERRUPTIONS; i++) {
      claim(id);
      recoverInterrupted(lib.store);
      const j = job(id);
      assert.deepEqual([j.status, j.attempts, j.interruptions], ['queued', 0, i], `after kill ${i}`);
    }
    assert.ok(MAX_INTERRUPTIONS - 1 >= MAX_ATTEMPTS, 'more kills than attempts were survived');
  });

  it('a job whose every run ends its process is given up after MAX_INTERRUPTIONS runs in a row', () => {
    const id = newJob();
    for (let i = 0; i < MAX_INTERRUPTIONS; i++) {
      claim(id);
      recoverInterrupted(lib.store);
    }
    const j = job(id);
    assert.equal(j.status, 'failed');
    assert.match(j.error ?? '', new RegExp(`interrupted ${MAX_INTERRUPTIONS} times in a row`));
  });

  it('any order of failures, kills and graceful stops: attempts count the failures only, and a run that ended in its process clears the kills', () => {
    type End = 'fail' | 'kill' | 'stop';
    fc.assert(fc.property(fc.array(fc.constantFrom<End>('fail', 'kill', 'stop'), { minLength: 1, maxLength: 12 }), (ends) => {
      const id = newJob();
      let failures = 0;
      let inARow = 0;
      let expected: 'queued' | 'failed' = 'queued';
      for (const end of ends) {
        if (expected === 'failed') break;
        const run = claim(id);
        if (end === 'fail') {
          recordFailure(lib.store.jobs, run, 'broken', false, 0);
          failures++;
          inARow = 0;
          if (failures >= MAX_ATTEMPTS) expected = 'failed';
        } else if (end === 'kill') {
          recoverInterrupted(lib.store);
          inARow++;
          if (inARow >= MAX_INTERRUPTIONS) expected = 'failed';
        } else {
          assert.ok(lib.store.jobs.requeue(run, 0, 'stopped'));
          inARow = 0;
        }
        const j = job(id);
        assert.equal(j.status, expected, JSON.stringify({ ends, j }));
        if (expected === 'queued') assert.deepEqual([j.attempts, j.interruptions], [failures, inARow], JSON.stringify(ends));
      }
    }), { numRuns: 200 });
  });
});

/**
 * A kind made from another's output when ready (KindSchedule.after: the fingerprint from a
 * thumbnail) waits for its content's job of that kind in this runner, rather than decode the
 * source beside it; never for one this runner cannot run (real library database).
 */
describe('a job made from another kind waits for that job of its content', () => {
  const tmp = tempDir('vss-queue-after-');
  let lib: Library;
  before(() => { lib = new Installation({ dataDir: join(tmp.path, 'data') }).createLibrary('A', tmp.path); });
  after(() => { lib.close(); tmp.cleanup(); });
  const uuid = (n: number) => `00000000-0000-5000-8000-${String(n).padStart(12, '0')}`;
  const enqueue = (kind: string, n: number, priority: number) => {
    lib.store.jobs.enqueue({ kind, contentUuid: uuid(n), priority, maxAttempts: 3 });
    return lib.store.jobs.list({ contentUuid: uuid(n) }).find((j) => j.kind === kind)!.id;
  };
  const after_ = new Map([['phash', 'thumb']]);
  const both = () => new Map([['thumb', 2], ['phash', 2]]);

  it("waits while its content's thumbnail runs here or is about to; goes once it is done; never for one this runner cannot run", () => {
    const thumbX = enqueue('thumb', 1, 10);
    const phashX = enqueue('phash', 1, 12);
    const phashY = enqueue('phash', 2, 12);
    // X's thumbnail taken: X's fingerprint waits for it in the same claim, Y's (no thumbnail owed) goes.
    let taken = claimJobs(lib.store, 10, { room: both(), after: after_ });
    assert.deepEqual(taken.map((j) => j.id).sort(), [thumbX, phashY].sort());
    // While it runs here, still waiting.
    taken = claimJobs(lib.store, 10, { room: both(), busy: new Set([thumbX, phashY]), after: after_ });
    assert.deepEqual(taken, []);
    // A thumbnail running elsewhere (not this runner's) does not hold it.
    assert.deepEqual(claimJobs(lib.store, 10, { room: both(), busy: new Set(), after: after_ }).map((j) => j.id), [phashX]);

    // Queued and runnable, but this runner does not make thumbnails: it does not wait.
    enqueue('thumb', 3, 10);
    const phashZ = enqueue('phash', 3, 12);
    assert.deepEqual(claimJobs(lib.store, 10, { room: new Map([['phash', 2]]), after: after_ }).map((j) => j.id), [phashZ]);
  });

  it('a thumbnail without room now still holds its fingerprint back; without `after`, nothing waits', () => {
    enqueue('thumb', 4, 10);
    const phashW = enqueue('phash', 4, 12);
    assert.deepEqual(claimJobs(lib.store, 10, { room: new Map([['thumb', 0], ['phash', 2]]), after: after_ }), []);
    assert.deepEqual(claimJobs(lib.store, 10, { room: new Map([['thumb', 0], ['phash', 2]]) }).map((j) => j.id), [phashW]);
  });
});
