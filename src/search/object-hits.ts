import { basename } from 'node:path';
import type { Library } from '../library/library.js';
import type { MetadataFilter } from '../store/search.js';
import { objectHereNow, objectPlace } from '../tags/objects.js';
import type { ObjectSearchResult } from '../wire/search.js';
import { fold } from './locator.js';
import type { ParsedQuery } from './search-filters.js';

/** Objects with user data read for one search, at most: they are what a person tagged or rated, not every folder. */
const MAX_OBJECTS = 10_000;

/**
 * The folders, and files outside every location, that QUERY finds (issue 59: one file system): each
 * object that carries user data, meeting FILTER by its own uuid (a folder) or its content's (a
 * file), and holding every word of the query in its name. Not with `kind:` (an object has no
 * content kind here), nor `device:`, `place:`, `person:`, `album:` or dates, which only contents meet.
 */
export function objectHits(lib: Library, parsed: ParsedQuery, filter: MetadataFilter | undefined, kind: string | undefined, limit: number): ObjectSearchResult[] {
  if (limit <= 0 || kind !== undefined || !filter || onlyContents(filter)) return [];
  const objects = lib.store.objects.withUserData(MAX_OBJECTS);
  if (objects.length === 0) return [];
  const keyOf = (o: (typeof objects)[number]) => (o.kind === 'file' ? o.content_uuid ?? o.uuid : o.uuid);
  const meet = lib.store.search.meeting(objects.map(keyOf), filter);
  const words = parsed.words.match(/[\p{L}\p{N}]+/gu)?.map((w) => fold(w)) ?? [];
  const out: ObjectSearchResult[] = [];
  for (const o of objects) {
    if (!meet.has(keyOf(o))) continue;
    // This device's: only where it is now (a folder deleted or moved away is no hit; one renamed beside itself is, at its new name).
    const here = o.device_uuid === lib.device.uuid ? objectHereNow(o) : undefined;
    if (here === null) continue;
    const name = basename(here ?? o.path);
    const folded = fold(name);
    if (!words.every((w) => folded.includes(w))) continue;
    const { path, device } = objectPlace(lib, here === undefined ? o : { ...o, path: here });
    const content = o.kind === 'file' ? o.content_uuid : null;
    out.push({
      object_uuid: o.uuid, content_uuid: content, kind: o.kind === 'folder' ? 'folder' : (content ? lib.store.contents.byUuid(content)?.kind : undefined) ?? 'file',
      path, device, paths: here !== undefined ? [here] : [], score: 0, score_kind: 'bm25', snippet: name, marks: [], source: words.length > 0 ? 'name' : 'filters',
    });
    if (out.length >= limit) break;
  }
  return out;
}

/** Whether F holds a condition only a content meets (where it is, who is in it, when it was taken). */
function onlyContents(f: MetadataFilter): boolean {
  return (f.people?.length ?? 0) > 0 || (f.albums?.length ?? 0) > 0 || (f.places?.length ?? 0) > 0 || (f.devices?.length ?? 0) > 0 || (f.dates?.length ?? 0) > 0;
}
