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
  if (filter.locationId !== undefined) { copyWhere.push('l.id = ?'); copyArgs.push(filter.locationId); }
  const kindSql = filter.kind ? 'AND c.kind = ?' : '';
  const kindArgs = filter.kind ? [filter.kind] : [];
  const contents = lib.db.prepare(
    `SELECT c.id, c.uuid, c.cas_id, c.kind, c.mime, c.size FROM content_identities c
     WHERE c.id > ? ${kindSql}
       AND EXISTS (SELECT 1 FROM entries e JOIN locations l ON l.id = e.location_id WHERE ${copyWhere.join(' AND ')})
     ORDER BY c.id LIMIT ?`,
  );
  const copies = lib.db.prepare(
    `SELECT e.location_id AS loc, e.rel_path FROM entries e JOIN locations l ON l.id = e.location_id
     WHERE e.content_id = ? AND l.device_id = ? ${filter.locationId !== undefined ? 'AND l.id = ?' : ''}
     ORDER BY l.path, e.rel_path`,
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
    return rows.map((c) => {
      const paths = (copies.all(c.id, ...copyArgs) as Array<{ loc: number; rel_path: string }>).map((p) => pathOf(p.loc, p.rel_path)).filter((p): p is string => p !== null);
      return { key: c.id, item: { content_uuid: c.uuid, cas_id: c.cas_id, kind: c.kind, mime: c.mime, size: c.size, paths } };
    });
  };
}

/** Every content that has a copy on this device, read a page at a time. */
export function iterateContents(lib: Library, filter: ContentFilter = {}): Generator<ContentListItem> {
  return streamKeyed(contentReader(lib, filter));
}
