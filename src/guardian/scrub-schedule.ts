import type { LocationRecord } from '../store/locations.js';
import type { ScrubRecord } from '../store/scrubs.js';

const DAY_MS = 24 * 3600 * 1000;

/**
 * When location LOC is due for a scrub, every EVERYDAYS days (0: never, null): a pass in progress
 * at once (it goes on), else its last pass's end plus the period, or, never scrubbed, the time it
 * was added plus the period (a new location was hashed whole as it was indexed).
 */
export function scrubDueAt(loc: Pick<LocationRecord, 'created_at'>, scrub: Pick<ScrubRecord, 'started_at' | 'done_at'> | undefined, everyDays: number): number | null {
  if (everyDays <= 0) return null;
  if (scrub?.started_at != null) return scrub.started_at;
  return (scrub?.done_at ?? loc.created_at) + everyDays * DAY_MS;
}

/** Of LOCATIONS (this device's, online), the one most overdue at NOW, or undefined when none is due. */
export function nextDue<L extends Pick<LocationRecord, 'id' | 'created_at'>>(locations: readonly L[], scrubs: ReadonlyMap<number, ScrubRecord>, everyDays: number, now: number): L | undefined {
  let best: { loc: L; due: number } | undefined;
  for (const loc of locations) {
    const due = scrubDueAt(loc, scrubs.get(loc.id), everyDays);
    if (due === null || due > now) continue;
    if (!best || due < best.due) best = { loc, due };
  }
  return best?.loc;
}
