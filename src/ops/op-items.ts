import { wholeBlake3Of } from '../content/whole-blake3.js';
import { placeOf, type LibraryPlace } from '../files/places.js';
import type { Library } from '../library/library.js';

/** A source file of a job's items as the index knows it: where it is, its content, and the content's whole BLAKE3 (null: identified by samples, never read whole). */
export interface IndexedSource {
  place: LibraryPlace;
  contentUuid: string;
  blake3: string | null;
}

/** The file at SRC (absolute, in a location of this device) as the index knows it; undefined where it is not indexed as a file with a content. */
export function indexedSource(lib: Library, src: string): IndexedSource | undefined {
  const place = placeOf(lib, src);
  const entry = place ? lib.store.entries.fileAt(place.locationId, place.rel) : undefined;
  const content = entry?.content_uuid ? lib.store.contents.byUuid(entry.content_uuid) : undefined;
  if (!place || !content) return undefined;
  return { place, contentUuid: content.uuid, blake3: wholeBlake3Of(lib, content) };
}
