import { VssError } from '../core/errors.js';
import { streamKeyed, type KeyedReader } from '../core/paging.js';
import { PathRefusedError, type ConfinedRoot } from '../library/confine.js';
import type { Library } from '../library/library.js';
import type { ContentKind } from './kinds.js';

export interface ContentListItem {
  content_uuid: string;
  cas_id: string;
  kind: string;
  mime: string;
  size: number;
  paths: string[];
}

export interface ContentFilter {
  kind?: ContentKind;
  locationId?: number;
}

/**
 * A reader of the contents that have a copy on this device, with the absolute paths of their
 * copies, LIMIT at a time after a content id (the key), so a million of them never sit in memory.
 */
export function contentReader(lib: Library, filter: ContentFilter = {}): KeyedReader<ContentListItem> {
  const copyWhere = ['e.content_id = c.id', 'l.device_id = ?'];
  const copyArgs: Array<string | number> = [lib.deviceId];
  if (filter.locationId !== undefined) {
    // An unknown location is a mistake to say, not an empty library.
    if (!lib.db.prepare('SELECT 1 FROM locations WHERE id = ? AND device_id = ?').get(filter.locationId, lib.deviceId)) {
      throw new VssError('NOT_FOUND', `no location with id ${filter.locationId} on this device`);
    }
    copyWhere.push('l.id = ?');
    copyArgs.push(filter.locationId);
  }
  const kindSql = filter.kind ? 'AND c.kind = ?' : '';
  const kindArgs = filter.kind ? [filter.kind] : [];
  const contents = lib.db.prepare(
    `SELECT c.id, c.uuid, c.cas_id, c.kind, c.mime, c.size FROM content_identities c
     WHERE c.id > ? ${kindSql}
       AND EXISTS (SELECT 1 FROM entries e JOIN locations l ON l.id = +e.location_id WHERE ${copyWhere.join(' AND ')})
     ORDER BY c.id LIMIT ?`,
  );
  // The copies of a whole page in one read, found by content id: `+e.location_id` keeps SQLite
  // off the (location, inode) index, which would read every entry of a location for each page.
  const copies = lib.db.prepare(
    `SELECT e.content_id AS id, e.location_id AS loc, e.rel_path FROM entries e JOIN locations l ON l.id = +e.location_id
     WHERE e.content_id IN (SELECT value FROM json_each(?)) AND l.device_id = ? ${filter.locationId !== undefined ? 'AND l.id = ?' : ''}
     ORDER BY e.content_id, l.path, e.rel_path`,
  );
  // A copy is shown only where vss may read it: in a location added on this device, by a path that stays inside it.
  const roots = new Map<number, ConfinedRoot | null>();
  const pathOf = (loc: number, rel: string): string | null => {
    if (!roots.has(loc)) {
      const root = lib.roots.tryLocation(loc);
      roots.set(loc, root instanceof PathRefusedError ? null : root);
    }
    try {
      return roots.get(loc)?.path(rel) ?? null;
    } catch {
      return null;
    }
  };
  return (afterId, limit) => {
    const rows = contents.all(afterId, ...kindArgs, ...copyArgs, limit) as Array<{ id: number; uuid: string; cas_id: string; kind: string; mime: string; size: number }>;
    if (rows.length === 0) return [];
    const paths = new Map<number, string[]>();
    for (const p of copies.all(JSON.stringify(rows.map((c) => c.id)), ...copyArgs) as Array<{ id: number; loc: number; rel_path: string }>) {
      const abs = pathOf(p.loc, p.rel_path);
      if (abs === null) continue;
      const list = paths.get(p.id);
      if (list) list.push(abs);
      else paths.set(p.id, [abs]);
    }
    return rows.map((c) => ({ key: c.id, item: { content_uuid: c.uuid, cas_id: c.cas_id, kind: c.kind, mime: c.mime, size: c.size, paths: paths.get(c.id) ?? [] } }));
  };
}

/** Every content that has a copy on this device, read a page at a time. */
export function iterateContents(lib: Library, filter: ContentFilter = {}): Generator<ContentListItem> {
  return streamKeyed(contentReader(lib, filter));
}
