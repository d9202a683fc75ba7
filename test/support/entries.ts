/**
 * A library's entries as tests look at them: read through the entries store, the way a scan
 * reads them (folder by folder from each location's root), not with SQL of the test's own.
 */
import type { Library } from '../../src/library/library.js';
import type { ScannedEntry } from '../../src/store/entries.js';

/** Every entry of LOCATIONID (or of every location of this device), parents before children; the roots left out. */
export function entriesOf(lib: Library, locationId?: number): ScannedEntry[] {
  const out: ScannedEntry[] = [];
  const locations = locationId === undefined ? lib.store.locations.ofDevice(lib.deviceId).map((l) => l.id) : [locationId];
  for (const loc of locations) {
    const root = lib.store.entries.rootOf(loc);
    const todo = root === undefined ? [] : [root];
    while (todo.length > 0) {
      for (const e of lib.store.entries.children(todo.pop()!)) {
        out.push(e);
        if (e.kind === 'dir') todo.push(e.id);
      }
    }
  }
  return out;
}

/** The entry at REL ('/'-separated) in LOCATIONID (or in any location of this device). */
export function entryAt(lib: Library, rel: string, locationId?: number): ScannedEntry | undefined {
  return entriesOf(lib, locationId).find((e) => e.rel_path === rel);
}

/** The content uuid of the file at REL, if it has been identified. */
export function contentUuidAt(lib: Library, rel: string, locationId?: number): string | undefined {
  const id = entryAt(lib, rel, locationId)?.content_id;
  return id == null ? undefined : lib.store.contents.byId(id)?.uuid;
}
