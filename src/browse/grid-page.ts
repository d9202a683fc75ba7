import type { BrowseStore, RemoteTileRecord, TileRecord } from '../store/browse.js';
import { parseMetadata } from '../media/media-metadata.js';
import { SIDECAR_KINDS } from '../sidecars/kinds.js';
import type { GridItem, GridPage, GridStack } from '../wire/browse.js';
import type { GridOrder } from './grid-order.js';

export type { GridItem, GridPage };

const THUMBED_KINDS: ReadonlySet<string> = new Set(SIDECAR_KINDS.thumb.from);
const DAY_RE = /^[0-9]{4}-[01][0-9]-[0-3][0-9]/;

/**
 * The tiles of ORDER from OFFSET, at most LIMIT: one read of those rows by id, whatever the offset
 * (and one by uuid of those only paired devices hold), then which devices hold each. SELF: this
 * device's uuid.
 */
export function readGridPage(
  store: BrowseStore, order: GridOrder, offset: number, limit: number, self: string, copyCounts: (uuids: string[]) => ReadonlyMap<string, number>,
  /** Each stack's members by member (issue 45), as the order was narrowed with them: the one tile a stack has carries it. */
  stacks: () => ReadonlyMap<string, GridStack> = () => new Map(),
): GridPage {
  const ids = order.ids.subarray(Math.min(offset, order.ids.length), Math.min(offset + limit, order.ids.length));
  if (ids.length === 0) return { total: order.ids.length, version: order.version, items: [] };
  const local: number[] = [];
  const remote: string[] = [];
  for (const id of ids) {
    if (id > 0) local.push(id);
    else remote.push(order.remote[-id - 1]!);
  }
  const rows = new Map<number, TileRecord>();
  if (local.length > 0) for (const r of store.tiles(local)) rows.set(r.id, r);
  const remoteRows = new Map<string, RemoteTileRecord>();
  if (remote.length > 0) for (const r of store.remoteTiles(remote)) remoteRows.set(r.uuid, r);
  const items: GridItem[] = [];
  for (const id of ids) {
    const item = id > 0 ? localTile(rows.get(id), self) : remoteTile(remoteRows.get(order.remote[-id - 1]!));
    // Gone since the order was read (a delete that raced this read): the next page read sees the new order.
    if (item) items.push(item);
  }
  const byUuid = new Map(items.map((it) => [it.content_uuid, it] as const));
  for (const [uuid, device] of store.holders([...byUuid.keys()])) byUuid.get(uuid)?.devices.push(device);
  for (const [uuid, n] of copyCounts([...byUuid.keys()])) {
    const it = byUuid.get(uuid);
    if (it) it.copies = n;
  }
  const byMember = stacks();
  for (const it of items) {
    const s = byMember.get(it.content_uuid);
    if (s) it.stack = s;
  }
  return { total: order.ids.length, version: order.version, items };
}

function localTile(r: TileRecord | undefined, self: string): GridItem | undefined {
  if (!r) return undefined;
  const m = parseMetadata(r.media_metadata);
  return {
    content_uuid: r.uuid, name: r.name ?? '', kind: r.kind, mime: r.mime, day: r.day,
    captured_at: m?.captured_at ?? null, width: m?.width ?? null, height: m?.height ?? null, duration_s: m?.duration_s ?? null,
    live_photo: r.live === 1, thumb_checksum: r.thumb, has_thumb: r.thumb !== null || THUMBED_KINDS.has(r.kind),
    local: true, devices: [self], copies: 0, ...userMeta(r),
  };
}

/** A content only paired devices hold: as their facts say, its day read from its metadata as the order reads it (store/browse.ts). */
function remoteTile(r: RemoteTileRecord | undefined): GridItem | undefined {
  if (!r) return undefined;
  const m = peerMetadata(r.media_metadata);
  const day = m.captured_at !== null && DAY_RE.test(m.captured_at) ? m.captured_at.slice(0, 10) : null;
  return {
    content_uuid: r.uuid, name: r.name ?? '', kind: r.kind, mime: r.mime, day, ...m,
    live_photo: r.live === 1, thumb_checksum: r.thumb, has_thumb: r.thumb !== null || THUMBED_KINDS.has(r.kind),
    local: false, devices: [], copies: 0, ...userMeta(r),
  };
}

/** A tile's user metadata as its row has it (none: 0). */
function userMeta(r: { favorite: number; rating: number; hidden: number }): Pick<GridItem, 'favorite' | 'rating' | 'hidden'> {
  return { favorite: r.favorite === 1, rating: r.rating, hidden: r.hidden === 1 };
}

/**
 * The fields a tile or a detail shows of a peer's media metadata, each only when it is of its
 * type: the JSON came from another device (checked to be an object, not field by field).
 */
export function peerMetadata(json: string | null): { captured_at: string | null; width: number | null; height: number | null; duration_s: number | null } {
  const m = parseMetadata(json) as Record<string, unknown> | null;
  const text = (v: unknown) => (typeof v === 'string' && v.length <= 64 ? v : null);
  const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null);
  return { captured_at: text(m?.captured_at), width: count(m?.width), height: count(m?.height), duration_s: count(m?.duration_s) };
}
