/**
 * `node dist/bench/sync-foreground-bench.js [--thumbs N] [--requests R] [--size BYTES]`
 *
 * Whether a user's request stays quick while the background fills a device (DESIGN §9: "a request
 * from a user always goes ahead of prefetch"; issue 10's target: p99 < 200 ms). Two real devices on
 * loopback (real PeerNodes, Noise + Yamux, the real Fetcher and fetch protocol): A owns N
 * thumbnails of contents B knows, which B's prefetch fetches, and 2R more that B asks for one
 * after another through `resolveSidecar` (prefer fetch), each when the last answered. The anchor
 * is R such requests with nothing else running; the measure, R requests while the prefetch runs.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { generatorSettings } from '../src/jobs/settings.js';
import type { SidecarAddress } from '../src/sidecars/address.js';
import { startPrefetch } from '../src/sync/prefetch.js';
import { resolveSidecar } from '../src/sync/resolver.js';
import { DEFAULT_SYNC_SETTINGS } from '../src/sync/sync-settings.js';
import { Fetcher } from '../src/sync/transfer/fetcher.js';
import { makeDevice, pairAndConnect, tellAvailability } from '../test/sync-peers.js';
import { benchArgs, freshDir, rmrf, runMain } from './util.js';

function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
}

async function main(): Promise<void> {
  const args = benchArgs('sync-foreground-bench [--thumbs N] [--requests R] [--size BYTES]', {
    thumbs: { default: 10_000, min: 1 }, requests: { default: 300, min: 10 }, size: { default: 20 * 1024, min: 1 },
  }, []);
  const root = freshDir(tmpdir(), 'vss-sync-foreground-bench-');
  const a = await makeDevice(root, 'a');
  const b = await makeDevice(root, 'b', a.lib.config.id);
  try {
    await a.serve();
    await pairAndConnect(a, b);

    // A owns every thumbnail; B knows the contents of the prefetched ones (its own index would
    // have put them in content_identities), not those asked for in the foreground.
    const own = (n: number, known: boolean): SidecarAddress[] => {
      const out: SidecarAddress[] = [];
      const know = b.lib.db.prepare("INSERT INTO content_identities (uuid, cas_id, cas_version, kind, mime, size, created_at) VALUES (?, ?, 2, 'image', 'image/jpeg', 1000000, ?)");
      for (let i = 0; i < n; i++) {
        const address: SidecarAddress = { contentUuid: randomUUID(), kind: 'thumb', variant: 'grid@1x', format: 'webp' };
        a.sidecars.writeGenerated(address, randomBytes(args.size), 'bench');
        tellAvailability(b, a, address);
        if (known) know.run(address.contentUuid, randomUUID(), Date.now());
        out.push(address);
      }
      return out;
    };
    const t0 = Date.now();
    const background = own(args.thumbs, true);
    const anchorSet = own(args.requests, false);
    const loadedSet = own(args.requests, false);
    console.log(`set up ${args.thumbs + 2 * args.requests} thumbnails of ${args.size} B on A in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const fetcher = new Fetcher(b.store, b.link());
    const settings = generatorSettings(b.lib, b.vss.dataDir);
    const ask = async (addresses: SidecarAddress[], during?: () => boolean): Promise<{ ms: number[]; during: number }> => {
      const ms: number[] = [];
      let inside = 0;
      for (const address of addresses) {
        const started = performance.now();
        const got = await resolveSidecar(b.lib, address, { settings, fetcher, prefer: 'fetch', timeoutMs: 30_000 });
        ms.push(performance.now() - started);
        if (got.state !== 'fetched') throw new Error(`expected a fetch, got ${JSON.stringify(got)}`);
        if (during?.()) inside++;
        await sleep(5);
      }
      return { ms, during: inside };
    };

    const anchor = await ask(anchorSet);

    const prefetch = startPrefetch({ lib: b.lib, fetcher, settings: { prefer: 'fetch', prefetch: { ...DEFAULT_SYNC_SETTINGS.prefetch, diskBudgetBytes: Number.MAX_SAFE_INTEGER } } });
    // Counted in memory: a count query per request would itself load the event loop measured here.
    const fetchedNow = () => prefetch.status().fetched;
    const pStart = Date.now();
    // Start asking once the prefetch is moving.
    while (fetchedNow() < Math.min(200, background.length) && Date.now() - pStart < 60_000) await sleep(10);
    const running = () => fetchedNow() < background.length;
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const loaded = await ask(loadedSet, running);
    loop.disable();
    while (running() && Date.now() - pStart < 600_000) await sleep(50);
    const pSecs = (Date.now() - pStart) / 1000;
    const pDone = fetchedNow();
    await prefetch.stop();
    fetcher.close();

    const row = (name: string, xs: number[]) => console.log(`  ${name.padEnd(34)} p50 ${percentile(xs, 50).toFixed(1).padStart(7)} ms   p99 ${percentile(xs, 99).toFixed(1).padStart(7)} ms   max ${Math.max(...xs).toFixed(1).padStart(7)} ms`);
    console.log(`\nforeground resolveSidecar (thumb ${args.size} B, prefer fetch, ${args.requests} requests one after another):`);
    row('anchor: nothing else running', anchor.ms);
    row('while the prefetch runs', loaded.ms);
    console.log(`  this process's event loop delay meanwhile: p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms, max ${(loop.max / 1e6).toFixed(1)} ms`);
    console.log(`  requests answered while the prefetch was still running: ${loaded.during} of ${args.requests}`);
    console.log(`  prefetch: ${pDone} of ${background.length} thumbnails in ${pSecs.toFixed(1)} s (${(pDone / pSecs).toFixed(0)}/s, foreground requests included)`);
    const p99 = percentile(loaded.ms, 99);
    console.log(`  p99 during prefetch / anchor p99: ${(p99 / percentile(anchor.ms, 99)).toFixed(2)}×; target p99 < 200 ms: ${p99 < 200 ? 'met' : 'NOT met'}`);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    rmrf(root);
  }
}

runMain(import.meta.url, main);
