import type { statementCache } from '../store/statements.js';
import { parseMetadata } from '../media/media-metadata.js';
import { SIDECAR_KINDS } from '../sidecars/kinds.js';
import type { GridItem, GridPage } from '../wire/browse.js';
import { FIRST_NAME_SQL, type GridOrder } from './grid-order.js';

export type { GridItem, GridPage };

const THUMBED_KINDS: ReadonlySet<string> = new Set(SIDECAR_KINDS.thumb.from);

interface TileRow {
  id: number;
  uuid: string;
  kind: string;
  mime: string;
  media_metadata: string | null;
  day: string | null;
  name: string | null;
  thumb: string | null;
  live: number;
}

const TILE_SQL = `SELECT c.id, c.uuid, c.kind, c.mime, c.media_metadata, c.capture_day AS day, ${FIRST_NAME_SQL} AS name,
    (SELECT s.checksum FROM sidecars s WHERE s.content_uuid = c.uuid AND s.kind = 'thumb' AND s.variant = 'grid@1x' AND s.status = 'ready') AS thumb,
    EXISTS (SELECT 1 FROM sidecars s WHERE s.content_uuid = c.uuid AND s.kind = 'live_photo_video' AND s.status = 'ready') AS live
  FROM content_identities c WHERE c.id IN (SELECT value FROM json_each(?))`;

/** The tiles of ORDER from OFFSET, at most LIMIT: one read of those rows by id, whatever the offset. */
export function readGridPage(stmt: ReturnType<typeof statementCache>, order: GridOrder, offset: number, limit: number): GridPage {
  const ids = order.ids.subarray(Math.min(offset, order.ids.length), Math.min(offset + limit, order.ids.length));
  if (ids.length === 0) return { total: order.ids.length, version: order.version, items: [] };
  const rows = new Map<number, TileRow>();
  for (const r of stmt(TILE_SQL).all(JSON.stringify(Array.from(ids))) as TileRow[]) rows.set(r.id, r);
  const items: GridItem[] = [];
  for (const id of ids) {
    const r = rows.get(id);
    // Gone since the order was read (a delete that raced this read): the next page read sees the new order.
    if (!r) continue;
    items.push(tileOf(r));
  }
  return { total: order.ids.length, version: order.version, items };
}

function tileOf(r: TileRow): GridItem {
  const m = parseMetadata(r.media_metadata);
  return {
    content_uuid: r.uuid, name: r.name ?? '', kind: r.kind, mime: r.mime, day: r.day,
    captured_at: m?.captured_at ?? null, width: m?.width ?? null, height: m?.height ?? null, duration_s: m?.duration_s ?? null,
    live_photo: r.live === 1, thumb_checksum: r.thumb, has_thumb: r.thumb !== null || THUMBED_KINDS.has(r.kind),
  };
}
