import type { Library } from '../library/library.js';
import type { AlbumRecord } from '../store/albums.js';
import { matchingContents } from '../search/search-query.js';

/** An album holds at most this many contents as one answer (a smart album's search past it is cut, and says so by its count). */
export const MAX_ALBUM_CONTENTS = 200_000;

/**
 * A smart album's last answer per library, kept while the database has not been written since
 * (its write stamp): the grid asks for an album's contents at every page and every days call.
 */
const answers = new WeakMap<Library, Map<string, { stamp: string; query: string; max: number; contents: string[] }>>();

/** What ALBUM holds now: the contents put in it, or the ones its saved search finds, by uuid. */
export function albumContents(lib: Library, album: AlbumRecord, max = MAX_ALBUM_CONTENTS): string[] {
  if (album.query === null) return lib.store.albumItems.contentsOf(album.uuid).slice(0, max);
  const stamp = lib.store.search.writeStamp();
  const known = answers.get(lib)?.get(album.uuid);
  if (known && known.stamp === stamp && known.query === album.query && known.max === max) return known.contents;
  const contents = matchingContents(lib, album.query, max);
  let byAlbum = answers.get(lib);
  if (!byAlbum) answers.set(lib, (byAlbum = new Map()));
  byAlbum.set(album.uuid, { stamp, query: album.query, max, contents });
  return contents;
}
