import { join } from 'node:path';
import { identityNow } from '../content/indexed-identity.js';
import { factsAt, type LocalFacts } from '../storage/local-tree.js';
import type { GuardCopy } from '../store/guardian.js';
import type { Library } from '../library/library.js';
import { driveName } from '../volumes/drive-name.js';
import { locationOnline } from '../volumes/location-online.js';

/*
 * What counts as a copy (DESIGN §19, issue 42): the one rule every decision that can let data go
 * asks — a delete, a move, a replace (the guard), protect's choice of sources, repair's choice of
 * a good copy — and, for what the index alone can tell, the Guardian's counts (`guardian status`,
 * `list --at-risk`, protect's plan), whose SQL in store/guardian.ts holds the same conditions:
 * a file recorded rotten, or a bucket object found gone or changed, never counts.
 *
 * A copy counts only on fresh evidence:
 * - a file on this device: its drive is here, and its size, mtime, ctime and inode are what the
 *   index says (so its bytes are the content the index links it to), and no scrub found it rotten;
 *   where it is the last good copy left, a small one is hashed again before the other goes;
 * - a file on another device: that device is online and locks it for the drop (it checks the file
 *   itself, by this same rule, and refuses to delete, move or replace it until released);
 * - an object in a bucket: the bucket answers a HEAD with the size and ETag recorded at upload.
 * Anything else (a drive unplugged, a device away, a bucket that does not answer) may still be a
 * copy, and the Guardian's counts keep it for a while (stale after 30 days), but a drop never
 * leans on it: git-annex's lesson, to drop nothing on a copy nobody can vouch for now. The counts
 * drop one too where only a snapshot vouches for it: another device's, after a restore or a
 * recovery, until that device is heard from (`devices.unconfirmed_since`).
 */

/** Whether a copy counts now, and where not, why in words a person acts on. */
export type Verdict = { counts: true } | { counts: false; why: string };

export const COUNTS: Verdict = { counts: true };
export const notCounted = (why: string): Verdict => ({ counts: false, why });

/** What the index says of a file of this device. */
export interface IndexedFile {
  size: number;
  mtime_ms: number | null;
  /** Null where the index has not recorded it yet (a row from before it was kept): not compared. */
  ctime_ms: number | null;
  inode: number | null;
  /** A scrub found its bytes changed while its size, times and inode did not (table `rot`). */
  rotten: boolean;
}

/** The index alone: a copy recorded rotten (or, in a bucket, found gone or changed) never counts. */
export function recordedVerdict(c: { rotten: boolean; lost?: string | null }): Verdict {
  if (c.rotten) return notCounted('a scrub found its bytes rotten');
  if (c.lost) return notCounted(c.lost);
  return COUNTS;
}

/**
 * A file of this device looked at now: FACTS as the disk has them (undefined: nothing there).
 * Counts when the index's identity of it still holds and no rot is recorded. WHERE names it.
 */
export function fileHereVerdict(indexed: IndexedFile, facts: LocalFacts | undefined, where: string): Verdict {
  const recorded = recordedVerdict(indexed);
  if (!recorded.counts) return notCounted(`${where}: ${recorded.why}`);
  if (!facts) return notCounted(`${where} is gone`);
  if (facts.kind !== 'file') return notCounted(`${where} is no longer a file`);
  switch (identityNow(indexed, facts)) {
    case 'changed': return notCounted(`${where} changed since it was indexed (rescan its location)`);
    case 'replaced': return notCounted(`${where} was replaced by another file since it was indexed (rescan its location)`);
    case 'touched': return notCounted(`${where} was touched since it was indexed (its ctime changed: rescan its location)`);
    default: return COUNTS;
  }
}

/** Where a file of this device is, as a person finds it. */
export const shownHere = (c: GuardCopy) => join(c.location_path, ...c.rel_path.split('/'));

/** The drive (or bucket) holding C, as a person names it; null where its volume is not known. */
export const driveOf = (c: GuardCopy) => (c.drive_mount === null ? null : driveName({ name: c.drive_name, mount_point: c.drive_mount, fs: c.drive_fs ?? '' }));

/**
 * COPIES of this device with their locations as they are now, not as last recorded: each
 * location's drive looked up in the mount table (once per location), its online flag and path
 * brought up to date (a drive unplugged a moment ago, or mounted elsewhere). Where a decision
 * needs only whether a copy counts, the look at the file itself decides (an unplugged drive's
 * file is not there); this is for what is said of it (repair naming the drive to plug in).
 */
export function settleHere(lib: Library, copies: readonly GuardCopy[]): void {
  const places = new Map<number, ReturnType<typeof locationOnline>>();
  for (const c of copies) {
    if (c.here !== 1 || c.location_id === null) continue;
    if (!places.has(c.location_id)) places.set(c.location_id, locationOnline(lib, c.location_id));
    const place = places.get(c.location_id);
    if (!place) continue;
    c.location_online = place.online ? 1 : 0;
    c.location_path = place.path;
  }
}

/**
 * Every copy of CONTENTUUIDS as the guard weighs them (store/guard-copies.ts), this device's on a
 * location recorded offline looked at again now (settleHere): the record a drive's unplugging left
 * must not outlive its plugging back, or a file going from it would count for nothing and its drop
 * lower no number (found by the safety model: the only copy deleted once its drive was back). One
 * recorded online needs no look here: its file is looked at itself, and an unplugged drive's is
 * not there.
 */
export function copiesNow(lib: Library, contentUuids: readonly string[]): GuardCopy[] {
  const copies = lib.store.guardian.guardCopies(contentUuids, lib.deviceId);
  settleHere(lib, copies.filter((c) => c.location_online !== 1));
  return copies;
}

/** A file of this device looked at now: one on a drive not plugged in cannot vouch (its locations settled first: settleHere). */
export function copyHereVerdict(c: GuardCopy): Verdict {
  const where = shownHere(c);
  const drive = driveOf(c);
  if (c.location_online !== 1) return notCounted(`${drive ? `the drive “${drive}” holding ${where}` : `the folder of ${where}`} is not reachable now (plug it in)`);
  return fileHereVerdict({ ...c, rotten: c.rotten === 1 }, factsAt(where), where);
}

/**
 * Files at most this large are hashed again before they are left the last good copy of a content:
 * at most about 3 ms each (bench/guard-bench.ts: 8 MiB took 6.6 ms on the 2-core machine under load,
 * past the 5 ms a content's check may add), most photos.
 */
export const REHASH_MAX_BYTES = 4 * 1024 * 1024;
