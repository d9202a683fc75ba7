import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../db/connection.js';
import { migrate } from '../db/migrations.js';
import { ActionStore, type NewAction } from './actions.js';
import { DeviceStore } from './devices.js';
import { JobStore } from './jobs.js';

function stores() {
  const db = openDatabase(':memory:');
  migrate(db, ':memory:');
  const device = new DeviceStore(db).upsertSelf({ uuid: 'd-1', name: 'laptop', publicKey: 'k' });
  return { actions: new ActionStore(db), jobs: new JobStore(db), device };
}

const action = (device: number, more: Partial<NewAction> = {}): NewAction => ({
  device_id: device, op: 'copy', files: 2, bytes: 10, sources: '["/a/x"]', source_count: 1, target: '/b', job_id: null, started_at: 1, outcome: 'queued', ...more,
});

/** A job queued as a user's file operation is: its id. */
function queueJob(jobs: JobStore, kind = 'files-copy'): number {
  jobs.enqueueUrgent({ kind, contentUuid: null, priority: 0, maxAttempts: 3 });
  return jobs.list({ kind }).at(-1)!.id;
}

describe('actions (the action log)', () => {
  it('keeps the newest KEEP rows, pruning as it adds; listed newest first with the device', () => {
    const { actions, device } = stores();
    const ids = Array.from({ length: 25 }, (_, i) => actions.add(action(device, { started_at: i }), 10));
    assert.equal(actions.count(), 10);
    const listed = actions.list(100);
    assert.deepEqual(listed.map((a) => a.id), ids.slice(-10).reverse());
    assert.equal(listed[0]!.device_uuid, 'd-1');
    assert.equal(listed[0]!.device_name, 'laptop');
    assert.deepEqual(actions.list(3).map((a) => a.id), ids.slice(-3).reverse());
  });

  it('an action with a job follows it: running, and ended as the job ended, with its reason', () => {
    const { actions, jobs, device } = stores();
    const id = queueJob(jobs);
    const a = actions.add(action(device, { job_id: id }), 100);
    assert.ok(jobs.markRunning(id, 5));
    assert.equal(actions.get(a)!.outcome, 'running');
    // A runner killed mid-way leaves it running; the next one queues it again, then it ends.
    jobs.requeueInterrupted(id, 'interrupted');
    assert.deepEqual([actions.get(a)!.outcome, actions.get(a)!.reason], ['queued', 'interrupted']);
    jobs.markRunning(id, 6);
    const token = jobs.get(id)!.run_token;
    jobs.complete({ id, run_token: token }, 'copy: 2 files done, 0 skipped', 9, JSON.stringify({ skipped: 0 }));
    const ended = actions.get(a)!;
    assert.deepEqual([ended.outcome, ended.reason, ended.finished_at], ['done', 'copy: 2 files done, 0 skipped', 9]);
  });

  it('a job that skipped some is partial; a failed one carries its error; a cancelled one its end', () => {
    const { actions, jobs, device } = stores();
    const [j1, j2, j3] = [queueJob(jobs), queueJob(jobs), queueJob(jobs)];
    const [a1, a2, a3] = [j1, j2, j3].map((j) => actions.add(action(device, { job_id: j }), 100));
    for (const j of [j1, j2]) jobs.markRunning(j!, 5);
    jobs.complete({ id: j1!, run_token: jobs.get(j1!)!.run_token }, 'copy: 1 file done, 1 skipped', 7, JSON.stringify({ skipped: 1 }));
    jobs.fail({ id: j2!, run_token: jobs.get(j2!)!.run_token }, 'the destination is full', 8);
    jobs.cancel(j3!, ['queued'], 9);
    assert.deepEqual([a1, a2, a3].map((a) => [actions.get(a!)!.outcome, actions.get(a!)!.reason, actions.get(a!)!.finished_at]), [
      ['partial', 'copy: 1 file done, 1 skipped', 7],
      ['failed', 'the destination is full', 8],
      ['cancelled', null, 9],
    ]);
    // Retried, the failed one is open again, and its job pruned later leaves it as it ended.
    jobs.requeueFresh(j2!, ['failed'], 'retried');
    assert.deepEqual([actions.get(a2!)!.outcome, actions.get(a2!)!.finished_at], ['queued', null]);
    jobs.markRunning(j2!, 10);
    jobs.complete({ id: j2!, run_token: jobs.get(j2!)!.run_token }, 'done', 11, 'not json');
    jobs.prune(Date.now() + 1000);
    assert.equal(jobs.get(j2!), undefined);
    assert.equal(actions.get(a2!)!.outcome, 'done');
  });

  it('ends an action done without a job as told', () => {
    const { actions, device } = stores();
    const a = actions.add(action(device, { op: 'get', outcome: 'running' }), 100);
    actions.end(a, 'failed', 'no copy is readable', 42);
    assert.deepEqual([actions.get(a)!.outcome, actions.get(a)!.reason, actions.get(a)!.finished_at], ['failed', 'no copy is readable', 42]);
  });
});
