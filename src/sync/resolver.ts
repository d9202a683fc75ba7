import { generatorFor } from '../generators/registry.js';
import type { GeneratorSettings } from '../generators/types.js';
import type { Library } from '../library/library.js';
import { sidecarAddress, type SidecarAddress } from '../sidecars/address.js';
import { canMake, SIDECAR_KIND_NAMES, SIDECAR_KINDS, type SidecarKind } from '../sidecars/kinds.js';
import { SidecarManager, type SidecarSource } from '../sidecars/manager.js';
import { sidecarFile } from '../sidecars/sidecar-file.js';
import type { FetchFirst } from '../jobs/job-kind.js';
import { queueSidecarJob } from '../jobs/queueing.js';
import { requestSidecar } from '../jobs/request-sidecar.js';
import { findSourceFile, metadataOf } from '../jobs/source-file.js';
import { foregroundRequest } from './prefetch-foreground.js';
import type { SidecarFetcher } from './resolver-fetcher.js';
import { generatorSettings } from '../jobs/settings.js';
import { readSyncSettings, type Prefer } from './sync-settings.js';

export type ResolveAnswer =
  | { state: 'local'; path: string; source: SidecarSource }
  | { state: 'fetched'; path: string; from: string }
  | { state: 'generated'; path: string }
  | { state: 'unavailable'; reason: string };

export interface ResolveOptions {
  /** This device's generator settings (engines, models): `generatorSettings(lib, dataDir)`. */
  settings: GeneratorSettings;
  /** The running peer service's fetcher; absent: no peer is asked. */
  fetcher?: SidecarFetcher;
  prefer?: Prefer;
  /** The whole answer's time, fetch and generation together (default 60 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 60_000;
/** Between tries of a fetch that may pass (a cut link): the first pause, doubled up to the last. */
const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 4_000;
/** How often a wait for a sidecar made by another process looks at its row (in-process changes wake it at once). */
const POLL_MS = 250;
/** How often a wait for a sidecar still pending queues its job again (a job that finished as it was asked for). */
const REQUEUE_MS = 1000;

/**
 * The resolver (DESIGN §9): where this sidecar can be had, in the device's order. A ready file here
 * (looked for on disk) → else, by PREFER, fetch it (priority `user`) from the best peer that has it
 * and/or generate it (its job queued at the foreground priority and waited for: the job work of
 * this process or the daemon makes it) → else unavailable, with every step's reason. Used by
 * `vss sidecars get` and the daemon's file route.
 */
export async function resolveSidecar(lib: Library, address: { contentUuid: string; kind: string; variant: string; format?: string }, opts: ResolveOptions): Promise<ResolveAnswer> {
  const a = sidecarAddress(address.contentUuid, address.kind, address.variant, address.format);
  const local = localFile(lib, a);
  if (local) return local;
  const ended = foregroundRequest(lib);
  try {
    return await resolveElsewhere(lib, a, opts);
  } finally {
    ended();
  }
}

/**
 * `resolveSidecar` with this device's settings (DATADIR): its generator settings (engines, models)
 * and where it prefers a sidecar from. FETCHER: the library link's, while peers are linked.
 */
export function resolveWithSettings(lib: Library, dataDir: string, address: { contentUuid: string; kind: string; variant: string }, opts: { fetcher?: SidecarFetcher; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ResolveAnswer> {
  return resolveSidecar(lib, address, { settings: generatorSettings(lib, dataDir), prefer: readSyncSettings(dataDir).prefer, ...opts });
}

/** Not here: fetch and/or generate, in the device's order. */
async function resolveElsewhere(lib: Library, a: SidecarAddress, opts: ResolveOptions): Promise<ResolveAnswer> {
  const deadline = Date.now() + (opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const sources = opts.fetcher?.sources(a) ?? [];
  const blocker = generationBlocker(lib, opts.settings, a);
  const reasons: string[] = [];
  const steps = order(opts.prefer ?? 'auto', lib, a, sources, blocker, opts.fetcher);
  for (const [i, step] of steps.entries()) {
    if (opts.signal?.aborted) break;
    if (step === 'fetch') {
      if (!opts.fetcher || (sources.length === 0 && !opts.fetcher.waitable?.(a))) {
        reasons.push(opts.fetcher ? 'no connected peer has it' : 'no peer is connected');
        continue;
      }
      // The last way to have it: sources are tried again, and waited for, until the time asked for is up.
      const last = blocker !== undefined || !steps.slice(i + 1).includes('generate');
      const got = await fetchOne(lib, opts.fetcher, a, deadline, last, opts.signal);
      if ('path' in got) return got;
      reasons.push(got.reason);
    } else {
      if (blocker !== undefined) {
        reasons.push(`it cannot be made here: ${blocker}`);
        continue;
      }
      // A fetch still to come after this step gets the second half of the time.
      const fetchAfter = steps.indexOf('fetch') > steps.indexOf('generate') && sources.length > 0;
      const until = fetchAfter ? Date.now() + (deadline - Date.now()) / 2 : deadline;
      const made = await generate(lib, opts.settings, a, until, opts.signal);
      if ('path' in made) return made;
      reasons.push(made.reason);
    }
  }
  if (opts.signal?.aborted) reasons.push('the request was cancelled');
  return { state: 'unavailable', reason: reasons.join('; ') };
}

/** The steps to try, in order. `auto`: fetch first unless no peer has it or making it is estimated quicker. */
function order(prefer: Prefer, lib: Library, a: SidecarAddress, sources: string[], blocker: string | undefined, fetcher: SidecarFetcher | undefined): Array<'fetch' | 'generate'> {
  if (prefer === 'fetch') return ['fetch', 'generate'];
  if (prefer === 'generate') return ['generate', 'fetch'];
  if (sources.length === 0) return ['generate', 'fetch'];
  if (blocker === undefined && estimateFetchMs(lib, a, sources[0]!, fetcher) > TYPICAL_GENERATION_MS[a.kind]) return ['generate', 'fetch'];
  return ['fetch', 'generate'];
}

/** The ready file here, checked now (there, of its recorded size). */
function localFile(lib: Library, a: SidecarAddress): ResolveAnswer | undefined {
  const f = sidecarFile(lib, a.contentUuid, a.kind, a.variant);
  if (f.state !== 'ready') return undefined;
  const source = managerOf(lib).get(a)?.source ?? 'generated';
  return { state: 'local', path: f.path, source };
}

/**
 * Fetch A (priority `user`). When RETRY (nothing else could have it after this), a failure that
 * may pass — a broken stream, a stall, a source that dropped off (a cut link, a restart) — is
 * tried again, and an offline source seen lately waited for, until DEADLINE: the time asked for.
 */
async function fetchOne(lib: Library, fetcher: SidecarFetcher, a: SidecarAddress, deadline: number, retry: boolean, signal: AbortSignal | undefined): Promise<ResolveAnswer | { reason: string }> {
  let reason: string | undefined;
  for (let pause = RETRY_FIRST_MS; ; pause = Math.min(2 * pause, RETRY_MAX_MS)) {
    const left = deadline - Date.now();
    if (left <= 0 || signal?.aborted) return { reason: reason ?? 'no time was left to fetch it' };
    if (fetcher.sources(a).length > 0) {
      const got = await fetchOnce(lib, fetcher, a, left, signal);
      if ('path' in got) return got;
      reason = got.reason;
      if (!retry || !('again' in got) || !got.again) return got;
    } else if (!retry || !fetcher.waitable?.(a)) {
      return { reason: reason ?? 'no connected peer has it' };
    } else {
      reason ??= 'the paired devices that have it are not connected';
    }
    fetcher.reconnect?.();
    await sleep(Math.min(pause, Math.max(0, deadline - Date.now())), signal);
  }
}

/** One fetch of A within LEFT ms; `again`: its failure may pass (the stream, not the source's word). */
async function fetchOnce(lib: Library, fetcher: SidecarFetcher, a: SidecarAddress, left: number, signal: AbortSignal | undefined): Promise<ResolveAnswer | { reason: string; again: boolean }> {
  const stop = AbortSignal.any([AbortSignal.timeout(left), ...(signal ? [signal] : [])]);
  try {
    const [out] = await fetcher.fetch([a], { priority: 'user', signal: stop });
    if (!out) return { reason: 'the fetch answered nothing', again: false };
    if (!out.ok) return { reason: `fetching it failed: ${out.reason}${out.tried.length ? ` (tried ${out.tried.join(', ')})` : ''}`, again: out.transient === true && !stop.aborted };
    // Made or fetched here meanwhile: the Fetcher answers with this device's own file.
    if (out.from === lib.device.uuid) return localFile(lib, a) ?? { reason: 'it became ready here, then was gone', again: false };
    // The fetcher verified and recorded it; serve what the library now says is there.
    const here = sidecarFile(lib, a.contentUuid, a.kind, a.variant);
    if (here.state !== 'ready') return { reason: `it was fetched from ${out.from} but is not ready here: ${here.reason}`, again: false };
    return { state: 'fetched', path: here.path, from: out.from };
  } catch (err) {
    if (stop.aborted && !signal?.aborted) return { reason: `fetching it timed out after ${Math.round(left)} ms`, again: false };
    return { reason: `fetching it failed: ${(err as Error).message}`, again: false };
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Why this device cannot make A now (no content here, not a kind made from it, no engine or model,
 * no source file), without queueing anything; undefined: it can.
 */
export function generationBlocker(lib: Library, settings: GeneratorSettings, a: SidecarAddress): string | undefined {
  const content = lib.store.contents.byUuid(a.contentUuid);
  if (!content) return 'no such content in this library';
  if (!canMake(a.kind, a.variant, content.kind)) return `a ${a.kind}/${a.variant} sidecar is not made from ${content.kind} content`;
  const manager = managerOf(lib);
  const never = manager.notApplicable(a);
  if (never !== undefined) return never;
  if (manager.get(a)?.status === 'failed') return `making it failed: ${manager.get(a)?.error ?? 'unknown error'}`;
  const gen = generatorFor(a.kind);
  if (!gen) return `this vss has no ${a.kind} generator`;
  if (!gen.accepts({ kind: content.kind, mime: content.mime, metadata: metadataOf(content.media_metadata) }, a.variant)) {
    return `a ${a.kind}/${a.variant} sidecar cannot be made from ${content.kind} content (${content.mime})`;
  }
  const av = gen.availability(settings);
  if (!av.ok) return av.reason;
  const found = findSourceFile(lib, content);
  if (found.path === undefined && !found.inBucket) return found.reason;
  return undefined;
}

/** Queue its job at the foreground priority (as `sidecars path` does) and wait until it is ready, failed or the time is up. */
async function generate(lib: Library, settings: GeneratorSettings, a: SidecarAddress, until: number, signal: AbortSignal | undefined): Promise<ResolveAnswer | { reason: string }> {
  const first = requestSidecar(lib, settings, a.contentUuid, a.kind, a.variant);
  if (first.state === 'ready') return { state: 'generated', path: first.path };
  if (first.state === 'unavailable') return { reason: `it cannot be made here: ${first.reason}` };
  const manager = managerOf(lib);
  const started = Date.now();
  await new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      clearTimeout(timer);
      off();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const settled = () => {
      const s = manager.get(a)?.status;
      return s === 'ready' || s === 'failed' || s === undefined;
    };
    // In-process job work tells at once; another process's (the daemon's) is seen at the next poll.
    const off = lib.events.on('sidecar:changed', (c) => {
      if (c.contentUuid === a.contentUuid && c.kind === a.kind && c.variant === a.variant && settled()) done();
    });
    signal?.addEventListener('abort', done, { once: true });
    let queuedAt = Date.now();
    const poll = () => {
      if (settled() || Date.now() >= until || signal?.aborted) return done();
      // Asked while its kind's job for this content was finishing: that job did not see it, and
      // none is open now; queue one (the runner's stranded-work net would, but only when idle).
      // Queueing is a no-op while a job is open; at most once a second, it is a write.
      if (manager.get(a)?.status === 'pending' && Date.now() - queuedAt >= REQUEUE_MS) {
        queuedAt = Date.now();
        queueSidecarJob(lib, a.contentUuid, a.kind);
      }
      timer = setTimeout(poll, Math.min(POLL_MS, Math.max(1, until - Date.now())));
    };
    poll();
  });
  const row = manager.get(a);
  if (row?.status === 'ready') {
    const f = sidecarFile(lib, a.contentUuid, a.kind, a.variant);
    if (f.state === 'ready') return row.source === 'fetched' ? { state: 'fetched', path: f.path, from: '' } : { state: 'generated', path: f.path };
    return { reason: `it was made but is not ready here: ${f.reason}` };
  }
  if (row?.status === 'failed') return { reason: `making it failed: ${row.error ?? 'unknown error'}` };
  if (signal?.aborted) return { reason: 'the request was cancelled while it was being made' };
  if (!row) return { reason: 'its request was dropped while waiting (its content left the library?)' };
  return { reason: `it was not made within ${Date.now() - started} ms (it stays queued; is the daemon or vss jobs run working the queue?)` };
}

/**
 * Typical time to make one sidecar of each kind on a desktop (ms), from the kinds' specs, against
 * which `auto` weighs a fetch: a rough figure is enough, the choice only matters when a peer is
 * slow or the file large.
 */
export const TYPICAL_GENERATION_MS: Readonly<Record<SidecarKind, number>> = Object.fromEntries(
  SIDECAR_KIND_NAMES.map((k) => [k, SIDECAR_KINDS[k].typicalMs]),
) as Record<SidecarKind, number>;

/** One manager per library: its compiled statements are kept (a foreground request is on the hot path). */
const managers = new WeakMap<Library, SidecarManager>();

function managerOf(lib: Library): SidecarManager {
  let m = managers.get(lib);
  if (!m) managers.set(lib, (m = new SidecarManager(lib)));
  return m;
}

/** Until a peer was measured: a LAN-ish guess. */
const ASSUMED = { bytesPerSec: 10_000_000, latencyMs: 100 };

/** Estimated ms to fetch A from DEVICE: its latency plus the announced size over its throughput, as the fetcher measured them. */
export function estimateFetchMs(lib: Library, a: SidecarAddress, device: string, fetcher?: SidecarFetcher): number {
  const row = lib.store.availability.of(a.contentUuid, a.kind, a.variant, device);
  const m = fetcher?.measured?.(device);
  const latencyMs = m && m.latencyMs >= 0 ? m.latencyMs : ASSUMED.latencyMs;
  const bytesPerSec = m && m.throughput > 0 ? m.throughput : ASSUMED.bytesPerSec;
  return (latencyMs + ((row?.size ?? 0) / bytesPerSec) * 1000) * 2 ** Math.min(m?.failStreak ?? 0, 10);
}

/**
 * Fetch-before-generate for LIB's job work (`jobs.startWork({ fetchFirst })`): a generation job
 * first fetches (priority `job`) the sidecars it owes that a connected peer has ready, so a second
 * device indexing the same folder makes nothing a peer already made. PREFER is read at each job
 * (a settings change applies at once): `generate` never fetches here; `auto` skips a sidecar whose
 * fetch is estimated slower than making it. A failed fetch is left to be made.
 */
export function fetchFirstWith(lib: Library, fetcher: SidecarFetcher, prefer: () => Prefer): FetchFirst {
  return async (addresses, signal) => {
    const p = prefer();
    if (p === 'generate') return new Set();
    const wanted = addresses.filter((a) => {
      const sources = fetcher.sources(a);
      return sources.length > 0 && (p === 'fetch' || estimateFetchMs(lib, a, sources[0]!, fetcher) <= TYPICAL_GENERATION_MS[a.kind]);
    });
    if (wanted.length === 0) return new Set();
    const outcomes = await fetcher.fetch(wanted, { priority: 'job', signal });
    return new Set(outcomes.filter((o) => o.ok).map((o) => o.address.variant));
  };
}
