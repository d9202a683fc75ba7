import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { setImmediate as yieldTurn } from 'node:timers/promises';
import { blake3 } from '@napi-rs/blake-hash';
import { writeFileAtomicSync } from '../core/fs-atomic.js';
import { Installation } from '../library/installation.js';
import type { Library } from '../library/library.js';
import { addLocation, scanLocation } from '../locations/locations.js';
import { runJobs } from '../jobs/run-jobs.js';
import { generatorSettings } from '../jobs/settings.js';
import { sidecarAbsPath, type SidecarAddress } from '../sidecars/address.js';
import { SidecarManager } from '../sidecars/manager.js';
import { sidecarFile } from '../sidecars/sidecar-file.js';
import type { FetchOutcome, FetchPriority, SidecarFetcher } from './resolver-fetcher.js';

/**
 * TESTS ONLY — a stand-in for the transfer helper's Fetcher (src/sync/transfer/fetcher.ts), which
 * was being built at the same time: it "fetches" from a second real library (another device's)
 * on the same machine, with no socket. It keeps the Fetcher's promises that the resolver and
 * prefetch rely on (a ready source only, bytes verified against the owner's checksum, written
 * atomically and recorded `fetched`), so their tests exercise real libraries, files and jobs.
 * Tests over two real PeerNodes use the real Fetcher instead.
 */
export class LibraryCopyFetcher implements SidecarFetcher {
  /** Whether the other device is "connected": when not, it is no source. */
  connected = true;
  /** When set, every fetch fails with this reason (a peer that breaks off). */
  failWith: string | undefined;
  readonly calls: Array<{ priority: FetchPriority; count: number }> = [];
  /** Most fetch calls running at once so far. */
  maxInFlight = 0;
  private inFlight = 0;
  private readonly manager: SidecarManager;

  constructor(private readonly into: Library, private readonly from: Library) {
    this.manager = new SidecarManager(into);
  }

  /** What the availability exchange would have done: the other device's ready sidecars as its entries in INTO. Returns how many. */
  announce(): number {
    const ready = new SidecarManager(this.from).list({ status: 'ready' });
    const heard = this.into.store.availability.heardFrom(this.from.device.uuid, 0, Date.now());
    this.into.store.transaction(() => {
      for (const r of ready) heard.heard(r.content_uuid, r.kind, r.variant, r.format, r.size, r.checksum);
    });
    return ready.length;
  }

  sources(a: SidecarAddress): string[] {
    if (!this.connected) return [];
    return this.into.store.availability.of(a.contentUuid, a.kind, a.variant, this.from.device.uuid)?.has === 1 ? [this.from.device.uuid] : [];
  }

  async fetch(addresses: SidecarAddress[], opts: { priority: FetchPriority; signal?: AbortSignal }): Promise<FetchOutcome[]> {
    this.calls.push({ priority: opts.priority, count: addresses.length });
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    try {
      const out: FetchOutcome[] = [];
      for (const a of addresses) {
        await yieldTurn();
        opts.signal?.throwIfAborted();
        out.push(this.copy(a));
      }
      return out;
    } finally {
      this.inFlight--;
    }
  }

  private copy(a: SidecarAddress): FetchOutcome {
    const device = this.from.device.uuid;
    if (!this.connected) return { address: a, ok: false, reason: 'not connected', tried: [] };
    if (this.failWith) return { address: a, ok: false, reason: this.failWith, tried: [device] };
    const f = sidecarFile(this.from, a.contentUuid, a.kind, a.variant);
    if (f.state !== 'ready') return { address: a, ok: false, reason: `the peer has no ready file: ${f.reason}`, tried: [device] };
    const data = readFileSync(f.path);
    const checksum = blake3(data).toString('hex');
    if (checksum !== f.checksum) return { address: a, ok: false, reason: 'checksum mismatch', tried: [device] };
    const to = sidecarAbsPath(this.into.root, { ...a, format: f.format });
    this.into.roots.library.makeFolder(dirname(to));
    writeFileAtomicSync(to, data);
    this.manager.record({ ...a, format: f.format }, { status: 'ready', source: 'fetched', size: data.length, checksum, sourceEntryId: null, error: null });
    return { address: a, ok: true, path: to, from: device, bytes: data.length };
  }
}

/** TESTS ONLY: a device (its own data dir and library) that indexed FOLDER deep under GENERATION, its jobs run to idle when MAKE. */
export async function deviceWithFolder(dir: string, name: string, folder: string, generation: string, make: boolean): Promise<{ vss: Installation; lib: Library }> {
  const vss = new Installation({ dataDir: join(dir, `${name}-data`) });
  const lib = vss.createLibrary(name, join(dir, `${name}-libs`));
  const loc = addLocation(lib, folder, { mode: 'deep', generation });
  await scanLocation(lib, loc.id, undefined, { generation: generatorSettings(lib, vss.dataDir) });
  if (make) await runJobs(lib, { dataDir: vss.dataDir, untilIdle: true, nice: false, concurrency: 1 });
  return { vss, lib };
}

/** TESTS ONLY: N small distinct PNG photos in FOLDER. */
export async function photos(folder: string, n: number): Promise<void> {
  mkdirSync(folder, { recursive: true });
  for (let i = 0; i < n; i++) {
    await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: (37 * i) % 256, g: 90, b: (11 * i) % 256 } } }).png().toFile(join(folder, `p${i}.png`));
  }
}
