import { albumContents } from '../albums/album-contents.js';
import { VssError } from '../core/errors.js';
import type { Library } from '../library/library.js';
import { peerMetadata } from '../browse/grid-page.js';
import type { SharedAlbumItem } from '../wire/shares.js';

/**
 * A shared album as its guests see it (issue 61): read from the library at each request, so a photo
 * taken out of the album is unreachable at once and one put in is there. Nothing of a path, a
 * file's name, a device or the library is in it.
 */
export function sharedAlbumItems(lib: Library, albumUuid: string): { title: string; items: SharedAlbumItem[] } {
  const album = liveAlbum(lib, albumUuid);
  const uuids = albumContents(lib, album);
  const browse = lib.store.browse;
  const ids = new Map<number, string>();
  for (const [uuid, id] of browse.selected({ uuids })) if (id !== null) ids.set(id, uuid);
  const items: SharedAlbumItem[] = [];
  for (const t of browse.tiles([...ids.keys()])) {
    const m = peerMetadata(t.media_metadata);
    items.push({ content_uuid: t.uuid, kind: t.kind, mime: t.mime, day: t.day, width: m.width, height: m.height, duration_s: m.duration_s, thumb_checksum: t.thumb });
  }
  // Held only by a paired device: shown from there (its thumbnail fetched on the way), as the grid does.
  const here = new Set(items.map((i) => i.content_uuid));
  const elsewhere = uuids.filter((u) => !here.has(u));
  if (elsewhere.length > 0) {
    for (const t of browse.remoteTiles(elsewhere)) {
      const m = peerMetadata(t.media_metadata);
      const day = m.captured_at !== null && /^\d{4}-\d{2}-\d{2}/.test(m.captured_at) ? m.captured_at.slice(0, 10) : null;
      items.push({ content_uuid: t.uuid, kind: t.kind, mime: t.mime, day, width: m.width, height: m.height, duration_s: m.duration_s, thumb_checksum: t.thumb });
    }
  }
  items.sort((a, b) => (a.day === b.day ? 0 : a.day === null ? 1 : b.day === null ? -1 : a.day < b.day ? 1 : -1));
  return { title: album.name, items };
}

/** Whether CONTENT is in the album ALBUMUUID now (a guest's every file request asks). */
export function inSharedAlbum(lib: Library, albumUuid: string, content: string): boolean {
  const album = liveAlbum(lib, albumUuid);
  // An album of its own: the albums this content is in (a few); a smart one: what its search finds (kept while nothing was written).
  if (album.query === null) return lib.store.albumItems.albumsOf(content).includes(albumUuid);
  return albumContents(lib, album).includes(content);
}

function liveAlbum(lib: Library, albumUuid: string) {
  const album = lib.store.albums.get(albumUuid);
  if (!album || album.deleted !== 0) throw new VssError('NOT_FOUND', 'this album is no longer shared (it was deleted)');
  return album;
}
