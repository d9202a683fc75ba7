import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { VssError } from '../../core/errors.js';
import type { JobRunContext } from '../../jobs/job-kind.js';
import { generatorSettings } from '../../jobs/settings.js';
import { TryAgainLater } from '../../jobs/transient.js';
import { Installation } from '../../library/installation.js';
import type { Library } from '../../library/library.js';
import { tempDir } from '../../../test/helpers.js';
import { DEVICE_WAIT_LIKE } from '../network-wait.js';
import type { RemoteDevice } from '../peer-link.js';
import { queueGet, runContentGet, type GetNetwork } from './get-original-job.js';

const LAPTOP = '00000000-0000-4000-8000-00000000000b';
const FILM = '00000000-0000-5000-8000-000000000001';

/**
 * Whether a `content get` spends a try (issue 46, D8): a copy through a relay that was down 3
 * minutes spent one at each look and failed for good. While no device holding the content is
 * reachable it waits, spending none; one that failed with a holder reachable (refused, cut off,
 * wrong bytes) spends one. A real library with the laptop's rows as a pull leaves them; the network
 * as the job sees it (which devices are connected, and what opening a stream to one does).
 */
describe('content get: a try is spent only when a device holding it was reached', () => {
  const tmp = tempDir('vss-get-tries-');
  let lib: Library;
  const dir = join(tmp.path, 'to');
  const laptop: RemoteDevice = { deviceUuid: LAPTOP, peerId: 'laptop-peer', name: 'Laptop', libraryIds: [], publicKey: '' };
  let redials = 0;

  /** The network with the laptop connected or not; a stream to it fails with OPENFAILS. */
  const network = (online: boolean, opts: { settling?: boolean; openFails?: Error } = {}): GetNetwork => ({
    connected: () => (online ? [laptop] : []),
    open: async () => { throw opts.openFails ?? new VssError('UNAVAILABLE', 'no stream'); },
    settling: () => opts.settling === true,
    redial: () => { redials++; },
  });
  const run = (net: GetNetwork) => {
    const job = queueGet(lib, { contentUuid: FILM, size: 1000, dir });
    const ctx = { lib, signal: new AbortController().signal, timeoutMs: 60_000, settings: generatorSettings(lib, join(tmp.path, 'data')), progress: () => undefined } as JobRunContext;
    return runContentGet(lib, net, job, ctx);
  };

  before(() => {
    mkdirSync(dir);
    lib = new Installation({ dataDir: join(tmp.path, 'data') }).createLibrary('G', tmp.path);
    laptop.libraryIds = [lib.config.id];
    const { store } = lib;
    store.transaction(() => {
      store.devices.upsertPeer({ uuid: LAPTOP, name: 'Laptop', publicKey: '', os: 'linux' }, Date.now());
      store.peerLocations.replace(LAPTOP, [{ location_id: 1, uuid: '00000000-0000-4001-8000-00000000000b', name: 'Films', path: '/home/me/Films', index_mode: 'content', files: 1, dirs: 0, bytes: 1000 }]);
      const ids = store.peerContents.putMany(LAPTOP, [{ content_uuid: FILM, cas_id: 'c1', cas_version: 1, kind: 'video', mime: 'video/mp4', size: 1000, media_metadata: null }]);
      store.peerEntries.putMany(LAPTOP, 1, '', [{ name: 'film.mp4', kind: 'file', size: 1000, mtime_ms: 0, content_uuid: FILM, verified_at: 1234 }], 1, ids);
    });
  });
  after(() => {
    lib.close();
    tmp.cleanup();
  });

  it('waits for the holder, spending none, while no device holding it is connected (and dials the paired devices)', async () => {
    const before = redials;
    const out = await run(network(false));
    assert.equal(out.state, 'wait');
    assert.match(out.state === 'wait' ? out.reason : '', /^waiting for Laptop to connect \(content .* is held by Laptop, none of them online now\)$/);
    assert.equal(redials, before + 1);
  });

  it('spends a try when the holder was reached and refused, or the copy from it broke off', async () => {
    await assert.rejects(run(network(true, { openFails: new VssError('PEER', 'Laptop refused: this device is not paired with it') })), (err: Error) => err instanceof TryAgainLater && /refused/.test(err.message));
    await assert.rejects(run(network(true, { openFails: new VssError('UNAVAILABLE', 'the device stopped after 11534336 of 31457280 bytes') })), TryAgainLater);
  });

  it('waits for this daemon\'s network, spending none, where it only just came up', async () => {
    const out = await run(network(true, { settling: true }));
    assert.equal(out.state, 'wait');
    assert.match(out.state === 'wait' ? out.reason : '', /^waiting for this device's network to come up/);
  });

  it('a device connecting wakes the jobs waiting for one; a job in its backoff after a failure keeps it', () => {
    const jobs = lib.store.jobs;
    const later = Date.now() + 60_000;
    const [waiting, backoff, other] = ['a', 'b', 'c'].map((c) => {
      assert.ok(jobs.enqueue({ kind: 'test-wake', contentUuid: `00000000-0000-5000-8000-00000000000${c}`, priority: 1, maxAttempts: 5 }));
      return jobs.list({ kind: 'test-wake' }).at(-1)!;
    });
    for (const j of [waiting!, backoff!, other!]) assert.ok(jobs.markRunning(j.id));
    const row = (id: number) => jobs.get(id)!;
    assert.ok(jobs.requeue(row(waiting!.id), later, 'waiting for Laptop to connect (none of them online now)'));
    assert.ok(jobs.retryLater(row(backoff!.id), 'Laptop refused', later));
    assert.ok(jobs.requeue(row(other!.id), later, 'waiting for the drive Backup'));
    assert.equal(jobs.wakeWaiting(DEVICE_WAIT_LIKE), 1);
    assert.ok(row(waiting!.id).run_after <= Date.now(), 'the waiting job runs now');
    assert.equal(row(backoff!.id).run_after, later, 'the failed one keeps its backoff');
    assert.equal(row(other!.id).run_after, later, 'one waiting for something else keeps waiting');
  });
});
