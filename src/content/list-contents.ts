import type { LibraryContentItem } from '../wire/library-view.js';
import { VssError } from '../core/errors.js';
import { streamKeyed, type KeyedReader } from '../core/paging.js';
import type { Library } from '../library/library.js';
import type { ContentKind } from './kinds.js';

/** A content with the paths of its copies on this device: `content list`'s item without the other devices' copies. */
export type ContentListItem = Omit<LibraryContentItem, 'copies'>;

export interface ContentFilter {
  kind?: ContentKind;
  locationId?: number;
}

/**
 * A reader of the contents that have a copy on this device, with the absolute paths of their
 * copies, LIMIT at a time after a content id (the key), so a million of them never sit in memory.
 */
export function contentReader(lib: Library, filter: ContentFilter = {}): KeyedReader<ContentListItem> {
  // An unknown location is a mistake to say, not an empty library.
  if (filter.locationId !== undefined && !lib.store.locations.ofDeviceById(filter.locationId, lib.deviceId)) {
    throw new VssError('NOT_FOUND', `no location with id ${filter.locationId} on this device`);
  }
  const listed = { deviceId: lib.deviceId, ...(filter.kind ? { kind: filter.kind } : {}), ...(filter.locationId !== undefined ? { locationId: filter.locationId } : {}) };
  // A copy is shown only where vss may read it.
  const pathOf = lib.roots.copyPaths();
  return (afterId, limit) => {
    const rows = lib.store.contents.listPage(listed, afterId, limit);
    if (rows.length === 0) return [];
    const paths = new Map<number, string[]>();
    // The copies of a whole page in one read.
    for (const p of lib.store.entries.copiesOf(rows.map((c) => c.id), lib.deviceId, filter.locationId)) {
      const abs = pathOf(p.location_id, p.rel_path);
      if (abs === null) continue;
      const list = paths.get(p.content_id);
      if (list) list.push(abs);
      else paths.set(p.content_id, [abs]);
    }
    return rows.map((c) => ({ key: c.id, item: { content_uuid: c.uuid, cas_id: c.cas_id, kind: c.kind, mime: c.mime, size: c.size, paths: paths.get(c.id) ?? [] } }));
  };
}

/** Every content that has a copy on this device, read a page at a time. */
export function iterateContents(lib: Library, filter: ContentFilter = {}): Generator<ContentListItem> {
  return streamKeyed(contentReader(lib, filter));
}
