import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Installation } from '../library/installation.js';
import type { Library } from '../library/library.js';
import { sidecarAddress } from '../sidecars/address.js';
import { SidecarManager } from '../sidecars/manager.js';
import { tempDir } from '../../test/helpers.js';
import { prefetchWanted, startPrefetch, type Prefetch } from './prefetch.js';
import { foregroundRequest } from './prefetch-foreground.js';
import { deviceWithFolder, LibraryCopyFetcher, photos } from './resolver-test-peer.js';
import { DEFAULT_SYNC_SETTINGS, type SyncSettings } from './sync-settings.js';

const N = 8;

/** Wait until CHECK holds, looking every 20 ms, at most MS. */
async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('prefetch between two real libraries (B made grid and detail thumbnails and OCR; A knows the contents, made nothing)', () => {
  const tmp = tempDir();
  let a: { vss: Installation; lib: Library };
  let b: { vss: Installation; lib: Library };
  let peer: LibraryCopyFetcher;
  let running: Prefetch | undefined;
  const warnings: string[] = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
  const settings = (p: Partial<SyncSettings['prefetch']> = {}): SyncSettings => ({ prefer: 'auto', prefetch: { ...DEFAULT_SYNC_SETTINGS.prefetch, ...p } });
  const readyOf = (lib: Library) => new SidecarManager(lib).list({ status: 'ready' });
  const fetched = (kind = 'thumb') => readyOf(a.lib).filter((s) => s.kind === kind && s.source === 'fetched').length;
  /** B's ready grid thumbnails' sizes, by content and variant. */
  const gridSizes = () => readyOf(b.lib).filter((s) => s.kind === 'thumb' && (s.variant === 'grid@1x' || s.variant === 'grid@2x'))
    .sort((x, y) => (x.content_uuid + x.variant < y.content_uuid + y.variant ? -1 : 1)).map((s) => s.size!);
  /** A as it was before any fetch: none of its sidecars, nothing heard of B. */
  const forgetFetched = () => {
    const m = new SidecarManager(a.lib);
    for (const s of m.list()) {
      const address = sidecarAddress(s.content_uuid, s.kind, s.variant, s.format);
      m.markMissing(address, 'the test starts again');
      m.forgetOwed(address);
    }
  };

  before(async () => {
    const folder = join(tmp.path, 'photos');
    await photos(folder, N);
    b = await deviceWithFolder(tmp.path, 'b', folder, 'thumb=grid@1x+grid@2x+icon@1x', true);
    // A's policy (desktop default) wants grid@1x, grid@2x and detail@1x: icon@1x is not fetched.
    a = await deviceWithFolder(tmp.path, 'a', folder, 'none', false);
    a.lib.config.settings.generation = { desktop: 'thumb=grid@1x+grid@2x+detail@1x' };
  });
  beforeEach(() => {
    forgetFetched();
    a.lib.store.availability.dropDevice(b.lib.device.uuid);
    peer = new LibraryCopyFetcher(a.lib, b.lib);
    assert.equal(peer.announce(), 3 * N);
    warnings.length = 0;
  });
  after(async () => {
    await running?.stop();
    a.lib.close();
    b.lib.close();
    tmp.cleanup();
  });

  it('fetches the eager kind\'s wanted variants in batches at priority prefetch, and nothing else', async () => {
    running = startPrefetch({ lib: a.lib, fetcher: peer, settings: settings(), log, batchSize: 5 });
    await until(() => running!.status().passes >= 1, 20_000, 'a pass');
    await running.stop();
    running = undefined;
    assert.equal(fetched(), 2 * N);
    const variants = [...new Set(new SidecarManager(a.lib).list().map((s) => s.variant))].sort();
    assert.deepEqual(variants, ['grid@1x', 'grid@2x']);
    assert.ok(peer.calls.length >= (2 * N) / 5 && peer.calls.every((c) => c.priority === 'prefetch' && c.count <= 5));
  });

  it('says how many sidecars it still owes from a device (sync status): the wanted variants it has, down to none once fetched', async () => {
    const other = b.lib.device.uuid;
    const prefetchOwedBy = (lib: Library, device: string, eager: Array<'thumb' | 'ocr'>) => lib.store.availability.prefetchOwedBy(device, prefetchWanted(lib, eager));
    // Grid@1x and grid@2x of each content: icon@1x is not wanted here, OCR is no eager kind.
    assert.equal(prefetchOwedBy(a.lib, other, ['thumb']), 2 * N);
    assert.equal(prefetchOwedBy(a.lib, other, ['thumb', 'ocr']), 2 * N);
    assert.equal(prefetchOwedBy(a.lib, other, []), 0);
    assert.equal(prefetchOwedBy(a.lib, a.lib.device.uuid, ['thumb']), 0);
    running = startPrefetch({ lib: a.lib, fetcher: peer, settings: settings(), log });
    await until(() => running!.status().passes >= 1, 20_000, 'a pass');
    await running.stop();
    running = undefined;
    assert.equal(prefetchOwedBy(a.lib, other, ['thumb']), 0);
  });

  it('keeps to one batch in flight while a user is asking, up to maxConcurrent otherwise', async () => {
    const asking = foregroundRequest(a.lib);
    running = startPrefetch({ lib: a.lib, fetcher: peer, settings: settings({ maxConcurrent: 3 }), log, batchSize: 2 });
    await until(() => running!.status().passes >= 1, 20_000, 'a pass');
    asking();
    assert.equal(fetched(), 2 * N);
    assert.equal(peer.maxInFlight, 1);
    forgetFetched();
    // The request ended over a second ago: three at once again.
    await sleep(1100);
    running.kick();
    await until(() => running!.status().passes >= 2, 20_000, 'a second pass');
    await running.stop();
    running = undefined;
    assert.equal(fetched(), 2 * N);
    assert.equal(peer.maxInFlight, 3);
  });

  it('stops at the disk budget (ready fetched sidecars plus what is in flight)', async () => {
    const sizes = gridSizes();
    const budget = sizes[0]! + sizes[1]! + sizes[2]!;
    running = startPrefetch({ lib: a.lib, fetcher: peer, settings: settings({ diskBudgetBytes: budget }), log });
    await until(() => running!.status().passes >= 1, 20_000, 'a pass');
    assert.equal(running.status().budgetReached, true);
    assert.equal(fetched(), 3);
    const used = a.lib.store.sidecars.fetchedReadyBytes();
    assert.ok(used <= budget);
    // A kick does not go over it either.
    running.kick();
    await until(() => running!.status().passes >= 2, 20_000, 'a second pass');
    assert.equal(fetched(), 3);
    await running.stop();
    running = undefined;
  });

  it('an offline peer costs no errors: waits quietly, and a kick once it is back fetches everything', async () => {
    peer.connected = false;
    running = startPrefetch({ lib: a.lib, fetcher: peer, settings: settings(), log, intervalMs: 60_000 });
    await until(() => running!.status().passes >= 1, 20_000, 'a pass');
    assert.equal(fetched(), 0);
    assert.equal(running.status().waiting, 2 * N);
    assert.equal(running.status().failed, 0);
    assert.equal(peer.calls.length, 0);
    peer.connected = true;
    running.kick();
    await until(() => fetched() === 2 * N, 20_000, 'the fetches after the kick');
    await running.stop();
    running = undefined;
    assert.deepEqual(warnings, []);
  });

  it('a failing peer is not asked again for the same sidecars until their back-off ends', async () => {
    peer.failWith = 'the peer broke off';
    running = startPrefetch({ lib: a.lib, fetcher: peer, settings: settings(), log, retryAfterMs: 60_000 });
    await until(() => running!.status().passes >= 1, 20_000, 'a pass');
    assert.equal(running.status().failed, 2 * N);
    const calls = peer.calls.length;
    running.kick();
    await until(() => running!.status().passes >= 2, 20_000, 'a second pass');
    assert.equal(peer.calls.length, calls);
    await running.stop();
    running = undefined;
    assert.deepEqual(warnings, []);
  });

  it('keeps to the bandwidth: batches are paced by their announced bytes', async () => {
    const total = gridSizes().reduce((n, x) => n + x, 0);
    // At total/1.5 bytes per second, the last of 4 batches may start only ~1.1 s after the first.
    const rate = Math.max(1024, Math.floor(total / 1.5));
    const started = Date.now();
    running = startPrefetch({ lib: a.lib, fetcher: peer, settings: settings({ bandwidthBytesPerSec: rate }), log, batchSize: Math.ceil((2 * N) / 4) });
    await until(() => running!.status().passes >= 1, 20_000, 'a pass');
    const took = Date.now() - started;
    await running.stop();
    running = undefined;
    assert.equal(fetched(), 2 * N);
    const lastBatchBytes = total / 4;
    assert.ok(took >= ((total - lastBatchBytes) / rate) * 1000 * 0.9, `took ${took} ms`);
  });
});
