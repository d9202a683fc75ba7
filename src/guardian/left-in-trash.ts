import type { LeavingFile } from '../files/plan.js';
import type { Library } from '../library/library.js';
import type { GuardianBelowPolicy } from '../wire/guardian.js';
import { placeKey } from '../store/guard-copies.js';
import { belowPolicy, type Witnesses } from './guard.js';

/**
 * What a delete into the trash of LEAVING leaves below policy (DESIGN §21: said, never refused),
 * each with `nowhere_else` where no other file or object of its content is known anywhere (any
 * device, any bucket; rotten, changed or offline ones too): the trash then holds it alone, and
 * emptying it, or 30 days, lets it go.
 */
export function belowOnceTrashed(lib: Library, leaving: readonly LeavingFile[], witnesses: Witnesses): GuardianBelowPolicy[] {
  const below = belowPolicy(lib, leaving, witnesses);
  if (below.length === 0) return below;
  const going = new Set(leaving.map((f) => placeKey(f.locationId, f.rel)));
  const named = (b: GuardianBelowPolicy) => b.changed === undefined && b.content_uuid !== '';
  const uuids = [...new Set(below.filter(named).map((b) => b.content_uuid))];
  const elsewhere = lib.store.guardian.knownElsewhere(uuids, lib.deviceId, going);
  return below.map((b) => (named(b) && !elsewhere.has(b.content_uuid) ? { ...b, nowhere_else: true as const } : b));
}
