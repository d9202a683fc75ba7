import { wholeBlake3Of } from '../content/whole-blake3.js';
import type { FileOpResult } from '../files/file-op.js';
import { placeOf, type LibraryPlace } from '../files/places.js';
import type { Library } from '../library/library.js';
import type { FileOpItemRecord } from '../store/file-op-items.js';

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

/** What a job's copy items did, as a copy job says it (`FileOpResult`); SHOWN: where an item done went, when it has no `final`. */
export function itemsResult(lib: Library, jobId: number, shown: (it: FileOpItemRecord) => string): FileOpResult {
  const items = lib.store.fileOpItems.of(jobId);
  const done = items.filter((it) => it.state === 'done');
  const skipped = items.filter((it) => it.state === 'skipped');
  return {
    op: 'copy', items: items.length, done: done.length, skipped: skipped.length, folders: 0,
    bytes: done.reduce((n, it) => n + it.size, 0),
    paths: done.slice(0, 100).map((it) => it.final ?? shown(it)),
    skipped_items: skipped.slice(0, 100).map((it) => ({ path: it.src, reason: it.note ?? 'skipped' })),
    not_kept: [], outside_library: false,
  };
}
