import type { Library } from '../../library/library.js';

interface LibraryScans {
  /** The tail of each location's chain of scans. */
  tails: Map<number, Promise<unknown>>;
  running: number;
}

const scans = new WeakMap<Library, LibraryScans>();

function of(lib: Library): LibraryScans {
  let s = scans.get(lib);
  if (!s) scans.set(lib, (s = { tails: new Map(), running: 0 }));
  return s;
}

/**
 * Run `work` after every scan (or removal) of this location already started or queued has
 * finished: two walks of one location at once would each take the other's rows for gone.
 * Whoever scans — a command, the API, the watcher — goes through here.
 */
export function serializeScan<T>(lib: Library, locationId: number, work: () => Promise<T>): Promise<T> {
  const s = of(lib);
  const before = s.tails.get(locationId) ?? Promise.resolve();
  const run = before.then(async () => {
    s.running++;
    try {
      return await work();
    } finally {
      s.running--;
    }
  });
  const tail = run.catch(() => undefined);
  s.tails.set(locationId, tail);
  void tail.then(() => { if (s.tails.get(locationId) === tail) s.tails.delete(locationId); });
  return run;
}

/** Scans of this library under way now (of any location). */
export function scansRunning(lib: Library): number {
  return scans.get(lib)?.running ?? 0;
}
