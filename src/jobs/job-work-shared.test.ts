import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JobsProgress } from '../core/events.js';
import { Installation as Vss } from '../library/installation.js';
import { Library } from '../library/library.js';
import { tempDir } from '../../test/helpers.js';
import { writeCpuBudget } from './cpu-budget.js';
import { JobKinds, type JobKind, type JobOutcome } from './job-kind.js';
import { startJobWork, type JobWork } from './job-work.js';
import { FOREGROUND_PRIORITY } from './schedule.js';
import type { JobRow } from './states.js';

/** Poll (bounded) until COND holds. */
async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(5);
  }
}

/** Resolves with P, or fails the test after MS. */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  const timer = sleep(ms, undefined, { ref: false }).then(() => { throw new Error(`${what}: not within ${ms} ms`); });
  return Promise.race([p, timer]);
}

/** Jobs of every library in this test, counted together: what runs at once in the process. */
class Live {
  bg = 0;
  fg = 0;
  peakBg = 0;
  peakAll = 0;
  readonly starts: string[] = [];

  kind(name: string, which: 'bg' | 'fg', ms: () => number, concurrency = 10): JobKind {
    return {
      name, concurrency, timeoutMs: () => 30_000,
      run: async (job: JobRow, ctx): Promise<JobOutcome> => {
        this[which]++;
        this.peakBg = Math.max(this.peakBg, this.bg);
        this.peakAll = Math.max(this.peakAll, this.bg + this.fg);
        this.starts.push(`${ctx.lib.config.name}:${which}${job.id}`);
        try {
          await sleep(ms());
        } finally {
          this[which]--;
        }
        return { state: 'completed' };
      },
    };
  }
}

describe('one CPU budget for every library worked in a process (real libraries, real runners)', () => {
  const tmp = tempDir();
  const dataDir = join(tmp.path, 'data');
  let a: Library;
  let b: Library;
  let works: JobWork[] = [];
  let n = 0;
  const uuid = () => `00000000-0000-5000-8000-${String(++n).padStart(12, '0')}`;
  const enqueue = (lib: Library, kind: string, count: number, priority = 50) => {
    const store = lib.store.jobs;
    for (let i = 0; i < count; i++) store.enqueueUrgent({ kind, contentUuid: uuid(), priority, maxAttempts: 3 });
  };

  before(() => {
    const vss = new Vss({ dataDir });
    a = vss.createLibrary('A', tmp.path);
    b = vss.createLibrary('B', tmp.path);
  });
  afterEach(async () => {
    await Promise.all(works.map((w) => w.stop()));
    works = [];
  });
  after(() => { a.close(); b.close(); tmp.cleanup(); });

  it('never runs more background jobs than the budget over both libraries, nor more than one foreground job beyond it', async () => {
    const live = new Live();
    const kinds = new JobKinds([live.kind('bg', 'bg', () => 120), live.kind('fg', 'fg', () => 150)]);
    // A long poll: only the wake-ups (a freed slot, a queued job) can start the next job in time.
    works = [a, b].map((lib) => startJobWork(lib, { dataDir, cpuBudget: 1, pollMs: 10_000, kinds }));
    assert.deepEqual(works.map((w) => w.budget), [1, 1]);
    enqueue(a, 'bg', 6);
    enqueue(b, 'bg', 6);
    await until(() => live.bg === 1, 3_000, 'a background job running');
    // A user's request in each library at once, while the budget's slot is busy.
    enqueue(a, 'fg', 2, FOREGROUND_PRIORITY);
    enqueue(b, 'fg', 2, FOREGROUND_PRIORITY);
    const summaries = await within(Promise.all(works.map((w) => w.waitUntilIdle())), 30_000, 'both libraries idle');
    assert.deepEqual(summaries.map((s) => s.completed), [8, 8]);
    assert.equal(live.peakBg, 1, 'one background job at a time over both libraries');
    assert.equal(live.peakAll, 2, 'and one foreground job beyond it, not one per library');
    // A freed slot goes to the other library first: neither waits for the other's whole queue.
    const bg = live.starts.filter((s) => s.includes(':bg'));
    let longest = 0;
    for (let i = 0, run = 0; i < bg.length; i++) {
      run = i > 0 && bg[i]![0] === bg[i - 1]![0] ? run + 1 : 1;
      longest = Math.max(longest, run);
    }
    assert.ok(longest <= 2, `the libraries take turns: ${bg.join(' ')}`);
  });

  it('a new budget reaches every library\'s work at once', { skip: availableParallelism() < 2 ? 'needs 2 cores' : false }, async () => {
    writeCpuBudget(dataDir, 1);
    const live = new Live();
    const kinds = new JobKinds([live.kind('bg', 'bg', () => 300)]);
    works = [a, b].map((lib) => startJobWork(lib, { dataDir, pollMs: 10_000, kinds }));
    enqueue(a, 'bg', 4);
    enqueue(b, 'bg', 4);
    await until(() => live.bg === 1, 3_000, 'a background job running');
    await sleep(100);
    assert.equal(live.peakBg, 1);
    writeCpuBudget(dataDir, 2);
    assert.deepEqual(works.map((w) => w.budget), [2, 2]);
    // At once, not at the next poll (10 s away): the bound is the poll's, not a timing of the machine.
    await until(() => live.bg === 2, 5_000, 'a second job started before the next poll');
    await within(Promise.all(works.map((w) => w.waitUntilIdle())), 30_000, 'both libraries idle');
    assert.equal(live.peakBg, 2, 'never beyond the new budget');
    writeCpuBudget(dataDir, 'default');
  });

  it('an idle runner says nothing; work brings progress over its busy period, with a recent rate', async () => {
    const live = new Live();
    // Jobs longer than the poll: several polls see the same state.
    let ms = 200;
    const kinds = new JobKinds([live.kind('p', 'bg', () => ms, 1)]);
    // A fast poll: the old runner sent an event on each one.
    const startedAt = Date.now();
    const work = startJobWork(a, { dataDir, cpuBudget: 1, pollMs: 50, kinds });
    works = [work];
    const seen: JobsProgress[] = [];
    a.events.on('jobs:progress', (p) => seen.push(p));
    await within(work.waitUntilIdle(), 5_000, 'idle at start');
    await sleep(2_000);
    assert.equal(seen.length, 0, `no progress events from an idle runner over 2 s (got ${seen.length})`);

    enqueue(a, 'p', 4);
    await until(() => seen.at(-1)?.completed === 4 && seen.at(-1)?.queued === 0 && seen.at(-1)?.running === 0, 5_000, 'the busy period\'s last event');
    const first = seen.length;
    assert.ok(first >= 2, `events while it worked: ${first}`);
    assert.ok(seen.at(-1)!.rate > 0, 'a rate once jobs finished');
    const keys = seen.map((p) => `${p.queued}/${p.running}/${p.completed}`);
    assert.equal(new Set(keys).size, keys.length, `each event says something new: ${keys.join(' ')}`);
    await sleep(500);
    assert.equal(seen.length, first, 'quiet again once idle');

    // The next busy period (of quick jobs) counts from zero, its rate its own, not the runner's life's.
    ms = 10;
    enqueue(a, 'p', 5);
    await until(() => seen.length > first && seen.at(-1)!.queued + seen.at(-1)!.running === 0, 5_000, 'the second period\'s last event');
    const last = seen.at(-1)!;
    assert.equal(last.completed, 5);
    assert.ok(seen.slice(first).every((p) => p.completed <= 5));
    const lifetime = 9 / ((Date.now() - startedAt) / 1000);
    assert.ok(last.rate > 1.5 * lifetime, `the period's rate ${last.rate.toFixed(2)}/s, the runner's life's ${lifetime.toFixed(2)}/s`);
  });

  it('an idle runner still notices work queued by another process, and a job waiting for its time', async () => {
    let waited = false;
    const done: number[] = [];
    const kinds = new JobKinds([{
      name: 'w', concurrency: 1, timeoutMs: () => 10_000,
      run: async (job): Promise<JobOutcome> => {
        if (!waited) {
          waited = true;
          return { state: 'wait', reason: 'not yet', delayMs: 300 };
        }
        done.push(job.id);
        return { state: 'completed' };
      },
    }]);
    const work = startJobWork(a, { dataDir, cpuBudget: 1, pollMs: 100, kinds });
    works = [work];
    await within(work.waitUntilIdle(), 5_000, 'idle at start');
    await sleep(300);
    // Another connection to the library (as `vss sidecars path` in another process): no in-process hook tells the runner.
    const other = Library.open(a.root, new Vss({ dataDir }).device, { shared: true });
    try {
      const queuedAt = Date.now();
      other.store.jobs.enqueue({ kind: 'w', contentUuid: uuid(), priority: 10, maxAttempts: 3 });
      // It waits 300 ms once, then runs: the idle runner claims it again when its time comes.
      await until(() => done.length === 1, 3_000, 'the job done');
      const took = Date.now() - queuedAt;
      assert.ok(took < 1_500, `queued elsewhere → done in ${took} ms (poll 100 ms, one 300 ms wait)`);
    } finally {
      other.close();
    }
  });

  it('follow forgets a follower that stops following, and answers the rest when the work stops', async () => {
    const work = startJobWork(a, { dataDir, cpuBudget: 1, pollMs: 10_000, kinds: new JobKinds([]) });
    works = [work];
    for (let i = 0; i < 100; i++) {
      const stop = new AbortController();
      const followed = work.follow(stop.signal);
      stop.abort();
      await within(followed, 1_000, 'a follow given up');
    }
    assert.equal(work.followers, 0, 'a hundred follows given up leave nothing behind');
    const aborted = new AbortController();
    aborted.abort();
    await within(work.follow(aborted.signal), 1_000, 'a follow given up before it began');
    const open = [work.follow(), work.follow(new AbortController().signal)];
    assert.equal(work.followers, 2);
    await work.stop();
    works = [];
    const s = await within(Promise.all(open), 1_000, 'the follows answered by the stop');
    assert.equal(s.length, 2);
    assert.equal(work.followers, 0);
    await within(work.follow(), 1_000, 'a follow of stopped work');
  });
});
