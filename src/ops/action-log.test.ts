import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { VssError } from '../core/errors.js';
import { Installation } from '../library/installation.js';
import { tempDir } from '../../test/helpers.js';
import { ActionLog } from './action-log.js';

describe('the action log as the facade keeps it', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());
  const vss = new Installation({ dataDir: join(tmp.path, 'data') });
  const lib = vss.createLibrary('L', join(tmp.path, 'lib'));
  after(() => lib.close());
  const newest = () => lib.store.actions.list(1)[0]!;
  const queue = () => {
    lib.store.jobs.enqueueUrgent({ kind: 'files-copy', contentUuid: null, priority: 0, maxAttempts: 3 });
    return lib.store.jobs.get(lib.store.fileOpItems.lastInsertedId())!;
  };

  it('a refusal: no size, no job, ended at once, its reason without a second "refused:"', () => {
    new ActionLog(lib, 'delete', { sources: ['/a/x'], target: null }).refused(new VssError('WRONG_STATE', 'refused: this is the last copy'));
    const a = newest();
    assert.deepEqual([a.op, a.outcome, a.reason, a.files, a.job_id, a.finished_at === a.started_at, a.device_uuid], ['delete', 'refused', 'this is the last copy', null, null, true, lib.device.uuid]);
  });

  it('a queued job: recorded with it, the first five sources shown, a long path cut keeping its end', () => {
    const long = `/a/${'d'.repeat(2000)}/name.jpg`;
    const sources = [long, '/a/2', '/a/3', '/a/4', '/a/5', '/a/6', '/a/7'];
    const job = new ActionLog(lib, 'copy', { sources, target: '/b/' }).queued({ files: 9, bytes: 90 }, queue);
    const a = newest();
    assert.deepEqual([a.job_id, a.outcome, a.files, a.bytes, a.source_count, a.target], [job.id, 'queued', 9, 90, 7, '/b/']);
    const shown = JSON.parse(a.sources) as string[];
    assert.equal(shown.length, 5);
    assert.equal(shown[0]!.length, 1000);
    assert.ok(shown[0]!.startsWith('…') && shown[0]!.endsWith('/name.jpg'));
  });

  it('a queue that refuses leaves no job and records a refusal', () => {
    const before = lib.store.jobs.counts().queued;
    assert.throws(() => new ActionLog(lib, 'get', { sources: ['c'], target: '/d' }).queued({ files: 1, bytes: 1 }, () => {
      queue();
      throw new VssError('USAGE', 'being copied into /e already');
    }), /already/);
    assert.equal(lib.store.jobs.counts().queued, before);
    assert.deepEqual([newest().op, newest().outcome, newest().reason], ['get', 'refused', 'being copied into /e already']);
  });

  it('work done at once: running while it runs, then done, failed, or cancelled when its signal was aborted', async () => {
    const log = new ActionLog(lib, 'get', { sources: ['c'], target: '/d' });
    assert.equal(await log.now({ files: 1, bytes: 5 }, undefined, async () => {
      assert.equal(newest().outcome, 'running');
      return 7;
    }), 7);
    assert.deepEqual([newest().outcome, typeof newest().finished_at], ['done', 'number']);
    await assert.rejects(log.now({ files: 1, bytes: 5 }, undefined, () => Promise.reject(new Error('no copy readable'))));
    assert.deepEqual([newest().outcome, newest().reason], ['failed', 'no copy readable']);
    const stop = new AbortController();
    await assert.rejects(log.now({ files: 1, bytes: 5 }, stop.signal, () => { stop.abort(); return Promise.reject(new Error('aborted')); }));
    assert.equal(newest().outcome, 'cancelled');
  });
});
