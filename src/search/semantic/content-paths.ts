import type { Library } from '../../library/library.js';
import { PathRefusedError } from '../../library/confine.js';

/**
 * The absolute paths of a content's copies on this device, where vss may read them.
 * (The same answer as search-index.ts gives its results; one function once that one is exported.)
 */
export function contentPaths(lib: Library, contentUuid: string): string[] {
  const rows = lib.db.prepare(
    `SELECT e.location_id AS loc, e.rel_path FROM entries e JOIN content_identities c ON c.id = e.content_id
       JOIN locations l ON l.id = +e.location_id WHERE c.uuid = ? AND l.device_id = ? ORDER BY l.path, e.rel_path`,
  ).all(contentUuid, lib.deviceId) as Array<{ loc: number; rel_path: string }>;
  const out: string[] = [];
  for (const r of rows) {
    const root = lib.roots.tryLocation(r.loc);
    if (root instanceof PathRefusedError) continue;
    try {
      out.push(root.path(r.rel_path));
    } catch {
      // outside its location: not shown
    }
  }
  return out;
}
