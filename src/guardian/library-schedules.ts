import { UsageError } from '../core/errors.js';
import { readDeviceSettings, updateDeviceSettings } from '../jobs/cpu-budget.js';

/*
 * What the daemon does for a library on a schedule of this device (its backups, its protect): a
 * device's setting, since it is this device's folders, drives and buckets the work goes to, kept in
 * the data dir's `device-settings.json` under one field per kind of schedule, by library id.
 */

/** Longest period a schedule takes: a year. */
const MAX_EVERY_HOURS = 24 * 365;

/** --every's hours, refused before anything runs when they are not 1 to a year. */
export function checkEveryHours(hours: number): void {
  if (!(Number.isInteger(hours) && hours >= 1 && hours <= MAX_EVERY_HOURS)) throw new UsageError(`--every takes whole hours, 1 to ${MAX_EVERY_HOURS}, not ${String(hours)}`);
}

/** LIBRARYID's schedule under FIELD as the file has it (its fields unchecked), or undefined. */
export function readLibrarySchedule<T>(dataDir: string, field: string, libraryId: string): Partial<T> | undefined {
  return (readDeviceSettings(dataDir)[field] as Record<string, Partial<T>> | undefined)?.[libraryId];
}

/** LIBRARYID's schedule under FIELD made what EDIT returns from it (undefined: none), under the settings' lock. */
export function editLibrarySchedule<T>(dataDir: string, field: string, libraryId: string, edit: (now: T | undefined) => T | undefined): void {
  updateDeviceSettings(dataDir, (s) => {
    const all = { ...(s[field] as Record<string, T> | undefined) };
    const next = edit(all[libraryId]);
    if (next === undefined) delete all[libraryId];
    else all[libraryId] = next;
    s[field] = all;
  });
}
