import { setImmediate as yieldTurn } from 'node:timers/promises';
import type { Logger } from 'pino';
import { childLog } from '../core/log.js';
import type { Library } from '../library/library.js';
import { deviceType, effectivePolicy } from '../jobs/policy.js';
import { sidecarAddress, type SidecarAddress } from '../sidecars/address.js';
import type { SidecarKind } from '../sidecars/kinds.js';
import { userIsAsking } from './prefetch-foreground.js';
import type { SidecarFetcher } from './resolver-fetcher.js';
import type { SyncSettings } from './sync-settings.js';

export interface PrefetchOptions {
  lib: Library;
  fetcher: SidecarFetcher;
  /** The device's sync settings, read at each pass (a getter follows changes at once). */
  settings: SyncSettings | (() => SyncSettings);
  log?: Logger;
  /** Between passes when nothing kicks (default 60 s). */
  intervalMs?: number;
  /** Addresses per fetch call (default 64: ~1.3 MB of thumbnails; see prefetch-foreground.ts). */
  batchSize?: number;
  /** After a failed fetch, the address waits this long before it is tried again (default 5 min; a kick does not shorten it). */
  retryAfterMs?: number;
}

export interface PrefetchStatus {
  passes: number;
  fetched: number;
  bytes: number;
  failed: number;
  /** Wanted but no connected peer has it now (offline peers): tried again on the next pass. */
  waiting: number;
  /** Whether the last pass stopped at the disk budget. */
  budgetReached: boolean;
  running: boolean;
}

export interface Prefetch {
  /** Look now: peers' availability changed, a peer connected, settings changed. */
  kick(): void;
  /** Stop: batches in flight are aborted; resolves when the loop has ended. */
  stop(): Promise<void>;
  status(): PrefetchStatus;
}

const PAGE = 1000;
const YIELD_EVERY = 50;
/** A pass that was kicked while it ran is followed by another after this pause, not at once. */
const KICK_GAP_MS = 250;

/**
 * Background prefetch (DESIGN §9, seed 002's defaults): the eager kinds' variants that this
 * device's generation policy wants, of contents this library knows, that a connected peer has ready
 * and this device has not (nor is making now), fetched in batches at priority `prefetch` (the
 * Fetcher puts user requests and jobs first). Bounded by `maxConcurrent` batches in flight (one
 * while a user is asking for sidecars: prefetch-foreground.ts), by
 * `bandwidthBytesPerSec` (its own pace, besides the Fetcher's limit) and by `diskBudgetBytes`,
 * counted as the bytes of ready sidecars recorded `fetched` in this library (whoever fetched them:
 * prefetch, a user, a job) plus what is in flight: a pass stops before a batch would go over.
 * Offline peers are no error: what no connected peer has waits for the next pass or kick.
 */
export function startPrefetch(opts: PrefetchOptions): Prefetch {
  const { lib, fetcher } = opts;
  const log = opts.log ?? childLog('prefetch');
  const settingsOf = typeof opts.settings === 'function' ? opts.settings : () => opts.settings as SyncSettings;
  const intervalMs = opts.intervalMs ?? 60_000;
  const batchSize = opts.batchSize ?? 64;
  const retryAfterMs = opts.retryAfterMs ?? 5 * 60_000;
  const stopper = new AbortController();
  const status: PrefetchStatus = { passes: 0, fetched: 0, bytes: 0, failed: 0, waiting: 0, budgetReached: false, running: false };
  /** Addresses whose fetch failed, and when they may be tried again. */
  const backoff = new Map<string, number>();
  let kicked = false;
  let wake: (() => void) | undefined;

  const { availability, sidecars } = lib.store;

  async function pass(settings: SyncSettings): Promise<void> {
    const p = settings.prefetch;
    const wanted = wantedVariants(lib, p.eager);
    if (wanted.size === 0) return;
    status.budgetReached = false;
    status.waiting = 0;
    const usedAtStart = sidecars.fetchedReadyBytes();
    let reserved = 0;
    const startedAt = Date.now();
    let launchedBytes = 0;
    const inflight = new Set<Promise<void>>();
    let batch: Array<{ a: SidecarAddress; size: number }> = [];

    const launch = async (items: Array<{ a: SidecarAddress; size: number }>) => {
      // A user asking now: one batch at a time, so their request is not queued behind ours.
      while (inflight.size >= (userIsAsking(lib) ? 1 : p.maxConcurrent)) await Promise.race([...inflight, sleep(100, stopper.signal)]);
      if (p.bandwidthBytesPerSec !== null) {
        // Paced over the pass: the next batch starts once what was launched fits the rate.
        const due = startedAt + (launchedBytes / p.bandwidthBytesPerSec) * 1000 - Date.now();
        if (due > 0) await sleep(due, stopper.signal);
      }
      if (stopper.signal.aborted) return;
      const size = items.reduce((n, i) => n + i.size, 0);
      launchedBytes += size;
      const run = fetcher.fetch(items.map((i) => i.a), { priority: 'prefetch', signal: stopper.signal }).then((outs) => {
        for (const o of outs) {
          if (o.ok) {
            status.fetched++;
            status.bytes += o.bytes;
          } else {
            status.failed++;
            backoff.set(keyOf(o.address), Date.now() + retryAfterMs);
            log.debug({ address: o.address, reason: o.reason }, 'prefetch of one sidecar failed; tried again later');
          }
        }
        // Failed ones are given back to the budget; fetched ones are counted by the next pass's sum.
        const sizes = new Map(items.map((i) => [keyOf(i.a), i.size]));
        for (const o of outs) if (!o.ok) reserved -= sizes.get(keyOf(o.address)) ?? 0;
      }, (err: Error) => {
        if (!stopper.signal.aborted) log.debug({ err: err.message }, 'a prefetch batch failed; tried again later');
        for (const i of items) backoff.set(keyOf(i.a), Date.now() + retryAfterMs);
        reserved -= size;
      }).finally(() => inflight.delete(run));
      inflight.add(run);
    };

    let cursor: [string, string, string] = ['', '', ''];
    outer: for (;;) {
      if (stopper.signal.aborted) break;
      const rows = availability.prefetchCandidates(JSON.stringify([...wanted.keys()]), cursor, PAGE);
      if (rows.length === 0) break;
      const last = rows[rows.length - 1]!;
      cursor = [last.c, last.k, last.v];
      const now = Date.now();
      let n = 0;
      for (const r of rows) {
        // A page is thousands of look-ups: let a user's request in between (it shares this event loop).
        if (++n % YIELD_EVERY === 0) await yieldTurn();
        const variants = wanted.get(r.k as SidecarKind)!;
        if (!variants.has('*') && !variants.has(r.v)) continue;
        let a: SidecarAddress;
        try {
          a = sidecarAddress(r.c, r.k, r.v, r.format ?? undefined);
        } catch {
          continue; // A peer's entry this version cannot name: not ours to fetch.
        }
        const until = backoff.get(keyOf(a));
        if (until !== undefined && until > now) continue;
        if (fetcher.sources(a).length === 0) {
          status.waiting++;
          continue;
        }
        const size = r.size ?? 0;
        if (usedAtStart + reserved + size > p.diskBudgetBytes) {
          // This one does not fit; a smaller one after it may.
          status.budgetReached = true;
          continue;
        }
        reserved += size;
        batch.push({ a, size });
        if (batch.length >= batchSize) {
          await launch(batch);
          batch = [];
        }
      }
    }
    if (batch.length > 0) await launch(batch);
    while (inflight.size > 0) await Promise.race(inflight);
    if (status.budgetReached) log.info({ budget: p.diskBudgetBytes }, 'prefetch stopped at the disk budget');
  }

  const loop = (async () => {
    while (!stopper.signal.aborted) {
      kicked = false;
      status.running = true;
      try {
        await pass(settingsOf());
        status.passes++;
      } catch (err) {
        // A busy or closed database: said once per pass, tried again at the next.
        if (!stopper.signal.aborted) log.warn({ err: (err as Error).message }, 'prefetch pass failed; trying again later');
      } finally {
        status.running = false;
      }
      if (stopper.signal.aborted) continue;
      if (kicked) {
        // Kicks during a pass (a digest arriving in pieces) make one more pass, a moment later.
        await sleep(KICK_GAP_MS, stopper.signal);
        continue;
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, intervalMs);
        function done() {
          clearTimeout(t);
          wake = undefined;
          stopper.signal.removeEventListener('abort', done);
          resolve();
        }
        wake = done;
        stopper.signal.addEventListener('abort', done, { once: true });
      });
    }
  })();

  return {
    kick() {
      kicked = true;
      wake?.();
    },
    async stop() {
      stopper.abort();
      await loop;
    },
    status: () => ({ ...status }),
  };
}

/**
 * What prefetch fetches into LIB under EAGER, as a JSON array of [kind, variant] (variant '*': any),
 * for counting what a device is still owed (`vss sync status`, the availability store's prefetchOwedBy).
 */
export function prefetchWanted(lib: Library, eager: readonly SidecarKind[]): string {
  return JSON.stringify([...wantedVariants(lib, eager)].flatMap(([k, vs]) => (vs.has('*') ? [[k, '*']] : [...vs].map((v) => [k, v]))));
}

/** The eager kinds' variants this device's generation policy wants: the library's for this device type and any of this device's locations' own. */
function wantedVariants(lib: Library, eager: readonly SidecarKind[]): Map<SidecarKind, Set<string>> {
  const dtype = deviceType();
  const specs = new Set<string | null>([null, ...lib.store.locations.ofDevice(lib.deviceId).flatMap((l) => (l.generation !== null ? [l.generation] : []))]);
  const out = new Map<SidecarKind, Set<string>>();
  for (const spec of specs) {
    let policy;
    try {
      policy = effectivePolicy({ location: spec, library: lib.config.settings.generation, deviceType: dtype });
    } catch {
      continue; // A location's bad spec is reported where it is set; it adds nothing here.
    }
    for (const k of eager) {
      const vs = policy[k];
      if (!vs?.length) continue;
      let set = out.get(k);
      if (!set) out.set(k, (set = new Set()));
      for (const v of vs) set.add(v);
    }
  }
  return out;
}

function keyOf(a: SidecarAddress): string {
  return `${a.contentUuid}/${a.kind}/${a.variant}`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
