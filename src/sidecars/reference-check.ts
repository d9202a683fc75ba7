import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import type { Statement } from 'better-sqlite3';
import type { Library } from '../library/library.js';

/** Is a reference sidecar's file still where its entry says? */
export type ReferenceState = 'present' | 'gone' | 'unknown';

/**
 * Looks at a reference sidecar's source file without touching it. `unknown` when this device
 * cannot tell: the entry belongs to another device's location, or the location's folder is not
 * there at all (an unplugged drive is offline, not empty) — such rows are left as they are.
 */
export class ReferenceChecker {
  private readonly entry: Statement;
  /** Location id → is its folder reachable; a handful of locations, checked once per run. */
  private readonly online = new Map<number, boolean>();

  constructor(private readonly lib: Library) {
    this.entry = lib.db.prepare(
      'SELECT e.rel_path, e.location_id, l.path AS loc, l.device_id FROM entries e JOIN locations l ON l.id = e.location_id WHERE e.id = ?',
    );
  }

  state(sourceEntryId: number | null): ReferenceState {
    if (sourceEntryId === null) return 'gone'; // its entry was deleted (ON DELETE SET NULL)
    const e = this.entry.get(sourceEntryId) as { rel_path: string; location_id: number; loc: string; device_id: number } | undefined;
    if (!e) return 'gone';
    if (e.device_id !== this.lib.deviceId) return 'unknown';
    try {
      let online = this.online.get(e.location_id);
      if (online === undefined) {
        online = lstatSync(e.loc, { throwIfNoEntry: false })?.isDirectory() ?? false;
        this.online.set(e.location_id, online);
      }
      if (!online) return 'unknown';
      const st = lstatSync(join(e.loc, ...e.rel_path.split('/')), { throwIfNoEntry: false });
      return st?.isFile() ? 'present' : 'gone';
    } catch {
      return 'unknown'; // unreadable (permissions): not evidence that the file is gone
    }
  }
}
