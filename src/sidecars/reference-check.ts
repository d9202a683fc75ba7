import { lstatSync } from 'node:fs';
import { ConfinedRoot, PathRefusedError } from '../library/confine.js';
import type { Library } from '../library/library.js';

/** Is a reference sidecar's file still where its entry says? */
export type ReferenceState = 'present' | 'gone' | 'unknown';

/**
 * Looks at a reference sidecar's source file without touching it. `unknown` when this device
 * cannot tell: the entry belongs to another device's location, the location's folder is not
 * there at all (an unplugged drive is offline, not empty), or the row names a path vss refuses
 * (outside the locations added on this device) — such rows are left as they are.
 */
export class ReferenceChecker {
  /** Location id → its folder when trusted and reachable, else null; a handful of locations, checked once per run. */
  private readonly online = new Map<number, ConfinedRoot | null>();

  constructor(private readonly lib: Library) {}

  state(sourceEntryId: number | null): ReferenceState {
    if (sourceEntryId === null) return 'gone'; // its entry was deleted (ON DELETE SET NULL)
    const e = this.lib.store.entries.placeOf(sourceEntryId);
    if (!e) return 'gone';
    if (e.device_id !== this.lib.deviceId) return 'unknown';
    try {
      let root = this.online.get(e.location_id);
      if (root === undefined) {
        const trusted = this.lib.roots.tryLocation(e.location_id);
        root = trusted instanceof PathRefusedError || !lstatSync(trusted.root, { throwIfNoEntry: false })?.isDirectory() ? null : trusted;
        this.online.set(e.location_id, root);
      }
      if (!root) return 'unknown';
      const st = lstatSync(root.inFolder(e.rel_path), { throwIfNoEntry: false });
      return st?.isFile() ? 'present' : 'gone';
    } catch {
      return 'unknown'; // unreadable (permissions) or refused: not evidence that the file is gone
    }
  }
}
