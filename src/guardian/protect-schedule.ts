import type { ProtectSchedule } from '../wire/guardian.js';
import { checkEveryHours, editLibrarySchedule, readLibrarySchedule } from './library-schedules.js';

export type { ProtectSchedule };

/*
 * A library's protect on a schedule (`vss guardian protect --every HOURS`): the daemon runs the
 * same protect again that often, so the copies a policy asks for — an encrypted bucket off-site
 * most often — follow the photos added since without a cron line. A setting of this device, as
 * the library's backup schedule is (library-schedules.ts: under `guardian_protect`).
 */
const FIELD = 'guardian_protect';

/** LIBRARYID's protect schedule on this device, or null. */
export function readProtectSchedule(dataDir: string, libraryId: string): ProtectSchedule | null {
  const s = readLibrarySchedule<ProtectSchedule>(dataDir, FIELD, libraryId);
  if (!s || typeof s.every_hours !== 'number' || typeof s.last_at !== 'number') return null;
  return { to: typeof s.to === 'string' ? s.to : null, every_hours: s.every_hours, last_at: s.last_at };
}

/** Set LIBRARYID's schedule (its protect just started, at NOW), or with null end it; the schedule now. */
export function writeProtectSchedule(dataDir: string, libraryId: string, schedule: { to: string | null; every_hours: number } | null, now = Date.now()): ProtectSchedule | null {
  if (schedule) checkEveryHours(schedule.every_hours);
  editLibrarySchedule<ProtectSchedule>(dataDir, FIELD, libraryId, () => (schedule ? { to: schedule.to, every_hours: schedule.every_hours, last_at: now } : undefined));
  return readProtectSchedule(dataDir, libraryId);
}

/** Whether SCHEDULE's next protect is due at NOW (a clock set back counts as due: never a schedule stuck for years). */
export function protectDue(schedule: ProtectSchedule, now = Date.now()): boolean {
  const since = now - schedule.last_at;
  return since < 0 || since >= schedule.every_hours * 3600 * 1000;
}

/** LIBRARYID's schedule's protect started at NOW (the schedule otherwise unchanged; none: nothing). */
export function protectStarted(dataDir: string, libraryId: string, now = Date.now()): void {
  editLibrarySchedule<ProtectSchedule>(dataDir, FIELD, libraryId, (mine) => (mine ? { ...mine, last_at: now } : undefined));
}
