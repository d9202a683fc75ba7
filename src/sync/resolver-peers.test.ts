import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startJobWork } from '../jobs/job-work.js';
import { runJobs } from '../jobs/run-jobs.js';
import { generatorSettings } from '../jobs/settings.js';
import { addLocation, scanLocation, setLocationPolicy } from '../locations/locations.js';
import { sidecarAddress } from '../sidecars/address.js';
import { SidecarManager } from '../sidecars/manager.js';
import { tempDir } from '../../test/helpers.js';
import { makeDevice, pairAndConnect, tellAvailability, type TestDevice } from '../../test/sync-peers.js';
import { startPrefetch } from './prefetch.js';
import { fetchFirstWith, resolveSidecar } from './resolver.js';
import { photos } from './resolver-test-peer.js';
import { DEFAULT_SYNC_SETTINGS } from './sync-settings.js';
import { Fetcher } from './transfer/fetcher.js';

const THUMBS = 'thumb=grid@1x+grid@2x';

/** Index FOLDER on DEVICE deep under GENERATION; run its jobs to idle when MAKE. */
async function index(d: TestDevice, folder: string, generation: string, make: boolean): Promise<number> {
  const loc = addLocation(d.lib, folder, { mode: 'deep', generation });
  await scanLocation(d.lib, loc.id, undefined, { generation: generatorSettings(d.lib, d.vss.dataDir) });
  if (make) await runJobs(d.lib, { dataDir: d.vss.dataDir, untilIdle: true, nice: false, concurrency: 1 });
  return loc.id;
}

const ready = (d: TestDevice) => new SidecarManager(d.lib).list({ status: 'ready' });

/** What availability exchange would tell TO of OWNER's ready sidecars. */
function tellAll(to: TestDevice, owner: TestDevice): number {
  const rows = ready(owner);
  for (const r of rows) tellAvailability(to, owner, sidecarAddress(r.content_uuid, r.kind, r.variant, r.format));
  return rows.length;
}

describe('resolver, fetch-before-generate and prefetch over two real PeerNodes on loopback (the real Fetcher)', () => {
  const tmp = tempDir();
  const folder = join(tmp.path, 'photos');
  let a: TestDevice; // made the thumbnails
  let b: TestDevice; // indexes the same folder, makes nothing
  let c: TestDevice; // knows the contents, prefetches
  let bLocation = 0;

  before(async () => {
    await photos(folder, 5);
    a = await makeDevice(tmp.path, 'a');
    b = await makeDevice(tmp.path, 'b', a.lib.config.id);
    c = await makeDevice(tmp.path, 'c', a.lib.config.id);
    await a.serve();
    await pairAndConnect(a, b);
    await pairAndConnect(a, c);
    await index(a, folder, THUMBS, true);
    assert.equal(tellAll(b, a), 10);
    assert.equal(tellAll(c, a), 10);
  });
  after(async () => {
    await Promise.all([a.stop(), b.stop(), c.stop()]);
    tmp.cleanup();
  });

  it('b resolves a thumbnail it never made: fetched from a, verified, then local', async () => {
    bLocation = await index(b, folder, 'none', false);
    const contentUuid = ready(a).map((r) => r.content_uuid).sort()[0]!;
    const fetcher = new Fetcher(b.store, b.link());
    try {
      const opts = { settings: generatorSettings(b.lib, b.vss.dataDir), fetcher, prefer: 'auto' as const, timeoutMs: 30_000 };
      const got = await resolveSidecar(b.lib, { contentUuid, kind: 'thumb', variant: 'grid@2x' }, opts);
      assert.equal(got.state, 'fetched', JSON.stringify(got));
      assert.ok(got.state === 'fetched');
      assert.equal(got.from, a.lib.device.uuid);
      assert.deepEqual(readFileSync(got.path), readFileSync(a.sidecars.get(sidecarAddress(contentUuid, 'thumb', 'grid@2x'))!.path!));
      assert.deepEqual(await resolveSidecar(b.lib, { contentUuid, kind: 'thumb', variant: 'grid@2x' }, opts), { state: 'local', path: got.path, source: 'fetched' });
    } finally {
      fetcher.close();
    }
  });

  it('b\'s generation jobs fetch every thumbnail a has ready: nothing is generated', async () => {
    setLocationPolicy(b.lib, bLocation, THUMBS);
    const { queueGeneration } = await import('../jobs/queueing.js');
    assert.ok(queueGeneration(b.lib, { settings: generatorSettings(b.lib, b.vss.dataDir) }).queued > 0);
    const fetcher = new Fetcher(b.store, b.link());
    const work = startJobWork(b.lib, { dataDir: b.vss.dataDir, cpuBudget: 1, pollMs: 50, fetchFirst: fetchFirstWith(b.lib, fetcher, () => 'auto') });
    try {
      await work.waitUntilIdle(AbortSignal.timeout(60_000));
    } finally {
      await work.stop();
      fetcher.close();
    }
    const sources = ready(b).filter((r) => r.kind === 'thumb').map((r) => r.source);
    assert.deepEqual(sources, Array(10).fill('fetched'));
  });

  it('c prefetches the thumbnails its policy wants; while a is not connected, it waits quietly', async () => {
    await index(c, folder, 'none', false);
    c.lib.config.settings.generation = { desktop: THUMBS };
    const fetched = () => ready(c).filter((r) => r.source === 'fetched').length;
    // As the fetcher sees a peer that went away: no connected device.
    const offline = new Fetcher(c.store, { connected: () => [], open: c.link().open });
    const idle = startPrefetch({ lib: c.lib, fetcher: offline, settings: { prefer: 'auto', prefetch: { ...DEFAULT_SYNC_SETTINGS.prefetch } } });
    try {
      const end = Date.now() + 30_000;
      while (idle.status().passes < 1 && Date.now() < end) await sleep(20);
      assert.deepEqual({ passes: idle.status().passes, waiting: idle.status().waiting, failed: idle.status().failed, fetched: fetched() }, { passes: 1, waiting: 10, failed: 0, fetched: 0 });
    } finally {
      await idle.stop();
      offline.close();
    }
    const fetcher = new Fetcher(c.store, c.link());
    const prefetch = startPrefetch({ lib: c.lib, fetcher, settings: { prefer: 'auto', prefetch: { ...DEFAULT_SYNC_SETTINGS.prefetch } } });
    try {
      const end = Date.now() + 30_000;
      while (fetched() < 10 && Date.now() < end) await sleep(20);
      assert.equal(fetched(), 10);
      assert.equal(prefetch.status().failed, 0);
    } finally {
      await prefetch.stop();
      fetcher.close();
    }
  });
});
