import type { Library } from '../library/library.js';

/** What a list shows of a content: its name, type and grid thumbnail. */
export interface ContentTile {
  name: string | null;
  mime: string | null;
  thumb: string | null;
}

/**
 * The name, type and grid thumbnail of each of UUIDS: this device's facts where it holds the
 * content, else a paired device's; one read for all of them. A uuid nobody holds is left out.
 */
export function contentTiles(lib: Library, uuids: readonly string[]): Map<string, ContentTile> {
  const browse = lib.store.browse;
  const local = new Map<number, string>();
  for (const [uuid, id] of browse.selected({ uuids: [...uuids] })) if (id !== null) local.set(id, uuid);
  const rows = new Map<string, ContentTile>();
  for (const r of browse.tiles([...local.keys()])) rows.set(r.uuid, r);
  const elsewhere = uuids.filter((m) => !rows.has(m));
  if (elsewhere.length > 0) for (const r of browse.remoteTiles(elsewhere)) rows.set(r.uuid, r);
  return rows;
}
