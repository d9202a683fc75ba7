import type { Library } from '../library/library.js';
import type { PersonRecord } from '../store/people.js';
import { mergeResolver } from './people-pass.js';

/**
 * The people named NAME (any case) who are still themselves: not merged into another, or the
 * end of a loop of merges two devices made (where every member is merged into the next, the
 * lowest id stands for them all, alike everywhere). More than one when two devices gave the same name.
 */
export function peopleNamed(lib: Library, name: string): PersonRecord[] {
  const named = lib.store.people.named(name);
  if (named.every((p) => p.merged_into === null)) return named;
  const resolve = mergeResolver(lib.store.people.all());
  return named.filter((p) => resolve(p.person_id) === p.person_id);
}

/** Where PERSONID's merges lead, as the people pass reads them. */
export function mergedEnd(lib: Library, personId: string): string {
  const r = lib.store.people.get(personId);
  return r?.merged_into ? mergeResolver(lib.store.people.all())(personId) : personId;
}
