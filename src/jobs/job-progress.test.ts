import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventBus, type JobProgress } from '../core/events.js';
import type { JobStore } from '../store/jobs.js';
import { jobProgressMeter } from './job-progress.js';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { tempDir } from '../../test/helpers.js';
import { Installation } from '../library/installation.js';
import type { JobRow } from './states.js';

const job = { id: 7, kind: 'content-get', content_uuid: 'c', run_token: 1 } as JobRow;

test('progress is thinned out into events and row writes, with the rate of this run and an ETA', () => {
  const events = new EventBus();
  const seen: JobProgress[] = [];
  events.on('job:progress', (p) => seen.push(p));
  const writes: Array<[number, number]> = [];
  const store = { progress: (_j: unknown, done: number, total: number) => (writes.push([done, total]), true) } as unknown as JobStore;
  let now = 1_000;
  const meter = jobProgressMeter(job, events, store, () => now);
  // A resumed copy starts at 400 of 1000: the rate counts only what this run moved.
  meter(400, 1000);
  for (let t = 1; t <= 40; t++) {
    now = 1_000 + t * 50;
    meter(400 + t * 10, 1000);
  }
  // 2 s at 50 ms steps: an event every 250 ms, a row write every second.
  assert.equal(seen.length, 9);
  assert.deepEqual(writes.map((w) => w[0]), [400, 600, 800]);
  const last = seen.at(-1)!;
  assert.deepEqual([last.doneBytes, last.totalBytes, last.rate], [800, 1000, 200]);
  assert.equal(last.etaMs, 1000);
  // The end is always said, however soon after the last report.
  now += 1;
  meter(1000, 1000);
  assert.deepEqual([seen.at(-1)!.doneBytes, writes.at(-1)![0]], [1000, 1000]);
  // Said again as each item is confirmed after its bytes: written and sent once, not once an item.
  const [events0, writes0] = [seen.length, writes.length];
  for (let i = 0; i < 100; i++) meter(1000, 1000);
  assert.deepEqual([seen.length, writes.length], [events0, writes0]);
});

test('a database that cannot take the progress does not fail the job', () => {
  const store = { progress: () => { throw new Error('SQLITE_BUSY'); } } as unknown as JobStore;
  const meter = jobProgressMeter(job, new EventBus(), store);
  assert.doesNotThrow(() => meter(1, 2));
});

test('a running job that waited for a device says so no more once its bytes arrive (a real job row): its note cleared, and said', () => {
  const tmp = tempDir('vss-job-progress-');
  const lib = new Installation({ dataDir: join(tmp.path, 'data') }).createLibrary('Home', join(tmp.path, 'lib'));
  try {
    const jobs = lib.store.jobs;
    const content = randomUUID();
    jobs.enqueueUrgent({ kind: 'content-get', contentUuid: content, priority: 0, maxAttempts: 5, bytes: 1000, params: '{}' });
    const first = jobs.openOf('content-get', content)[0]!;
    assert.ok(jobs.markRunning(first.id));
    // It found no holder online: waits, no attempt spent (get-original-job.ts).
    assert.ok(jobs.requeue(jobs.get(first.id)!, 0, 'waiting for Laptop to connect (content is held by Laptop, none of them online now)'));
    assert.ok(jobs.markRunning(first.id));
    const row = jobs.get(first.id)! as JobRow;
    assert.match(row.note ?? '', /^waiting for Laptop/);
    const said: Array<string | null | undefined> = [];
    lib.events.on('jobs:job', (j) => said.push(j.note));
    const meter = jobProgressMeter(row, lib.events, jobs);
    meter(0, 1000);
    assert.match(jobs.get(first.id)!.note ?? '', /^waiting for Laptop/, 'connected, nothing received yet: still its note');
    meter(64, 1000);
    assert.equal(jobs.get(first.id)!.note, null, 'bytes arrive: what it waited for is said no more');
    assert.deepEqual(said, [null]);
    assert.equal(jobs.get(first.id)!.done_bytes, 64);
  } finally {
    lib.close();
    tmp.cleanup();
  }
});
