import { UsageError } from '../core/errors.js';
import { readDeviceSettings, updateDeviceSettings } from '../jobs/cpu-budget.js';
import type { ProtectSchedule } from '../wire/guardian.js';

export type { ProtectSchedule };

/**
 * A library's protect on a schedule (`vss guardian protect --every HOURS`): the daemon runs the
 * same protect again that often, so the copies a policy asks for — an encrypted bucket off-site
 * most often — follow the photos added since without a cron line. A device's setting (it is this
 * device's drives and buckets the copies go to), kept in the data dir's `device-settings.json`
 * under `guardian_protect`, by library id, as the library's backup schedule is (its shape:
 * `ProtectSchedule` of wire/guardian.ts).
 */
const FIELD = 'guardian_protect';
const MAX_EVERY_HOURS = 24 * 365;

/** LIBRARYID's protect schedule on this device, or null. */
export function readProtectSchedule(dataDir: string, libraryId: string): ProtectSchedule | null {
  const all = readDeviceSettings(dataDir)[FIELD] as Record<string, Partial<ProtectSchedule>> | undefined;
  const s = all?.[libraryId];
  if (!s || typeof s.every_hours !== 'number' || typeof s.last_at !== 'number') return null;
  return { to: typeof s.to === 'string' ? s.to : null, every_hours: s.every_hours, last_at: s.last_at };
}

/** Set LIBRARYID's schedule (its protect just started, at NOW), or with null end it; the schedule now. */
export function writeProtectSchedule(dataDir: string, libraryId: string, schedule: { to: string | null; every_hours: number } | null, now = Date.now()): ProtectSchedule | null {
  if (schedule) checkEvery(schedule.every_hours);
  updateDeviceSettings(dataDir, (s) => {
    const all = { ...(s[FIELD] as Record<string, ProtectSchedule> | undefined) };
    if (schedule) all[libraryId] = { to: schedule.to, every_hours: schedule.every_hours, last_at: now };
    else delete all[libraryId];
    s[FIELD] = all;
  });
  return readProtectSchedule(dataDir, libraryId);
}

/** --every's hours, refused before anything runs when they are not 1 to a year. */
export function checkEvery(hours: number): void {
  if (!(Number.isInteger(hours) && hours >= 1 && hours <= MAX_EVERY_HOURS)) throw new UsageError(`--every takes whole hours, 1 to ${MAX_EVERY_HOURS}, not ${String(hours)}`);
}

/** Whether SCHEDULE's next protect is due at NOW (a clock set back counts as due: never a schedule stuck for years). */
export function protectDue(schedule: ProtectSchedule, now = Date.now()): boolean {
  const since = now - schedule.last_at;
  return since < 0 || since >= schedule.every_hours * 3600 * 1000;
}

/** LIBRARYID's schedule's protect started at NOW (the schedule otherwise unchanged; none: nothing). */
export function protectStarted(dataDir: string, libraryId: string, now = Date.now()): void {
  updateDeviceSettings(dataDir, (s) => {
    const all = { ...(s[FIELD] as Record<string, ProtectSchedule> | undefined) };
    const mine = all[libraryId];
    if (!mine) return;
    all[libraryId] = { ...mine, last_at: now };
    s[FIELD] = all;
  });
}
