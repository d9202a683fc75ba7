import { UsageError } from '../core/errors.js';
import { readDeviceSettings, updateDeviceSettings } from '../jobs/cpu-budget.js';
import type { ScrubSettings } from '../wire/guardian.js';

export type { ScrubSettings };

/** A scrub's read rate unless set: a disk's background share, far below what a disk reads (measured: bench/scrub-bench.ts). */
export const DEFAULT_SCRUB_RATE_MBPS = 50;
/** Each location is scrubbed at least this often unless set (0: never on its own). */
export const DEFAULT_SCRUB_EVERY_DAYS = 30;
const MAX_RATE_MBPS = 100_000;
const MAX_EVERY_DAYS = 3650;

/**
 * How this device scrubs (a device's setting, not a library's: it is this device's disks that are
 * read), kept in the data dir's `device-settings.json` under `scrub`: the read rate (MB/s, 0: no
 * limit) and how often each location is scrubbed by the daemon (days, 0: off).
 */
export function readScrubSettings(dataDir: string): ScrubSettings {
  const own = readDeviceSettings(dataDir).scrub as Partial<Record<keyof ScrubSettings, unknown>> | undefined;
  const rate = own?.rate_mbps;
  const every = own?.every_days;
  return {
    rate_mbps: typeof rate === 'number' && rate >= 0 && rate <= MAX_RATE_MBPS ? rate : DEFAULT_SCRUB_RATE_MBPS,
    every_days: typeof every === 'number' && Number.isInteger(every) && every >= 0 && every <= MAX_EVERY_DAYS ? every : DEFAULT_SCRUB_EVERY_DAYS,
  };
}

/** Change what CHANGE gives (the rest kept); the settings now. */
export function writeScrubSettings(dataDir: string, change: Partial<ScrubSettings>): ScrubSettings {
  if (change.rate_mbps !== undefined && !(Number.isFinite(change.rate_mbps) && change.rate_mbps >= 0 && change.rate_mbps <= MAX_RATE_MBPS)) {
    throw new UsageError(`the scrub rate is MB/s from 0 (no limit) to ${MAX_RATE_MBPS}, got ${String(change.rate_mbps)}`);
  }
  if (change.every_days !== undefined && !(Number.isInteger(change.every_days) && change.every_days >= 0 && change.every_days <= MAX_EVERY_DAYS)) {
    throw new UsageError(`a scrub every N days is a whole number from 0 (off) to ${MAX_EVERY_DAYS}, got ${String(change.every_days)}`);
  }
  updateDeviceSettings(dataDir, (s) => {
    s.scrub = { ...readScrubSettings(dataDir), ...change };
  });
  return readScrubSettings(dataDir);
}

/** The read rate in bytes a second (0: no limit). */
export function scrubRateBytes(s: ScrubSettings): number {
  return Math.round(s.rate_mbps * 1_000_000);
}
