/**
 * `node dist/bench/sync-foreground-bench.js [--thumbs N] [--requests R] [--size BYTES] [--batch B] [--concurrent C]`
 * (B: addresses per prefetch batch, C: prefetch batches in flight; defaults: prefetch.ts's and the settings')
 *
 * Whether a user's request stays quick while the background fills a device (DESIGN §9: "a request
 * from a user always goes ahead of prefetch"; issue 10's target: p99 < 200 ms). Two real devices,
 * each in its own process as two daemons would be, talking over loopback (real PeerNodes, Noise +
 * Yamux, the real Fetcher and fetch protocol): A owns N thumbnails of contents B knows, which B's
 * prefetch fetches, and 2R more that B asks for one after another through `resolveSidecar`
 * (prefer fetch), each when the last answered. The anchor is R such requests with nothing else
 * running; the measure, R requests while the prefetch runs.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { generatorSettings } from '../src/jobs/settings.js';
import type { SidecarAddress } from '../src/sidecars/address.js';
import type { RemoteDevice } from '../src/sync/peer-link.js';
import { startPrefetch } from '../src/sync/prefetch.js';
import { resolveSidecar } from '../src/sync/resolver.js';
import { DEFAULT_SYNC_SETTINGS } from '../src/sync/sync-settings.js';
import { Fetcher } from '../src/sync/transfer/fetcher.js';
import { makeDevice } from '../test/sync-peers.js';
import { benchArgs, freshDir, rmrf, runMain } from './util.js';

interface Owned { address: SidecarAddress; size: number; checksum: string }
/** What the owner process tells the bench once its thumbnails are made and it serves them. */
interface OwnerReady { remote: RemoteDevice; address: string; libraryId: string; background: Owned[]; anchor: Owned[]; loaded: Owned[]; setupS: number }

function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
}

function nextMessage<T>(child: ChildProcess | NodeJS.Process, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no message from the other process within ${ms} ms`)), ms);
    child.once('message', (m) => {
      clearTimeout(t);
      resolve(m as T);
    });
  });
}

/** The owner, device A: makes its thumbnails, serves them, trusts the device the bench names. */
async function owner(): Promise<void> {
  const { root, thumbs, requests, size } = await nextMessage<{ root: string; thumbs: number; requests: number; size: number }>(process, 60_000);
  const a = await makeDevice(root, 'a');
  await a.serve();
  const t0 = Date.now();
  const own = (n: number): Owned[] => Array.from({ length: n }, () => {
    const address: SidecarAddress = { contentUuid: randomUUID(), kind: 'thumb', variant: 'grid@1x', format: 'webp' };
    const info = a.sidecars.writeGenerated(address, randomBytes(size), 'bench');
    return { address, size: info.size!, checksum: info.checksum! };
  });
  const ready: OwnerReady = {
    remote: a.asRemote(), address: a.node.addresses()[0]!, libraryId: a.lib.config.id,
    background: own(thumbs), anchor: own(requests), loaded: own(requests), setupS: (Date.now() - t0) / 1000,
  };
  process.send!(ready);
  const peer = await nextMessage<RemoteDevice>(process, 60_000);
  a.trusted.add(peer.peerId);
  a.remotes.set(peer.peerId, peer);
  process.send!('trusted');
  await nextMessage<string>(process, 3600_000);
  await a.stop();
  process.exit(0);
}

async function main(): Promise<void> {
  const args = benchArgs('sync-foreground-bench [--thumbs N] [--requests R] [--size BYTES] [--batch B] [--concurrent C]', {
    thumbs: { default: 10_000, min: 1 }, requests: { default: 300, min: 10 }, size: { default: 20 * 1024, min: 1 },
    batch: { default: 64, min: 1 }, concurrent: { default: DEFAULT_SYNC_SETTINGS.prefetch.maxConcurrent, min: 1 },
  }, []);
  const root = freshDir(tmpdir(), 'vss-sync-foreground-bench-');
  const child = fork(fileURLToPath(import.meta.url), ['--owner'], { stdio: 'inherit' });
  let b: Awaited<ReturnType<typeof makeDevice>> | undefined;
  try {
    child.send({ root, thumbs: args.thumbs, requests: args.requests, size: args.size });
    const a = await nextMessage<OwnerReady>(child, 30 * 60_000);
    console.log(`A (another process) made ${args.thumbs + 2 * args.requests} thumbnails of ${args.size} B in ${a.setupS.toFixed(1)} s`);
    b = await makeDevice(root, 'b', a.libraryId);
    const dev = b;
    dev.trusted.add(a.remote.peerId);
    dev.remotes.set(a.remote.peerId, a.remote);
    child.send(dev.asRemote());
    await nextMessage<string>(child, 60_000);
    await dev.node.connect(a.address, AbortSignal.timeout(10_000));

    // What availability exchange would have told B; B knows the contents of the prefetched
    // thumbnails (its own index would have put them in content_identities), not the others.
    const tell = dev.lib.store.availability.heardFrom(a.remote.deviceUuid, 0, Date.now());
    const know = dev.lib.db.prepare("INSERT INTO content_identities (uuid, cas_id, cas_version, kind, mime, size, created_at) VALUES (?, ?, 2, 'image', 'image/jpeg', 1000000, ?)");
    dev.lib.db.transaction(() => {
      for (const [set, known] of [[a.background, true], [a.anchor, false], [a.loaded, false]] as const) {
        for (const o of set) {
          tell.insert(o.address.contentUuid, o.address.kind, o.address.variant, o.address.format, o.size, o.checksum);
          if (known) know.run(o.address.contentUuid, randomUUID(), Date.now());
        }
      }
    })();

    const fetcher = new Fetcher(dev.store, dev.link());
    const settings = generatorSettings(dev.lib, dev.vss.dataDir);
    const ask = async (set: Owned[], during?: () => boolean): Promise<{ ms: number[]; during: number }> => {
      const ms: number[] = [];
      let inside = 0;
      for (const { address } of set) {
        const started = performance.now();
        const got = await resolveSidecar(dev.lib, address, { settings, fetcher, prefer: 'fetch', timeoutMs: 30_000 });
        ms.push(performance.now() - started);
        if (got.state !== 'fetched') throw new Error(`expected a fetch, got ${JSON.stringify(got)}`);
        if (during?.()) inside++;
        await sleep(5);
      }
      return { ms, during: inside };
    };

    const anchor = await ask(a.anchor);

    const prefetch = startPrefetch({
      lib: dev.lib, fetcher, batchSize: args.batch,
      settings: { prefer: 'fetch', prefetch: { ...DEFAULT_SYNC_SETTINGS.prefetch, maxConcurrent: args.concurrent, diskBudgetBytes: Number.MAX_SAFE_INTEGER } },
    });
    // Counted in memory: a count query per request would itself load the event loop measured here.
    const fetchedNow = () => prefetch.status().fetched;
    const pStart = Date.now();
    // Start asking once the prefetch is moving.
    while (fetchedNow() < Math.min(200, a.background.length) && Date.now() - pStart < 60_000) await sleep(10);
    const running = () => fetchedNow() < a.background.length;
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const loaded = await ask(a.loaded, running);
    loop.disable();
    while (running() && Date.now() - pStart < 600_000) await sleep(50);
    const pSecs = (Date.now() - pStart) / 1000;
    const pDone = fetchedNow();
    await prefetch.stop();
    fetcher.close();

    const row = (name: string, xs: number[]) => console.log(`  ${name.padEnd(30)} p50 ${percentile(xs, 50).toFixed(1).padStart(7)} ms   p99 ${percentile(xs, 99).toFixed(1).padStart(7)} ms   max ${Math.max(...xs).toFixed(1).padStart(7)} ms`);
    console.log(`\nforeground resolveSidecar on B (thumb ${args.size} B, prefer fetch, ${args.requests} requests one after another; prefetch batches of ${args.batch}, ${args.concurrent} in flight):`);
    row('anchor: nothing else running', anchor.ms);
    row('while the prefetch runs', loaded.ms);
    console.log(`  B's event loop delay meanwhile: p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms, max ${(loop.max / 1e6).toFixed(1)} ms`);
    console.log(`  requests answered while the prefetch was still running: ${loaded.during} of ${args.requests}`);
    console.log(`  prefetch: ${pDone} of ${a.background.length} thumbnails in ${pSecs.toFixed(1)} s (${(pDone / pSecs).toFixed(0)}/s, foreground requests included)`);
    const p99 = percentile(loaded.ms, 99);
    console.log(`  p99 during prefetch / anchor p99: ${(p99 / percentile(anchor.ms, 99)).toFixed(2)}×; target p99 < 200 ms: ${p99 < 200 ? 'met' : 'NOT met'}`);
  } finally {
    if (child.connected) child.send('stop');
    if (child.exitCode === null) await Promise.race([new Promise((r) => child.once('exit', r)), sleep(15_000)]);
    await b?.stop();
    rmrf(root);
  }
}

if (process.argv.includes('--owner')) {
  owner().catch((err) => {
    console.error(err);
    process.exit(1);
  });
} else {
  runMain(import.meta.url, main);
}
