import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Installation as Vss } from '../library/installation.js';
import { GeneratorError } from '../generators/types.js';
import { Library } from '../library/library.js';
import { tempDir } from '../../test/helpers.js';
import { JobKinds, type JobKind, type JobOutcome, type JobRunContext } from './job-kind.js';
import { JobRunner } from './runner.js';
import type { JobStore } from '../store/jobs.js';
import { cancelJob, pauseJob, resumeJob, retryJob } from './job-actions.js';
import { PausedByUser } from './job-kind.js';
import { claimJobs, MAX_INTERRUPTIONS } from './queue.js';
import type { JobRow } from './states.js';

const SETTINGS = { ocrLanguages: ['eng'], models: {}, threads: 1 };

function kind(name: string, run: (job: JobRow, ctx: JobRunContext) => Promise<JobOutcome>, extra: Partial<JobKind> = {}): JobKind {
  return { name, concurrency: 1, timeoutMs: () => 10_000, run, ...extra };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('job runner (real library database)', () => {
  const tmp = tempDir();
  let vss: Vss;
  let lib: Library;
  let store: JobStore;
  let n = 0;
  const uuid = () => `00000000-0000-5000-8000-${String(++n).padStart(12, '0')}`;

  before(() => {
    vss = new Vss({ dataDir: join(tmp.path, 'data') });
    lib = vss.createLibrary('J', tmp.path);
    store = lib.store.jobs;
  });
  after(() => { lib.close(); tmp.cleanup(); });

  const run = (kinds: JobKind[], opts: { concurrency?: number; backoffBaseMs?: number } = {}) =>
    new JobRunner(lib, { kinds: new JobKinds(kinds), settings: SETTINGS, untilIdle: true, pollMs: 20, backoffBaseMs: opts.backoffBaseMs ?? 10, ...(opts.concurrency ? { concurrency: opts.concurrency } : {}) }).run();

  it('runs higher priority first and enforces each kind\'s concurrency limit', async () => {
    const order: string[] = [];
    let live = 0;
    let peak = 0;
    const work = (label: string) => async () => {
      live++; peak = Math.max(peak, live);
      order.push(label);
      await sleep(15);
      live--;
      return { state: 'completed' as const };
    };
    for (let i = 0; i < 4; i++) store.enqueue({ kind: 'proxyish', contentUuid: uuid(), priority: 50, maxAttempts: 3 });
    for (let i = 0; i < 4; i++) store.enqueue({ kind: 'thumbish', contentUuid: uuid(), priority: 10, maxAttempts: 3 });
    const s = await run([kind('thumbish', work('t')), kind('proxyish', work('p'))], { concurrency: 1 });
    assert.equal(s.completed, 8);
    assert.deepEqual(order, ['t', 't', 't', 't', 'p', 'p', 'p', 'p']);
    assert.equal(peak, 1);

    let slow = 0; let slowPeak = 0;
    for (let i = 0; i < 6; i++) store.enqueue({ kind: 'limited', contentUuid: uuid(), priority: 10, maxAttempts: 3 });
    await run([kind('limited', async () => {
      slow++; slowPeak = Math.max(slowPeak, slow);
      await sleep(20);
      slow--;
      return { state: 'completed' };
    }, { concurrency: 2 })], { concurrency: 8 });
    assert.equal(slowPeak, 2, 'a kind never runs more jobs than its limit even when the runner has room');
  });

  it('queues the same (kind, content) once while it is open', () => {
    const c = uuid();
    assert.equal(store.enqueue({ kind: 'dup', contentUuid: c, priority: 1, maxAttempts: 3 }), true);
    assert.equal(store.enqueue({ kind: 'dup', contentUuid: c, priority: 1, maxAttempts: 3 }), false);
    cancelJob(lib, store.list({ kind: 'dup' })[0]!.id);
    assert.equal(store.enqueue({ kind: 'dup', contentUuid: c, priority: 1, maxAttempts: 3 }), true, 'a finished one does not hold it');
    cancelJob(lib, store.list({ kind: 'dup', status: 'queued' })[0]!.id);
  });

  it('retries a transient failure with backoff and fails a permanent one at once', async () => {
    const flaky = uuid();
    const broken = uuid();
    store.enqueue({ kind: 'flaky', contentUuid: flaky, priority: 1, maxAttempts: 3 });
    store.enqueue({ kind: 'broken', contentUuid: broken, priority: 1, maxAttempts: 3 });
    let tries = 0;
    let brokenTries = 0;
    const s = await run([
      kind('flaky', async () => {
        if (++tries < 3) throw new GeneratorError('disk busy', { permanent: false });
        return { state: 'completed' };
      }),
      kind('broken', async () => {
        brokenTries++;
        throw new GeneratorError('not a JPEG: corrupt header', { permanent: true });
      }),
    ]);
    assert.equal(tries, 3);
    assert.equal(brokenTries, 1, 'corrupt input is not retried');
    const [f] = store.list({ kind: 'flaky' });
    assert.equal(f!.status, 'completed');
    assert.equal(f!.attempts, 3);
    const [b] = store.list({ kind: 'broken' });
    assert.equal(b!.status, 'failed');
    assert.match(b!.error!, /corrupt header/);
    assert.equal(s.failed, 1);
  });

  it('gives up after the last attempt', async () => {
    store.enqueue({ kind: 'always', contentUuid: uuid(), priority: 1, maxAttempts: 3 });
    let tries = 0;
    await run([kind('always', async () => { tries++; throw new Error('still busy'); }, {})]);
    // A plain Error is a bug, not a passing condition: permanent at once.
    assert.equal(tries, 1);
    store.enqueue({ kind: 'always2', contentUuid: uuid(), priority: 1, maxAttempts: 3 });
    let t2 = 0;
    await run([kind('always2', async () => { t2++; throw new GeneratorError('busy', { permanent: false }); })]);
    assert.equal(t2, 3);
    assert.equal(store.list({ kind: 'always2' })[0]!.status, 'failed');
  });

  it('aborts a job at its timeout and a waiting job does not spend attempts', async () => {
    store.enqueue({ kind: 'hang', contentUuid: uuid(), priority: 1, maxAttempts: 3 });
    await run([kind('hang', (_job, ctx) => new Promise((_res, rej) => ctx.signal.addEventListener('abort', () => rej(new GeneratorError('stopped', { permanent: true })))), { timeoutMs: () => 50 })]);
    const [h] = store.list({ kind: 'hang' });
    assert.equal(h!.status, 'failed');
    assert.match(h!.error!, /timed out/);

    store.enqueue({ kind: 'waits', contentUuid: uuid(), priority: 1, maxAttempts: 1 });
    let calls = 0;
    await run([kind('waits', async () => (++calls < 4 ? { state: 'wait', reason: 'ocr first', delayMs: 5 } : { state: 'completed' }))]);
    const [w] = store.list({ kind: 'waits' });
    assert.equal(w!.status, 'completed');
    assert.equal(calls, 4);
    assert.equal(w!.attempts, 1, 'three waits spent no attempt');
  });

  it('stops a running job cancelled from another process\'s connection', async () => {
    store.enqueue({ kind: 'long', contentUuid: uuid(), priority: 1, maxAttempts: 3 });
    const [job] = store.list({ kind: 'long' });
    let aborted = false;
    const other = Library.open(lib.root, vss.device, { shared: true });
    setTimeout(() => { cancelJob(other, job!.id); }, 60);
    const s = await run([kind('long', (_j, ctx) => new Promise((_res, rej) => ctx.signal.addEventListener('abort', () => { aborted = true; rej(new GeneratorError('stopped', { permanent: true })); })))]);
    other.close();
    assert.equal(aborted, true);
    assert.equal(s.cancelled, 1);
    assert.equal(store.get(job!.id)!.status, 'cancelled');
    assert.throws(() => cancelJob(lib, job!.id), /only queued, running or paused/);
    assert.equal(retryJob(lib, job!.id).status, 'queued');
    await run([kind('long', async () => ({ state: 'completed' }))]);
    assert.equal(store.get(job!.id)!.status, 'completed');
  });

  it('stops a running job paused from another process\'s connection, spends no attempt, and runs it again once resumed', async () => {
    store.enqueue({ kind: 'pausable', contentUuid: uuid(), priority: 1, maxAttempts: 3 });
    const [job] = store.list({ kind: 'pausable' });
    const reasons: unknown[] = [];
    let runs = 0;
    const pausable = kind('pausable', (_j, ctx) => {
      runs++;
      if (runs > 1) return Promise.resolve({ state: 'completed' as const });
      return new Promise((_res, rej) => ctx.signal.addEventListener('abort', () => { reasons.push(ctx.signal.reason); rej(new GeneratorError('stopped', { permanent: true })); }));
    });
    const other = Library.open(lib.root, vss.device, { shared: true });
    setTimeout(() => { pauseJob(other, job!.id); }, 60);
    const s = await run([pausable]);
    assert.equal(reasons.length, 1);
    assert.ok(reasons[0] instanceof PausedByUser, 'its run was stopped as a pause');
    assert.deepEqual([s.completed, s.failed, s.cancelled], [0, 0, 0], 'a pause is neither a failure nor a cancel');
    const paused = store.get(job!.id)!;
    assert.deepEqual([paused.status, paused.attempts, paused.error], ['paused', 0, null]);
    assert.match(paused.note ?? '', /paused while it ran/);
    assert.throws(() => pauseJob(lib, job!.id), /is paused; only queued or running jobs can be paused/);

    resumeJob(other, job!.id);
    other.close();
    const again = await run([pausable]);
    assert.equal(again.completed, 1);
    assert.equal(runs, 2, 'resumed, it ran again from the start');
    assert.deepEqual([store.get(job!.id)!.status, store.get(job!.id)!.attempts], ['completed', 1]);
  });

  it('resumes jobs left running by a dead process, and fails one that keeps dying', async () => {
    store.enqueue({ kind: 'crashy', contentUuid: uuid(), priority: 1, maxAttempts: 3 });
    store.enqueue({ kind: 'crashy', contentUuid: uuid(), priority: 1, maxAttempts: 3 });
    // Two claims as a killed runner would leave them: running; the second cut off
    // MAX_INTERRUPTIONS - 1 times before (each run cut off gave its attempt back).
    const taken = claimJobs(lib.store, 2, { room: new Map([['crashy', 2]]) });
    assert.equal(taken.length, 2);
    for (let i = 1; i < MAX_INTERRUPTIONS; i++) {
      store.requeueInterrupted(taken[1]!.id, 'resumed after an interrupted run');
      assert.equal(claimJobs(lib.store, 1, { room: new Map([['crashy', 1]]), busy: new Set([taken[0]!.id]) })[0]!.id, taken[1]!.id);
    }
    assert.deepEqual([store.get(taken[1]!.id)!.attempts, store.get(taken[1]!.id)!.interruptions], [1, MAX_INTERRUPTIONS - 1]);
    const s = await run([kind('crashy', async () => ({ state: 'completed' }))]);
    assert.equal(s.resumed, 1, 'one resumed, one given up');
    assert.equal(store.get(taken[0]!.id)!.status, 'completed');
    assert.deepEqual([store.get(taken[0]!.id)!.attempts, store.get(taken[0]!.id)!.interruptions], [1, 1], 'the run cut off spent no attempt');
    assert.equal(store.get(taken[1]!.id)!.status, 'failed');
    assert.match(store.get(taken[1]!.id)!.error!, new RegExp(`interrupted ${MAX_INTERRUPTIONS} times`));
  });

  it('reports progress with counts, rate and ETA', async () => {
    for (let i = 0; i < 5; i++) store.enqueue({ kind: 'prog', contentUuid: uuid(), priority: 1, maxAttempts: 3, bytes: 1000 });
    const seen: number[] = [];
    const off = lib.events.on('jobs:progress', (p) => seen.push(p.completed));
    await run([kind('prog', async () => { await sleep(30); return { state: 'completed' }; })]);
    off();
    assert.ok(seen.length >= 2);
    assert.equal(seen.at(-1), 5);
  });

  it('a job cancelled and retried while its old run winds down runs once more, never twice at once', async () => {
    store.enqueue({ kind: 'slowstop', contentUuid: uuid(), priority: 1, maxAttempts: 3 });
    const [job] = store.list({ kind: 'slowstop' });
    let live = 0;
    let peak = 0;
    let runs = 0;
    const other = Library.open(lib.root, vss.device, { shared: true });
    setTimeout(() => { cancelJob(other, job!.id); retryJob(other, job!.id); }, 40);
    const s = await run([kind('slowstop', async (_j, ctx) => {
      runs++; live++; peak = Math.max(peak, live);
      // The first run ignores its abort for a while (an engine that cannot be interrupted at once).
      await sleep(runs === 1 ? 300 : 10);
      live--;
      if (ctx.signal.aborted) throw new GeneratorError('stopped', { permanent: true });
      return { state: 'completed' };
    })]);
    other.close();
    assert.equal(peak, 1);
    assert.equal(runs, 2);
    assert.equal(store.get(job!.id)!.status, 'completed');
    assert.equal(s.completed, 1);
  });

  it('retrying a failed job while another is open for the same work gives the open one', () => {
    const c = uuid();
    store.enqueue({ kind: 'twice', contentUuid: c, priority: 1, maxAttempts: 3 });
    const [first] = claimJobs(lib.store, 1, { room: new Map([['twice', 1]]) });
    assert.equal(store.fail(first!, 'broken'), true);
    store.enqueue({ kind: 'twice', contentUuid: c, priority: 1, maxAttempts: 3 });
    const open = store.list({ kind: 'twice', status: 'queued' })[0]!;
    assert.equal(retryJob(lib, first!.id).id, open.id);
    assert.equal(store.get(first!.id)!.status, 'failed');
  });
});
