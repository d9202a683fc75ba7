import { CAS_WHOLE, contentUuidFor } from '../content/identity.js';
import { relPathProblem } from '../core/address.js';
import { IgnoreRules } from '../storage/ignore-rules.js';
import type { LocalAccess } from '../storage/port.js';
import type { ContentLink, EntryFacts } from '../store/entries.js';
import type { Stores } from '../store/stores.js';
import type { DiscoveryCounts } from './reconcile-listing.js';
import type { KnownBytes } from './identification.js';
import type { SeenSet } from './seen-set.js';

/**
 * What a file operation placed in one location, as it holds it (IndexOptions.landed): each file by
 * its path there with the facts it was left with once in place (its ctime taken after the rename),
 * and the folders it made (none was there before it: nothing in them but what it put there).
 */
export interface Landed {
  files: ReadonlyArray<{ rel: string; known: Required<KnownBytes> }>;
  madeFolders: ReadonlySet<string>;
}

export interface LandedInput {
  store: Stores;
  locationId: number;
  local: LocalAccess;
  rootEntryId: number;
  landed: Landed;
  ignoreRules: readonly string[];
  exclude: readonly string[];
  seen: SeenSet;
  hashThresholdBytes: number;
}

/** What `recordLanded` wrote, and the folders it left to a listing. */
export interface LandedRecorded {
  counts: DiscoveryCounts;
  /** Files linked to their content as they were written. */
  linked: number;
  /** Folders whose rows are better brought in line by listing them (a name already indexed, a folder the index does not know). */
  relist: string[];
}

/**
 * The rows of files a verified copy just placed, written from the facts the copy holds rather
 * than by listing their folders again and looking at every file (for 10,000 small files that was
 * a third of what a copy cost beyond `cp -a`). A row is written only where nothing can be missed
 * or lost: a new name in a folder the index has (or one the operation made, written first from
 * one look at it), not ignored, with all its facts. Anything else (a name indexed already, a
 * folder made by someone else, a name a listing would skip) is left to a listing of its folder,
 * which finds the rows written here as they are. Each file is linked to its content at once when
 * the library knows that content and the file is small enough for its content id to be the
 * BLAKE3 the copy verified, as identification would link it (identification.ts, knownAnswer);
 * else identification reads it. A program writing into a made folder meanwhile is heard by the
 * watcher, as it would be after a listing. The rows are numbered through the entries store
 * (library sync), in the caller's transaction.
 */
export function recordLanded(input: LandedInput): LandedRecorded {
  const { store, local, landed, seen } = input;
  const entries = store.entries;
  const ignore = new IgnoreRules(input.ignoreRules);
  const exclude = new Set(input.exclude);
  const counts: DiscoveryCounts = { files: 0, dirs: 0, bytes: 0, added: 0, changed: 0, moved: 0 };
  const relist = new Set<string>();
  // Each folder's row (null: left to a listing); MADE: folders whose rows this call wrote (nothing else is in them).
  const folders = new Map<string, number | null>([['', input.rootEntryId]]);
  const made = new Set<number>();
  const inLocation = (rel: string) => (rel === '' ? local.root.root : `${local.root.root}/${rel}`);
  // A name a listing reports (not UTF-8, or refused) is left to it; one it leaves out (ignored, the library's folder) is left out here too.
  const plain = (rel: string) => !relPathProblem(rel) && !rel.includes('\uFFFD');
  const leftOut = (rel: string, dir: boolean) => ignore.ignores(rel, dir) || exclude.has(inLocation(rel));

  const folderOf = (rel: string): number | null => {
    const had = folders.get(rel);
    if (had !== undefined) return had;
    const cut = rel.lastIndexOf('/');
    const parentRel = cut < 0 ? '' : rel.slice(0, cut);
    const name = rel.slice(cut + 1);
    const parent = folderOf(parentRel);
    let id: number | null = null;
    if (parent !== null && plain(rel) && !leftOut(rel, true)) {
      const indexed = made.has(parent) ? undefined : entries.child(parent, name);
      if (indexed === undefined && landed.madeFolders.has(rel)) {
        // One look at a folder (not at each of its files): its facts as a listing of its parent records them.
        const st = local.statNow(rel);
        if (st?.isDirectory()) {
          id = entries.insertMany(input.locationId, [{ parent_id: parent, name, rel_path: rel, kind: 'dir', size: 0, inode: st.ino, mtime_ms: st.mtimeMs, ctime_ms: st.ctimeMs, link_target: null }])[0]!;
          made.add(id);
          seen.add(id);
          counts.dirs++;
          counts.added++;
        }
      } else if (indexed?.kind === 'dir' && !landed.madeFolders.has(rel)) {
        // A row for a folder this operation made would be a stale one: its rows go through a listing.
        id = indexed.id;
      }
    }
    if (id === null) relist.add(parentRel);
    folders.set(rel, id);
    return id;
  };

  // A folder made and left empty has its row too.
  for (const rel of landed.madeFolders) folderOf(rel);
  const facts: EntryFacts[] = [];
  const knownOf: Array<Required<KnownBytes>> = [];
  for (const { rel, known } of landed.files) {
    const cut = rel.lastIndexOf('/');
    const dirRel = cut < 0 ? '' : rel.slice(0, cut);
    const name = rel.slice(cut + 1);
    const parent = folderOf(dirRel);
    if (parent === null) continue;
    if (leftOut(rel, false)) continue;
    if (!plain(rel) || (!made.has(parent) && entries.child(parent, name) !== undefined)) {
      relist.add(dirRel);
      continue;
    }
    facts.push({ parent_id: parent, name, rel_path: rel, kind: 'file', size: known.size, inode: known.inode, mtime_ms: known.mtimeMs, ctime_ms: known.ctimeMs, link_target: null });
    knownOf.push(known);
  }
  const ids = facts.length > 0 ? entries.insertMany(input.locationId, facts) : [];
  for (const id of ids) seen.add(id);
  counts.files += ids.length;
  counts.added += ids.length;
  for (const f of facts) counts.bytes += f.size;

  const now = Date.now();
  const links: ContentLink[] = [];
  // The contents asked for together (one statement for the batch, not one a file).
  const uuids = knownOf.map((k) => (k.size > input.hashThresholdBytes ? undefined : contentUuidFor(k.blake3)));
  const whole = store.contents.identifiedAs(uuids.flatMap((u, i) => (u === undefined ? [] : [[u, knownOf[i]!.blake3] as const])), CAS_WHOLE);
  for (const [i, uuid] of uuids.entries()) {
    if (uuid === undefined || !whole.has(uuid)) continue;
    const f = facts[i]!;
    links.push({ file: { id: ids[i]!, size: f.size, inode: f.inode, mtime_ms: f.mtime_ms, ctime_ms: f.ctime_ms ?? null, content_id: null }, uuid, verified: true });
  }
  const linked = links.length > 0 ? entries.linkContents(links, now).size : 0;
  return { counts, linked, relist: [...relist] };
}
