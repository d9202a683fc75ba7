import type { Library } from '../library/library.js';

/*
 * The locks on this device's copies (DESIGN §19, git-annex's `lockContentForRemoval`): another
 * device about to drop its own copy of a content asks this one to lock its file of it; while the
 * lock is held, this device refuses to delete, move or replace that file. And the files this
 * device is dropping now are marked going: a peer asking to lock one of them is refused, so two
 * devices dropping their copies of one content at once each find the other's copy unconfirmable,
 * and neither goes (no lock, no drop).
 *
 * In memory, per open library: a lock lasts no longer than the drop that asked it (its stream, or
 * its time limit), and a restart ends it as it ends that stream. A restarted device that then
 * drops its copy needs the other's copy locked in turn, which the other refuses while it drops.
 */

/** A file of this device as locks name it: its location's row id and its '/'-separated path there. */
export interface LockedFile {
  locationId: number;
  rel: string;
}

/** Longest a lock is held without being released or renewed. */
export const MAX_LOCK_MS = 5 * 60_000;

interface Held {
  by: string;
  until: number;
}

const keyOf = (f: LockedFile) => `${f.locationId}\0${f.rel}`;

export class CopyLocks {
  /** By file, its locks by id (a lock naming a file twice holds it once): a release touches only its own files. */
  private readonly held = new Map<string, Map<string, Held>>();
  private readonly going = new Map<string, number>();
  private next = 0;

  constructor(private readonly clock: () => number = Date.now) {}

  /**
   * Lock FILES for BY (a device's name, for the refusals it causes) for at most MS: each file is
   * held, or refused because this device is dropping it now. Returns the lock's id, the indices
   * of FILES held and the release (idempotent); release before the time runs out.
   */
  lock(files: readonly LockedFile[], by: string, ms = MAX_LOCK_MS): { id: string; held: number[]; going: number[]; release: () => void } {
    const id = `${process.pid}-${++this.next}`;
    const until = this.clock() + Math.min(ms, MAX_LOCK_MS);
    const held: number[] = [];
    const going: number[] = [];
    const keys = new Set<string>();
    files.forEach((f, i) => {
      const key = keyOf(f);
      if (this.going.has(key)) {
        going.push(i);
        return;
      }
      let locks = this.held.get(key);
      if (!locks) this.held.set(key, (locks = new Map()));
      locks.set(id, { by, until });
      keys.add(key);
      held.push(i);
    });
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      for (const key of keys) {
        const locks = this.held.get(key);
        locks?.delete(id);
        if (locks?.size === 0) this.held.delete(key);
      }
    };
    return { id, held, going, release };
  }

  /** Who holds a lock on FILE now (a device's name), or undefined. */
  lockedBy(file: LockedFile): string | undefined {
    const key = keyOf(file);
    const locks = this.held.get(key);
    if (!locks) return undefined;
    const now = this.clock();
    let by: string | undefined;
    for (const [id, h] of locks) {
      if (h.until <= now) locks.delete(id);
      else by ??= h.by;
    }
    if (locks.size === 0) this.held.delete(key);
    return by;
  }

  /**
   * Mark FILES going (this device drops them now): peers' locks on them are refused until the
   * returned end is called (idempotent). Marks nest: a file marked by two drops stays going until both end.
   */
  markGoing(files: readonly LockedFile[]): () => void {
    const keys = files.map(keyOf);
    for (const k of keys) this.going.set(k, (this.going.get(k) ?? 0) + 1);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      for (const k of keys) {
        const n = (this.going.get(k) ?? 1) - 1;
        if (n <= 0) this.going.delete(k);
        else this.going.set(k, n);
      }
    };
  }

  /** Whether FILE is being dropped by this device now. */
  isGoing(file: LockedFile): boolean {
    return this.going.has(keyOf(file));
  }
}

/** By library folder: every handle of one library in this process shares its locks. */
const registries = new Map<string, CopyLocks>();

/** The locks of LIB in this process (a library is open in one process at a time: its lock file). */
export function copyLocksOf(lib: Library): CopyLocks {
  let locks = registries.get(lib.root);
  if (!locks) registries.set(lib.root, (locks = new CopyLocks()));
  return locks;
}
