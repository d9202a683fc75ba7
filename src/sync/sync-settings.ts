import { join } from 'node:path';
import { UsageError, VssError } from '../core/errors.js';
import { onDeviceSettingChange, readDeviceSettings, updateDeviceSettings } from '../jobs/cpu-budget.js';
import type { PrefetchClass } from '../sidecars/kind-spec.js';
import { isSidecarKind, SIDECAR_KIND_NAMES, SIDECAR_KINDS, type SidecarKind } from '../sidecars/kinds.js';
import { PREFER_VALUES, type Prefer } from './prefer.js';

export { PREFER_VALUES, type Prefer };

/**
 * This device's sync settings (DESIGN §9, seed 002's defaults): a device's, not a library's, kept
 * in the data dir's `device-settings.json` under `sync`, beside the CPU budget.
 */
export interface SyncSettings {
  /** fetch: from a peer before making it; generate: make it before fetching; auto: fetch unless no peer is reachable or making it is quicker. */
  prefer: Prefer;
  prefetch: PrefetchSettings;
}

export interface PrefetchSettings {
  /** Fetched in the background for contents this device knows. */
  eager: SidecarKind[];
  /** Fetched when asked for (a user's request, or a job of this device's policy that would make it). */
  lazy: SidecarKind[];
  /** Fetched only when a user asks for one (`sidecars get`, the web UI); a job makes them here. */
  never: SidecarKind[];
  /** Prefetch batches in flight at once. */
  maxConcurrent: number;
  /** Bytes per second for what this device fetches, and again for what it serves; null: unlimited. */
  bandwidthBytesPerSec: number | null;
  /** Most bytes of fetched sidecars this device keeps for the library (see prefetch.ts for how they are counted). */
  diskBudgetBytes: number;
}

function kindsPrefetched(c: PrefetchClass): SidecarKind[] {
  return SIDECAR_KIND_NAMES.filter((k) => SIDECAR_KINDS[k].prefetch === c);
}

export const DEFAULT_SYNC_SETTINGS: Readonly<SyncSettings> = Object.freeze({
  prefer: 'auto',
  prefetch: Object.freeze({
    // Each kind's class is its spec's (sidecars/kinds/).
    eager: kindsPrefetched('eager'),
    lazy: kindsPrefetched('lazy'),
    never: kindsPrefetched('never'),
    maxConcurrent: 3,
    bandwidthBytesPerSec: null,
    diskBudgetBytes: 2 * 1024 ** 3,
  }),
}) as Readonly<SyncSettings>;

/** A change: any field, the rest kept; `prefetch` fields one by one. */
export interface SyncSettingsPatch {
  prefer?: Prefer;
  prefetch?: Partial<PrefetchSettings>;
}

const KEY = 'sync';

/** This device's sync settings: its own where set, the defaults elsewhere. A bad hand-edited value is an error naming the field, never silently replaced. */
export function readSyncSettings(dataDir: string): SyncSettings {
  const own = readDeviceSettings(dataDir)[KEY];
  if (own === undefined) return copy(DEFAULT_SYNC_SETTINGS);
  try {
    return checkSyncSettings(merge(DEFAULT_SYNC_SETTINGS, asPatch(own)));
  } catch (err) {
    throw new VssError('USAGE', `device-settings.json: ${(err as Error).message}`, { path: join(dataDir, 'device-settings.json'), cause: err });
  }
}

/** Change some settings (validated as a whole before anything is written), or go back to the defaults with 'default'. A running daemon hears of it. */
export function writeSyncSettings(dataDir: string, patch: SyncSettingsPatch | 'default'): SyncSettings {
  let next: SyncSettings | undefined;
  if (patch !== 'default') next = checkSyncSettings(merge(readSyncSettings(dataDir), asPatch(patch)));
  updateDeviceSettings(dataDir, (s) => {
    if (next) s[KEY] = next;
    else delete s[KEY];
  });
  return readSyncSettings(dataDir);
}

/** Hear of sync settings changed in this process (the prefetcher and fetcher apply them). Returns the unsubscribe. */
export function onSyncSettingsChange(dataDir: string, fn: (s: SyncSettings) => void): () => void {
  return onDeviceSettingChange(dataDir, KEY, () => fn(readSyncSettings(dataDir)));
}

/** Every field checked; the error says which and what is allowed. */
export function checkSyncSettings(s: SyncSettings): SyncSettings {
  if (!(PREFER_VALUES as readonly string[]).includes(s.prefer)) throw new UsageError(`sync.prefer must be one of ${PREFER_VALUES.join(', ')}; got ${JSON.stringify(s.prefer)}`);
  const p = s.prefetch;
  const seen = new Map<string, string>();
  for (const list of ['eager', 'lazy', 'never'] as const) {
    const kinds: unknown = p[list];
    if (!Array.isArray(kinds)) throw new UsageError(`sync.prefetch.${list} must be a list of sidecar kinds (${SIDECAR_KIND_NAMES.join(', ')}); got ${JSON.stringify(kinds)}`);
    for (const k of kinds) {
      if (typeof k !== 'string' || !isSidecarKind(k)) throw new UsageError(`sync.prefetch.${list}: unknown sidecar kind ${JSON.stringify(k)}; kinds are ${SIDECAR_KIND_NAMES.join(', ')}`);
      const other = seen.get(k);
      if (other) throw new UsageError(`sync.prefetch: ${k} is in both ${other} and ${list}; a kind belongs to one`);
      seen.set(k, list);
    }
  }
  if (!(Number.isInteger(p.maxConcurrent) && p.maxConcurrent >= 1 && p.maxConcurrent <= 64)) {
    throw new UsageError(`sync.prefetch.maxConcurrent must be a whole number from 1 to 64; got ${JSON.stringify(p.maxConcurrent)}`);
  }
  if (p.bandwidthBytesPerSec !== null && !(Number.isInteger(p.bandwidthBytesPerSec) && p.bandwidthBytesPerSec >= 1024)) {
    throw new UsageError(`sync.prefetch.bandwidthBytesPerSec must be a whole number of bytes per second, at least 1024, or null for unlimited; got ${JSON.stringify(p.bandwidthBytesPerSec)}`);
  }
  if (!(Number.isSafeInteger(p.diskBudgetBytes) && p.diskBudgetBytes >= 0)) {
    throw new UsageError(`sync.prefetch.diskBudgetBytes must be a whole number of bytes, 0 or more; got ${JSON.stringify(p.diskBudgetBytes)}`);
  }
  return s;
}

function asPatch(raw: unknown): SyncSettingsPatch {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new UsageError(`sync settings must be an object; got ${JSON.stringify(raw)}`);
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) if (k !== 'prefer' && k !== 'prefetch') throw new UsageError(`unknown sync setting ${JSON.stringify(k)}; there are prefer and prefetch`);
  const pf = o.prefetch;
  if (pf !== undefined) {
    if (!pf || typeof pf !== 'object' || Array.isArray(pf)) throw new UsageError(`sync.prefetch must be an object; got ${JSON.stringify(pf)}`);
    const known = Object.keys(DEFAULT_SYNC_SETTINGS.prefetch);
    for (const k of Object.keys(pf)) if (!known.includes(k)) throw new UsageError(`unknown sync.prefetch setting ${JSON.stringify(k)}; there are ${known.join(', ')}`);
  }
  return o as SyncSettingsPatch;
}

function merge(base: Readonly<SyncSettings>, patch: SyncSettingsPatch): SyncSettings {
  const out = copy(base);
  if (patch.prefer !== undefined) out.prefer = patch.prefer;
  for (const [k, v] of Object.entries(patch.prefetch ?? {})) if (v !== undefined) (out.prefetch as unknown as Record<string, unknown>)[k] = v;
  // A kind put in one list leaves the lists the patch does not name (`--lazy thumb` moves thumb out of eager).
  const lists = ['eager', 'lazy', 'never'] as const;
  for (const named of lists) {
    const kinds = patch.prefetch?.[named];
    if (!Array.isArray(kinds)) continue;
    for (const other of lists) {
      if (other === named || patch.prefetch?.[other] !== undefined) continue;
      out.prefetch[other] = out.prefetch[other].filter((k) => !kinds.includes(k));
    }
  }
  return out;
}

function copy(s: Readonly<SyncSettings>): SyncSettings {
  return { prefer: s.prefer, prefetch: { ...s.prefetch, eager: [...s.prefetch.eager], lazy: [...s.prefetch.lazy], never: [...s.prefetch.never] } };
}
