import { useSyncExternalStore } from 'react';

/**
 * The explorer's cut and copy (issue 59, the keyboard's drag and drop): Ctrl+X or Ctrl+C hold the
 * picked entries (or the focused one), Ctrl+V in a folder of this device plans their move or copy
 * there, asked first as a drop is. Held across folders, as a file manager's clipboard is, and
 * only in this page: nothing is written to the system's clipboard.
 */
export interface Held {
  /** What the picks name to the daemon (paths here, contents elsewhere). */
  refs: string[];
  /** Cut: moved when pasted (and then let go); else copied. */
  cut: boolean;
}

let held: Held | null = null;
const listeners = new Set<() => void>();

export function hold(h: Held | null): void {
  held = h;
  for (const l of listeners) l();
}

export function heldNow(): Held | null {
  return held;
}

export function useHeld(): Held | null {
  return useSyncExternalStore((l) => {
    listeners.add(l);
    return () => listeners.delete(l);
  }, heldNow);
}
