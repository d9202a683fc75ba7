/**
 * A content's favourite, rating and hidden as the user just set them (DESIGN §16), shown at once
 * on its tile and in its detail, before the grid's pages or the detail are read again. Each
 * change is kept until a read sent after the daemon answered it brings the content (`settle`):
 * a read sent earlier may hold the old value. A change made elsewhere (another tab, a paired
 * device) reaches the views by `shared:changed`, which reads them again.
 */
import { api } from './api.js';
import { API, methodOf } from './api-paths.js';
import { reportError } from './errors.js';
import type { UserMetaView } from './types.js';

export interface UserFlags {
  favorite: boolean;
  rating: number;
  hidden: boolean;
}

interface Override {
  flags: UserFlags;
  /** When the daemon answered (null: not yet): reads sent after it carry the change. */
  doneAt: number | null;
}

const overrides = new Map<string, Override>();
const listeners = new Set<() => void>();

function changed(): void {
  for (const l of listeners) l();
}

export function subscribeMeta(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** What the user set on UUID lately, when a read may not show it yet (the same object while it stands). */
export function metaOverride(uuid: string): UserFlags | undefined {
  return overrides.get(uuid)?.flags;
}

/** A read sent at SENTAT brought these contents: changes it was sent after the answer to are shown from it now. */
export function settle(uuids: Iterable<string>, sentAt: number): void {
  let any = false;
  for (const u of uuids) {
    const o = overrides.get(u);
    if (o && o.doneAt !== null && o.doneAt <= sentAt) {
      overrides.delete(u);
      any = true;
    }
  }
  if (any) changed();
}

/** Set CHANGE on content UUID (now shown as NOW with CHANGE): shown at once, sent to the daemon; a failure puts it back. */
export async function setUserMeta(libId: string, uuid: string, now: UserFlags, change: Partial<UserFlags> & { note?: string }): Promise<UserMetaView | null> {
  const before = overrides.get(uuid);
  const mine: Override = { flags: { favorite: now.favorite, rating: now.rating, hidden: now.hidden, ...pick(change) }, doneAt: null };
  overrides.set(uuid, mine);
  changed();
  try {
    const [view] = await api<UserMetaView[]>(methodOf('metaSet'), API.metaSet(libId), { contents: [uuid], ...change });
    if (overrides.get(uuid) === mine) {
      if (view) mine.flags = { favorite: view.favorite, rating: view.rating, hidden: view.hidden };
      mine.doneAt = Date.now();
      changed();
    }
    return view ?? null;
  } catch (err) {
    if (overrides.get(uuid) === mine) {
      if (before) overrides.set(uuid, before);
      else overrides.delete(uuid);
      changed();
    }
    reportError(err);
    return null;
  }
}

function pick(c: Partial<UserFlags>): Partial<UserFlags> {
  const out: Partial<UserFlags> = {};
  if (c.favorite !== undefined) out.favorite = c.favorite;
  if (c.rating !== undefined) out.rating = c.rating;
  if (c.hidden !== undefined) out.hidden = c.hidden;
  return out;
}
