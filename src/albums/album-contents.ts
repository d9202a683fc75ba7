import type { Library } from '../library/library.js';
import type { AlbumRecord } from '../store/albums.js';
import { matchingContents } from '../search/search-query.js';

/** An album holds at most this many contents as one answer (a smart album's search past it is cut, and says so by its count). */
export const MAX_ALBUM_CONTENTS = 200_000;

/** What ALBUM holds now: the contents put in it, or the ones its saved search finds, by uuid. */
export function albumContents(lib: Library, album: AlbumRecord, max = MAX_ALBUM_CONTENTS): string[] {
  if (album.query === null) return lib.store.albumItems.contentsOf(album.uuid).slice(0, max);
  return matchingContents(lib, album.query, max);
}
