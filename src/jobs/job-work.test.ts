import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Vss as ApiVss } from '../api/vss.js';
import { Installation as Vss } from '../library/installation.js';
import { GeneratorError } from '../generators/types.js';
import type { Library } from '../library/library.js';
import { tempDir } from '../../test/helpers.js';
import { readCpuBudget, writeCpuBudget } from './cpu-budget.js';
import { JobKinds, type JobKind, type JobOutcome, type JobRunContext } from './job-kind.js';
import { startJobWork, type JobWork } from './job-work.js';
import { FOREGROUND_PRIORITY } from './schedule.js';
import type { JobRow } from './states.js';
import type { JobStore } from '../store/jobs.js';
import { cancelJob } from './job-actions.js';

function kind(name: string, run: (job: JobRow, ctx: JobRunContext) => Promise<JobOutcome>, extra: Partial<JobKind> = {}): JobKind {
  return { name, concurrency: 1, timeoutMs: () => 30_000, run, ...extra };
}

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

describe('continuous job work (real library database, real runner)', () => {
  const tmp = tempDir();
  const dataDir = join(tmp.path, 'data');
  let lib: Library;
  let store: JobStore;
  let work: JobWork | undefined;
  let n = 0;
  const uuid = () => `00000000-0000-5000-8000-${String(++n).padStart(12, '0')}`;

  before(() => {
    lib = new Vss({ dataDir }).createLibrary('W', tmp.path);
    store = lib.store.jobs;
  });
  afterEach(async () => {
    await work?.stop();
    work = undefined;
  });
  after(() => { lib.close(); tmp.cleanup(); });

  it('starts a job queued after it started at once, not at its next poll', async () => {
    const started: number[] = [];
    work = startJobWork(lib, {
      dataDir, cpuBudget: 1, pollMs: 10_000,
      kinds: new JobKinds([kind('probe', async () => { started.push(Date.now()); return { state: 'completed' }; })]),
    });
    // Idle first: the runner is asleep in its (10 s) poll wait.
    await within(work.waitUntilIdle(), 5_000, 'idle at start');
    assert.throws(() => startJobWork(lib, { dataDir }), /already being worked in this process/, 'never two runners on one library');
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      await sleep(30);
      const at = Date.now();
      store.enqueue({ kind: 'probe', contentUuid: uuid(), priority: 10, maxAttempts: 3 });
      await until(() => started.length === i + 1, 2_000, `job ${i} started`);
      delays.push(started[i]! - at);
    }
    assert.ok(Math.max(...delays) < 100, `each began within 100 ms of being queued (took ${delays.join(', ')} ms)`);
    console.log(`# queued → started: ${delays.join(', ')} ms (poll interval 10 s)`);
  });

  it('waitUntilIdle returns what finished since it was called', async () => {
    let fails = 0;
    work = startJobWork(lib, {
      dataDir, cpuBudget: 2, pollMs: 50,
      kinds: new JobKinds([
        kind('ok', async () => { await sleep(20); return { state: 'completed', note: 'made it' }; }, { concurrency: 2 }),
        kind('bad', async () => { fails++; throw new GeneratorError('corrupt input', { permanent: true }); }),
      ]),
    });
    await within(work.waitUntilIdle(), 5_000, 'idle at start');
    const waited = work.waitUntilIdle();
    for (let i = 0; i < 4; i++) store.enqueue({ kind: 'ok', contentUuid: uuid(), priority: 10, maxAttempts: 3 });
    const bad = uuid();
    store.enqueue({ kind: 'bad', contentUuid: bad, priority: 10, maxAttempts: 3 });
    const s = await within(waited, 10_000, 'idle after the work');
    assert.equal(s.completed, 4);
    assert.equal(s.failed, 1);
    assert.equal(fails, 1);
    assert.deepEqual(s.notes, { 'made it': 4 });
    assert.equal(s.errors.length, 1);
    assert.equal(s.errors[0]!.contentUuid, bad);
    assert.match(s.errors[0]!.error, /corrupt input/);
    assert.equal(store.counts().queued, 0);
    // A second wait on an idle queue: nothing new finished.
    const again = await within(work.waitUntilIdle(), 5_000, 'idle again');
    assert.equal(again.completed + again.failed, 0);
    // A wait given up early says what finished so far; following the work ends with its signal.
    const stopWaiting = new AbortController();
    const early = work.waitUntilIdle(stopWaiting.signal);
    const followed = work.follow(stopWaiting.signal);
    store.enqueue({ kind: 'ok', contentUuid: uuid(), priority: 10, maxAttempts: 3 });
    await sleep(200);
    stopWaiting.abort();
    assert.equal((await within(early, 1_000, 'the early answer')).completed, 1);
    assert.equal((await within(followed, 1_000, 'the followed work')).completed, 1);
  });

  it('keeps to the budget, and a foreground job overtakes the background queue in its own slot', async () => {
    const live = { bg: 0, fg: 0 };
    let peakBg = 0;
    let peakAll = 0;
    const order: string[] = [];
    let fgStartedWhileBgRunning = -1;
    const track = (which: 'bg' | 'fg', ms: number) => async (job: JobRow): Promise<JobOutcome> => {
      live[which]++;
      peakBg = Math.max(peakBg, live.bg);
      peakAll = Math.max(peakAll, live.bg + live.fg);
      order.push(`${which}${job.id}`);
      if (which === 'fg') fgStartedWhileBgRunning = live.bg;
      await sleep(ms);
      live[which]--;
      return { state: 'completed' };
    };
    work = startJobWork(lib, {
      dataDir, cpuBudget: 2, pollMs: 10_000,
      // Background kind limit far above the budget: only the budget holds it.
      kinds: new JobKinds([kind('bg', (j) => track('bg', 300)(j), { concurrency: 10 }), kind('fg', (j) => track('fg', 20)(j))]),
    });
    assert.equal(work.budget, 2);
    for (let i = 0; i < 8; i++) store.enqueue({ kind: 'bg', contentUuid: uuid(), priority: 50, maxAttempts: 3 });
    await until(() => live.bg === 2, 2_000, 'both background slots busy');
    const asked = Date.now();
    store.enqueueUrgent({ kind: 'fg', contentUuid: uuid(), priority: FOREGROUND_PRIORITY, maxAttempts: 3 });
    await until(() => order.some((o) => o.startsWith('fg')), 2_000, 'the foreground job started');
    const fgDelay = Date.now() - asked;
    const s = await within(work.waitUntilIdle(), 20_000, 'idle');
    assert.equal(s.completed, 9);
    assert.equal(peakBg, 2, 'never more background jobs than the budget');
    assert.equal(peakAll, 3, 'the foreground slot is the only one beyond it');
    assert.equal(fgStartedWhileBgRunning, 2, 'it did not wait for a background slot');
    assert.ok(fgDelay < 200, `started ${fgDelay} ms after it was asked for`);
    assert.ok(order.indexOf(order.find((o) => o.startsWith('fg'))!) <= 2, `ahead of the queued background jobs: ${order.join(' ')}`);
  });

  it('raises a queued background job to the foreground rather than queueing it twice', () => {
    const c = uuid();
    assert.equal(store.enqueue({ kind: 'raise', contentUuid: c, priority: 50, maxAttempts: 3 }), true);
    assert.equal(store.enqueueUrgent({ kind: 'raise', contentUuid: c, priority: FOREGROUND_PRIORITY, maxAttempts: 3 }), false);
    const rows = store.list({ kind: 'raise' });
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.priority, FOREGROUND_PRIORITY);
    cancelJob(lib, rows[0]!.id);
  });

  it('follows a new CPU budget set while it works, and refuses a budget the machine cannot give', async () => {
    const threads: number[] = [];
    work = startJobWork(lib, {
      dataDir, pollMs: 10_000,
      kinds: new JobKinds([kind('t', async (_j, ctx) => { threads.push(ctx.settings.threads); return { state: 'completed' }; })]),
    });
    const b = readCpuBudget(dataDir);
    assert.equal(b.isDefault, true);
    assert.equal(work.budget, Math.max(1, b.available - 1), 'the default leaves a core free');
    writeCpuBudget(dataDir, 1);
    assert.equal(work.budget, 1);
    store.enqueue({ kind: 't', contentUuid: uuid(), priority: 10, maxAttempts: 3 });
    await within(work.waitUntilIdle(), 5_000, 'idle');
    assert.deepEqual(threads, [1], 'tools get the budget\'s threads');
    assert.throws(() => writeCpuBudget(dataDir, b.available + 1), /from 1 to/);
    assert.throws(() => writeCpuBudget(dataDir, 0.5), /whole number/);
    // The same through the core API.
    const api = new ApiVss({ dataDir }).deviceSettings;
    assert.deepEqual(api.setCpuBudget(1), { cpu_budget: 1, default: false, cores: b.available });
    assert.deepEqual(api.cpuBudget(), { cpu_budget: 1, default: false, cores: b.available });
    assert.equal(api.setCpuBudget('default').default, true);
    assert.equal(work.budget, Math.max(1, b.available - 1));
  });
});
