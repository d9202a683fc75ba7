import { wholeBlake3Of } from '../content/whole-blake3.js';
import { placeOf } from '../files/places.js';
import type { Library } from '../library/library.js';
import type { GuardianProtected } from '../wire/guardian.js';
import { recordRotFound } from './rot-found.js';

/** Files whose bytes were not their content's a protect names at most. */
const NAMED = 100;

/**
 * What the protect job JOBID really protected (its words, once it ended: `guardian protect`, the
 * Guardian page): its plan's counts say what it meant to copy, these what landed as the content.
 * A copy here is indexed as it lands: one whose content is not its source's carried other bytes,
 * and a source whose size and times are as indexed then rotted without a sign (recorded as a scrub
 * would, rot-found.ts). A copy to a device or a bucket was verified there against the content's
 * BLAKE3 (rot there is left out before, a skipped item): each done one counts.
 */
export function protectedBy(lib: Library, jobId: number): GuardianProtected {
  const contents = new Set<string>();
  let files = 0;
  let bytes = 0;
  const notIts: GuardianProtected['not_its_content'] = [];
  for (const it of lib.store.fileOpItems.of(jobId)) {
    if (it.state !== 'done' || it.kind !== 'file') continue;
    const from = placeOf(lib, it.src);
    const src = from ? lib.store.entries.fileAt(from.locationId, from.rel) : undefined;
    if (!src?.content_uuid) continue;
    const to = it.final !== null ? placeOf(lib, it.final) : undefined;
    if (to) {
      const landed = lib.store.entries.fileAt(to.locationId, to.rel)?.content_uuid ?? null;
      if (landed !== src.content_uuid) {
        const other = landed !== null ? lib.store.contents.byUuid(landed) : undefined;
        const found = other ? wholeBlake3Of(lib, other) : null;
        const rot = found !== null && recordRotFound(lib, from!.locationId, from!.rel, found);
        if (notIts.length < NAMED) {
          notIts.push({ path: it.src, reason: landed === null ? `its copy ${it.final} is not in the index yet: not counted (rescan its location)` : `its bytes are not its content's${rot ? ' (rot, recorded: vss guardian repair mends it from a good copy)' : ' (changed or rotted: vss guardian scrub tells which)'}: its copy ${it.final} is no copy of it` });
        }
        continue;
      }
    }
    contents.add(src.content_uuid);
    files++;
    bytes += it.size;
  }
  return { contents: contents.size, files, bytes, not_its_content: notIts };
}
