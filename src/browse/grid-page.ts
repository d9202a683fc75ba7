import type { BrowseStore, TileRecord } from '../store/browse.js';
import { parseMetadata } from '../media/media-metadata.js';
import { SIDECAR_KINDS } from '../sidecars/kinds.js';
import type { GridItem, GridPage } from '../wire/browse.js';
import type { GridOrder } from './grid-order.js';

export type { GridItem, GridPage };

const THUMBED_KINDS: ReadonlySet<string> = new Set(SIDECAR_KINDS.thumb.from);

/** The tiles of ORDER from OFFSET, at most LIMIT: one read of those rows by id, whatever the offset. */
export function readGridPage(store: BrowseStore, order: GridOrder, offset: number, limit: number): GridPage {
  const ids = order.ids.subarray(Math.min(offset, order.ids.length), Math.min(offset + limit, order.ids.length));
  if (ids.length === 0) return { total: order.ids.length, version: order.version, items: [] };
  const rows = new Map<number, TileRecord>();
  for (const r of store.tiles(Array.from(ids))) rows.set(r.id, r);
  const items: GridItem[] = [];
  for (const id of ids) {
    const r = rows.get(id);
    // Gone since the order was read (a delete that raced this read): the next page read sees the new order.
    if (!r) continue;
    items.push(tileOf(r));
  }
  return { total: order.ids.length, version: order.version, items };
}

function tileOf(r: TileRecord): GridItem {
  const m = parseMetadata(r.media_metadata);
  return {
    content_uuid: r.uuid, name: r.name ?? '', kind: r.kind, mime: r.mime, day: r.day,
    captured_at: m?.captured_at ?? null, width: m?.width ?? null, height: m?.height ?? null, duration_s: m?.duration_s ?? null,
    live_photo: r.live === 1, thumb_checksum: r.thumb, has_thumb: r.thumb !== null || THUMBED_KINDS.has(r.kind),
  };
}
