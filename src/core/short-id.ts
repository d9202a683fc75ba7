import { UsageError } from './errors.js';

/**
 * A uuid as a list shows it to a person: its first 8 characters, as git shows a commit (a uuid's
 * 36 characters fill a line and nobody reads or types them). Commands take it back, or any
 * longer start of the uuid, as long as one id alone starts so (`byShortId`).
 */
export const SHORT_ID_CHARS = 8;

export function shortId(uuid: string): string {
  return uuid.slice(0, SHORT_ID_CHARS);
}

/** Whether REF may be the start of an id (hex and dashes, at least 4 characters): else it is a name or a path. */
export function mayBeShortId(ref: string): boolean {
  return /^[0-9a-f][0-9a-f-]{3,35}$/.test(ref.trim().toLowerCase());
}

/**
 * The one of IDS that REF starts (a short id, or the whole id); undefined when none does. Two or
 * more: a usage error naming them, WHAT being what they are ("person", "stack").
 */
export function byShortId(ref: string, ids: Iterable<string>, what: string): string | undefined {
  const start = ref.trim().toLowerCase();
  const found: string[] = [];
  for (const id of ids) if (id.startsWith(start) && !found.includes(id)) found.push(id);
  if (found.length > 1) throw new UsageError(`${found.length} ${what}s have an id starting ${start}: give more of it (${found.slice(0, 5).join(', ')}${found.length > 5 ? ', …' : ''})`);
  return found[0];
}

/**
 * The one of ITEMS REF names: by the start of its id (as byShortId), else by its name (any case, as
 * a person types it: `vss devices rights Desktop`). Undefined when none; two of one name: a usage
 * error asking for the id, WHAT being what they are ("paired device").
 */
export function byIdOrName<T>(ref: string, items: readonly T[], id: (item: T) => string, name: (item: T) => string, what: string): T | undefined {
  if (mayBeShortId(ref)) {
    const uuid = byShortId(ref, items.map(id), what);
    if (uuid !== undefined) return items.find((x) => id(x) === uuid);
  }
  const want = ref.trim().toLowerCase();
  const named = items.filter((x) => name(x).toLowerCase() === want);
  if (named.length > 1) throw new UsageError(`${named.length} ${what}s are named ${JSON.stringify(ref.trim())}: give one's id (${named.map((x) => shortId(id(x))).join(', ')})`);
  return named[0];
}
