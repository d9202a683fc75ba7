import { VssError } from '../core/errors.js';
import type { LeavingFile } from '../files/plan.js';
import type { Library } from '../library/library.js';
import type { GuardCopy } from '../store/guardian.js';
import { placeKey } from '../store/guard-copies.js';
import type { GuardianBelowPolicy, GuardianNumbers } from '../wire/guardian.js';
import { copyLocksOf, type LockedFile } from './copy-locks.js';
import { factsAt } from '../storage/local-tree.js';
import { copiesNow, copyHereVerdict as hereVerdict, COUNTS, driveOf, fileHereVerdict, notCounted, shownHere, type Verdict } from './evidence.js';
import { libraryPolicy } from './policy.js';
import { goingBytes, hashable, hashedAgain, readWhole, sameBytesNow } from './read-again.js';

/*
 * The guard (DESIGN §19): a delete, a move or a replace of files of this device is weighed against
 * each content's policy, counting only the copies the evidence rule (evidence.ts) lets count now.
 * Two looks: `belowPolicy`, at once and synchronously, when the operation is asked or shown (a
 * copy on another device counts while that device is connected, a bucket's while it answered);
 * and `weighDrop`, as the drop runs: other devices lock their copies, buckets answer a HEAD, the
 * last good copies here are hashed again when small, and what it holds lasts until the drop ends.
 */

/** Contents a refusal names (all are in a dry run's list). */
const NAMED = 10;
/** Reasons given per content for the copies not counted. */
const REASONS = 3;
/** Copies one lock request names at most (a peer message's bound). */
export const MAX_LOCK_COPIES = 1000;
/** Bucket objects asked at once. */
const OBJECTS_AT_ONCE = 8;

/** A copy as the rule weighs it: its device, whether it is this one, and the store (drive, or a paired device's location) it is in. */
export interface Weighed {
  /** Null for an object in a bucket: a copy, off this device, but no device. */
  device: string | null;
  here: boolean;
  place: string;
}

/** A copy on another device, as that device is asked to lock it: its content, its location (the owner's uuid) and path there, its size. */
export interface RemoteCopy {
  content_uuid: string;
  location: string;
  rel_path: string;
  size: number;
}

/** What a device answered to a lock: the copies (indices of those asked) it holds locked, why not the others, and the lock's life. */
export interface RemoteLock {
  held: ReadonlySet<number>;
  refused: ReadonlyMap<number, string>;
  /** Still held: its stream open and its time not run out. */
  alive(): boolean;
  release(): Promise<void>;
}

/**
 * What vouches for copies beyond this device's own files: given by the operation (the daemon's
 * network, the bucket client); absent where there is none (no daemon: no device can be asked).
 */
export interface Witnesses {
  devices?: {
    /** Whether DEVICE is connected now (the first look). */
    online(device: string): boolean;
    /** Ask DEVICE to lock COPIES of its own for this drop; rejects, saying why, when it cannot be asked. */
    lock(device: string, copies: readonly RemoteCopy[], signal?: AbortSignal): Promise<RemoteLock>;
  };
  /** Confirm a bucket object now (a HEAD of its key: its size and ETag as recorded). */
  object?(copy: GuardCopy, signal?: AbortSignal): Promise<Verdict>;
}

/** Copies, devices and copies off this device, as the policy counts them: one per store. */
export function tally(copies: Iterable<Weighed>): GuardianNumbers {
  const places = new Set<string>();
  const devices = new Set<string>();
  const off = new Set<string>();
  for (const c of copies) {
    places.add(c.place);
    if (c.device !== null) devices.add(c.device);
    if (!c.here) off.add(c.place);
  }
  return { copies: places.size, devices: devices.size, offsite: off.size };
}

/**
 * The first number (copies, then devices, then copies off this device) a change lowers from
 * BEFORE to AFTER and leaves below POLICY; null where none. A change that lowers nothing is never
 * refused (deleting a second file on the same drive leaves the count as it was, even when the
 * content was already short; deleting a rotten file takes no copy away), and one that lowers a
 * number the policy still meets is not either.
 */
export function fallsShort(before: GuardianNumbers, after: GuardianNumbers, policy: GuardianNumbers): { of: keyof GuardianNumbers; have: number; policy: number } | null {
  for (const of of ['copies', 'devices', 'offsite'] as const) {
    if (after[of] < before[of] && after[of] < policy[of]) return { of, have: after[of], policy: policy[of] };
  }
  return null;
}

/** One content a drop touches: its copies, the files of it going, where moved ones land, its policy, and each copy's verdict so far. */
interface Case {
  uuid: string;
  path: string;
  copies: GuardCopy[];
  going: Set<string>;
  /**
   * Each moved file (by placeKey) and the copy it makes where it lands (on that location's drive):
   * a copy of the content only as the file moved is one now (its verdict counts), as the bytes
   * that land are the bytes that leave.
   */
  landings: Array<{ from: string; to: Weighed }>;
  /** Files of it in the trash being emptied: copies before (their bytes are its own until they go), none after. */
  trashed: Weighed[];
  policy: GuardianNumbers;
  /** By index in `copies`; a copy without one does not count (not looked at yet). */
  verdicts: Map<number, Verdict>;
}

const isGoing = (k: Case, c: GuardCopy) => c.here === 1 && c.location_id !== null && k.going.has(placeKey(c.location_id, c.rel_path));
const weigh = (c: GuardCopy): Weighed => ({ device: c.device_uuid, here: c.here === 1, place: c.place });

/**
 * The contents LEAVING touches, each with every copy of it, the drives its moved files land on,
 * and the strictest policy over it; and the files deleted or replaced whose bytes vss does not
 * know now (never indexed, or changed since: `changedFile`).
 */
function casesOf(lib: Library, leaving: readonly LeavingFile[]): { cases: Case[]; unknown: Unknown[] } {
  const { store } = lib;
  const changes = new Map<string, { path: string; going: Set<string>; moves: Map<string, number>; trashed: number[] }>();
  const unindexed: LeavingFile[] = [];
  for (const f of leaving) {
    const uuid = f.content_uuid ?? store.entries.fileAt(f.locationId, f.rel)?.content_uuid;
    if (!uuid) {
      if (!f.moved) unindexed.push(f);
      continue;
    }
    let c = changes.get(uuid);
    if (!c) changes.set(uuid, (c = { path: f.path, going: new Set(), moves: new Map(), trashed: [] }));
    if (f.trashed) {
      c.trashed.push(f.locationId);
      continue;
    }
    c.going.add(placeKey(f.locationId, f.rel));
    if (f.to !== undefined && f.to !== null) c.moves.set(placeKey(f.locationId, f.rel), f.to);
  }
  const unknown: Unknown[] = unindexed.filter((f) => factsAt(f.path)?.kind === 'file').map((f) => ({ below: changedFile(f.path, '', 'it was never indexed (added since the last scan)') }));
  if (changes.size === 0) return { cases: [], unknown };
  const uuids = [...changes.keys()];
  const copies = new Map<string, GuardCopy[]>();
  for (const c of copiesNow(lib, uuids)) {
    let list = copies.get(c.content_uuid);
    if (!list) copies.set(c.content_uuid, (list = []));
    list.push(c);
  }
  const tags = new Map(store.guardian.tagPolicies(uuids).map((t) => [t.content_uuid, t]));
  const library = libraryPolicy(lib);
  const self = lib.device.uuid;
  const drives = new Map<number, string>();
  // A moved file is, where it lands, a copy on that location's drive (the key the counts give it).
  const landing = (id: number): Weighed => {
    let place = drives.get(id);
    if (place === undefined) {
      const volume = store.locations.ofDeviceById(id, lib.deviceId)?.volume_id;
      drives.set(id, (place = volume !== null && volume !== undefined ? `v${volume}` : `l${id}`));
    }
    return { device: self, here: true, place };
  };
  const cases = [...changes].map(([uuid, change]) => {
    const all = copies.get(uuid) ?? [];
    const tag = tags.get(uuid);
    const policy = {
      copies: Math.max(library.copies, ...all.map((c) => c.lc ?? 0), tag?.copies ?? 0),
      devices: Math.max(library.devices, ...all.map((c) => c.ld ?? 0), tag?.devices ?? 0),
      offsite: Math.max(library.offsite, ...all.map((c) => c.lo ?? 0), tag?.offsite ?? 0),
    };
    return {
      uuid, path: change.path, copies: all, going: change.going, landings: [...change.moves].map(([from, to]) => ({ from, to: landing(to) })),
      trashed: change.trashed.map(landing), policy, verdicts: new Map(),
    };
  });
  // A file deleted or replaced that is no longer the bytes the index knows: they may exist nowhere else.
  const destroyed = new Set(leaving.filter((f) => !f.moved).map((f) => placeKey(f.locationId, f.rel)));
  for (const k of cases) {
    for (const [i, c] of k.copies.entries()) {
      if (!isGoing(k, c) || !destroyed.has(placeKey(c.location_id!, c.rel_path))) continue;
      const where = shownHere(c);
      const facts = factsAt(where);
      if (!facts) continue;
      // Rotten or not, bytes changed since indexed are bytes nobody has looked at.
      const v = fileHereVerdict({ ...c, rotten: false }, facts, where);
      if (v.counts) continue;
      const below = changedFile(where, k.uuid, 'its bytes changed since it was indexed');
      // Its times changed, not its size (a chmod, a touch, a chattr; or an edit in place): hashed before it goes.
      unknown.push(facts.kind === 'file' && facts.size === c.size && hashable(lib, c) ? { below, copy: { k, i } } : { below });
    }
  }
  return { cases, unknown };
}

/**
 * A file deleted or replaced whose bytes vss does not know now; COPY, where its size is still its
 * content's and small enough to hash: copy I of case K, to be hashed when the drop is weighed.
 */
interface Unknown {
  below: GuardianBelowPolicy;
  copy?: { k: Case; i: number };
}

/** A file whose bytes vss does not know now, as a refusal names it. */
function changedFile(path: string, contentUuid: string, why: string): GuardianBelowPolicy {
  return {
    content_uuid: contentUuid, path, have: 0, policy: 1, of: 'copies', not_counted: 0,
    changed: `${why}: vss cannot tell whether its bytes are anywhere else (rescan its location, then ask again)`,
  };
}

/** What CASE has before the drop and after it, counting the copies whose verdict counts. */
function numbers(k: Case): { before: GuardianNumbers; after: GuardianNumbers } {
  const counted = k.copies.filter((_, i) => k.verdicts.get(i)?.counts === true);
  // The moved files that count now: only their bytes land as copies of the content.
  const moving = new Set(counted.filter((c) => isGoing(k, c)).map((c) => placeKey(c.location_id!, c.rel_path)));
  return {
    before: tally([...counted.map(weigh), ...k.trashed]),
    after: tally([...counted.filter((c) => !isGoing(k, c)).map(weigh), ...k.landings.filter((l) => moving.has(l.from)).map((l) => l.to)]),
  };
}

/** CASE judged with the verdicts it has: its shortfall, with the reasons copies were not counted; null where none. */
function judged(k: Case): GuardianBelowPolicy | null {
  const { before, after } = numbers(k);
  const short = fallsShort(before, after, k.policy);
  if (!short) return null;
  const why = k.copies.flatMap((_, i) => {
    const v = k.verdicts.get(i);
    return v && !v.counts ? [v.why] : [];
  });
  const counted = k.copies.filter((_, i) => k.verdicts.get(i)?.counts === true).length;
  return {
    content_uuid: k.uuid, path: k.path, have: short.have, policy: short.policy, of: short.of,
    not_counted: k.copies.length - counted, ...(why.length > 0 ? { uncounted: why.slice(0, REASONS) } : {}),
  };
}

/** Another device's copy, as a refusal names it. */
const deviceCopy = (c: GuardCopy) => `${c.device_name ?? c.device_uuid}'s copy (${c.rel_path})`;
const bucketCopy = (c: GuardCopy) => `the copy in ${driveOf(c) ?? 'a bucket'} (${c.object_key ?? c.rel_path})`;

/**
 * The first look (a plan, a dry run): this device's files looked at now; another device's copy
 * counts while that device is connected (the drop asks it to lock), a bucket's while the bucket
 * answered.
 */
function firstLook(c: GuardCopy, w: Witnesses): Verdict {
  if (c.here === 1) return hereVerdict(c);
  if (c.device_uuid === null) return c.location_online === 1 ? COUNTS : notCounted(`${bucketCopy(c)} can't be confirmed now (the bucket did not answer when last asked)`);
  if (!w.devices) return notCounted(`${deviceCopy(c)} can't be confirmed now: no daemon runs to ask ${c.device_name ?? 'it'} (vss daemon start)`);
  if (!w.devices.online(c.device_uuid)) return notCounted(`${deviceCopy(c)} can't be confirmed now (${c.device_name ?? 'the device'} is offline)`);
  return COUNTS;
}

/**
 * The contents that LEAVING (files of this device's locations deleted, replaced, or moved: `to`
 * the location they land in, null when out of the library's sight) would leave below their
 * policy, at a first look (firstLook): what a plan refuses at once and a dry run lists. The drop
 * itself is weighed again, with every witness asked (weighDrop).
 */
export function belowPolicy(lib: Library, leaving: readonly LeavingFile[], witnesses: Witnesses = {}): GuardianBelowPolicy[] {
  const { cases, unknown } = casesOf(lib, leaving);
  const out: GuardianBelowPolicy[] = unknown.filter((u) => u.copy === undefined).map((u) => u.below);
  for (const k of cases) k.copies.forEach((c, i) => k.verdicts.set(i, firstLook(c, witnesses)));
  // A file whose times changed but not its size is taken for its content until the drop is weighed (weighDrop hashes it).
  for (const u of unknown) if (u.copy) u.copy.k.verdicts.set(u.copy.i, COUNTS);
  for (const k of cases) {
    const short = judged(k);
    if (short) out.push(short);
  }
  return out;
}

/** A drop weighed: what it would leave short, and what the weighing holds until the drop ends. */
export interface DropHold {
  /** The contents it would leave below their policy (empty: it may go on). */
  below: GuardianBelowPolicy[];
  /** A file of the drop that another device has locked now (it counts on it): the drop waits for that lock to end. */
  lockedBy?: { device: string; path: string };
  /** Whether every lock the weighing leaned on is still held: asked before each file goes. */
  holds(): boolean;
  /** End it: the other devices' locks released, this device's files no longer marked going. */
  release(): Promise<void>;
}

/**
 * Weigh the drop of LEAVING as it runs (DESIGN §19): its files are marked going (a peer asking to
 * lock one is refused), this device's copies are looked at now; where a content would still fall
 * short, its bucket objects are confirmed (HEAD) and the devices holding it asked to lock their
 * copies; and a content left with no spare copy has its remaining small files here hashed again
 * (a mismatch is recorded as rot, and that file does not count). PERMANENT (the bytes go for good:
 * the trash emptied, the sweep, `--permanent`): the files here each content leans on are read
 * whole instead, whatever their size (readLeanedOn). The caller holds the result while it deletes
 * (checking `holds()` before each file) and releases it after, whatever happened.
 * FORCED (--force): nothing is weighed; the files are still marked going, and one another device
 * has locked still makes the drop wait.
 */
export async function weighDrop(lib: Library, leaving: readonly LeavingFile[], witnesses: Witnesses = {}, opts: { signal?: AbortSignal; forced?: boolean; permanent?: boolean } = {}): Promise<DropHold> {
  const { signal } = opts;
  const locks = copyLocksOf(lib);
  const files: LockedFile[] = leaving.map((f) => ({ locationId: f.locationId, rel: f.rel }));
  for (let i = 0; i < files.length; i++) {
    const by = locks.lockedBy(files[i]!);
    if (by !== undefined) return { below: [], lockedBy: { device: by, path: leaving[i]!.path }, holds: () => false, release: async () => undefined };
  }
  const endGoing = locks.markGoing(files);
  const remote: RemoteLock[] = [];
  const release = async () => {
    endGoing();
    await Promise.allSettled(remote.splice(0).map((r) => r.release()));
  };
  // Forced: the user takes what falls short; the files still go only as no other device counts on them.
  if (opts.forced) return { below: [], holds: () => true, release };
  try {
    const { cases, unknown } = casesOf(lib, leaving);
    // A file here that another drop of this device takes away now (marked going, in the same turn as this drop's own) does not
    // count: two drops at once (a replace a peer asked, and a delete) never both lean on each other's copy.
    const elsewhere = (k: Case, c: GuardCopy) => !isGoing(k, c) && c.location_id !== null && locks.isGoing({ locationId: c.location_id, rel: c.rel_path });
    for (const k of cases) k.copies.forEach((c, i) => { if (c.here === 1) k.verdicts.set(i, elsewhere(k, c) ? notCounted(`${shownHere(c)} is being deleted, moved or replaced by another operation now`) : hereVerdict(c)); });
    const still = await stillUnknown(lib, unknown, signal);
    if (opts.permanent) await readLeanedOn(lib, cases, signal);
    // Each further witness is asked only for the contents still short without it.
    await askObjects(cases.filter((k) => judged(k) !== null), witnesses, signal);
    await askDevices(cases.filter((k) => judged(k) !== null), witnesses, remote, signal);
    if (!opts.permanent) await hashEdges(lib, cases.filter((k) => judged(k) === null), signal);
    const below = [...still, ...cases.map(judged).filter((b): b is GuardianBelowPolicy => b !== null)];
    return { below, holds: () => remote.every((r) => r.alive()), release };
  } catch (err) {
    await release();
    throw err;
  }
}

/** The bucket objects of CASES confirmed now, a few at once. */
async function askObjects(cases: readonly Case[], w: Witnesses, signal?: AbortSignal): Promise<void> {
  const asks: Array<{ k: Case; i: number; c: GuardCopy }> = [];
  for (const k of cases) k.copies.forEach((c, i) => { if (c.here !== 1 && c.device_uuid === null) asks.push({ k, i, c }); });
  let next = 0;
  const worker = async () => {
    while (next < asks.length) {
      const { k, i, c } = asks[next++]!;
      signal?.throwIfAborted();
      let v: Verdict;
      if (!w.object) v = notCounted(`${bucketCopy(c)} can't be confirmed now`);
      else v = await w.object(c, signal).catch((err: unknown) => notCounted(`${bucketCopy(c)} can't be confirmed now (${(err as Error).message})`));
      k.verdicts.set(i, v.counts ? v : notCounted(v.why.startsWith('the ') ? v.why : `${bucketCopy(c)}: ${v.why}`));
    }
  };
  await Promise.all(Array.from({ length: Math.min(OBJECTS_AT_ONCE, asks.length) }, worker));
}

/** The devices holding copies of CASES asked to lock them for this drop, all at once; the locks held go into REMOTE. */
async function askDevices(cases: readonly Case[], w: Witnesses, remote: RemoteLock[], signal?: AbortSignal): Promise<void> {
  const byDevice = new Map<string, Array<{ k: Case; i: number; c: GuardCopy }>>();
  for (const k of cases) {
    k.copies.forEach((c, i) => {
      if (c.here === 1 || c.device_uuid === null) return;
      if (c.location_uuid === null) {
        k.verdicts.set(i, notCounted(`${deviceCopy(c)} can't be confirmed now (its location is not known by id)`));
        return;
      }
      let list = byDevice.get(c.device_uuid);
      if (!list) byDevice.set(c.device_uuid, (list = []));
      list.push({ k, i, c });
    });
  }
  await Promise.all([...byDevice].map(async ([device, asks]) => {
    const name = asks[0]!.c.device_name ?? device;
    const refuse = (why: string) => { for (const { k, i, c } of asks) k.verdicts.set(i, notCounted(`${deviceCopy(c)} can't be confirmed now (${why})`)); };
    if (!w.devices) return refuse(`no daemon runs to ask ${name}: vss daemon start`);
    if (!w.devices.online(device)) return refuse(`${name} is offline`);
    for (let at = 0; at < asks.length; at += MAX_LOCK_COPIES) {
      const part = asks.slice(at, at + MAX_LOCK_COPIES);
      let lock: RemoteLock;
      try {
        lock = await w.devices.lock(device, part.map(({ c }) => ({ content_uuid: c.content_uuid, location: c.location_uuid!, rel_path: c.rel_path, size: c.size })), signal);
      } catch (err) {
        if (signal?.aborted) throw err;
        for (const { k, i, c } of part) k.verdicts.set(i, notCounted(`${deviceCopy(c)} can't be confirmed now (${name} did not answer: ${(err as Error).message})`));
        continue;
      }
      remote.push(lock);
      part.forEach(({ k, i, c }, j) => {
        k.verdicts.set(i, lock.held.has(j) ? COUNTS : notCounted(`${deviceCopy(c)} is not confirmed by ${name}: ${lock.refused.get(j) ?? 'no answer for it'}`));
      });
    }
  }));
}

/**
 * A content the drop leaves with no spare copy leans on its remaining files here: the small ones
 * (whose content id is their whole BLAKE3) are hashed again now. Bytes that are not the content's
 * are recorded as rot (as a scrub would) and that file stops counting.
 */
async function hashEdges(lib: Library, cases: readonly Case[], signal?: AbortSignal): Promise<void> {
  for (const k of cases) {
    const { after } = numbers(k);
    if (after.copies > k.policy.copies) continue;
    for (let i = 0; i < k.copies.length; i++) {
      const c = k.copies[i]!;
      if (c.here !== 1 || isGoing(k, c) || k.verdicts.get(i)?.counts !== true) continue;
      const why = await hashedAgain(lib, c, signal);
      if (why !== undefined) k.verdicts.set(i, notCounted(why));
    }
  }
}

/** A file here the permanent step has not read yet: it does not count until it is read. */
const NOT_READ = notCounted('not read whole yet');

/**
 * The permanent step (DESIGN §21): a content's files here count only once read whole now and
 * matched, whatever their size, as nobody waits on it (a large rotten copy must not vouch
 * unread). They are read one at a time until the content meets its policy on the files read (one
 * good copy where the policy asks one); a rotten one is recorded, and the next is read. A content
 * still short then asks its other witnesses, as any drop does.
 */
async function readLeanedOn(lib: Library, cases: readonly Case[], signal?: AbortSignal): Promise<void> {
  for (const k of cases) {
    const unread = k.copies.flatMap((c, i) => (c.here === 1 && !isGoing(k, c) && k.verdicts.get(i)?.counts === true ? [i] : []));
    for (const i of unread) k.verdicts.set(i, NOT_READ);
    const going = goingBytes(k.path, signal);
    for (const i of unread) {
      if (judged(k) === null) break;
      k.verdicts.set(i, await readWhole(lib, k.copies[i]!, going, signal));
    }
  }
}

/**
 * This device's copies of the contents a peer asks to lock for its drop (the holder's side of the
 * lock: DESIGN §19). Each is found by its location (uuid) and path, must be the content asked and
 * pass the evidence rule now; the asker leans on each, so a small one is hashed again first (as
 * the last good copy here is before the other goes: rot that kept size, times and inode is found,
 * recorded, and the copy refused); those this device is dropping itself are refused. BY names the
 * asking device. Returns the indices held, why not the others, and the release.
 */
export async function lockForPeer(lib: Library, by: string, copies: readonly RemoteCopy[], ms?: number, signal?: AbortSignal): Promise<{ held: number[]; refused: Map<number, string>; release: () => void }> {
  const refused = new Map<number, string>();
  const ours = new Map(lib.store.locations.ofDevice(lib.deviceId).map((l) => [l.uuid, l]));
  const uuids = [...new Set(copies.map((c) => c.content_uuid))];
  const here = new Map<string, GuardCopy>();
  for (const c of copiesNow(lib, uuids)) {
    if (c.here === 1 && c.location_id !== null) here.set(`${c.content_uuid}\0${c.location_id}\0${c.rel_path}`, c);
  }
  const found = (asked: RemoteCopy, i: number): GuardCopy | undefined => {
    const loc = ours.get(asked.location);
    if (!loc) return void refused.set(i, 'no such location on this device');
    const c = here.get(`${asked.content_uuid}\0${loc.id}\0${asked.rel_path}`);
    if (!c) return void refused.set(i, 'the file is not there as that content (moved, deleted or changed)');
    const v = hereVerdict(c);
    if (!v.counts) return void refused.set(i, v.why);
    return c;
  };
  const looked = copies.map((asked, i) => ({ i, c: found(asked, i) }));
  // One read a file, however many times the ask names it.
  const rotOf = new Map<GuardCopy, string | undefined>();
  for (const { i, c } of looked) {
    if (!c) continue;
    if (!rotOf.has(c)) rotOf.set(c, await hashedAgain(lib, c, signal));
    const rot = rotOf.get(c);
    if (rot !== undefined) refused.set(i, rot);
  }
  // After the reads: each looked at again, and all locked in one synchronous step.
  const candidates: Array<{ i: number; file: LockedFile }> = [];
  for (const { i, c } of looked) {
    if (!c || refused.has(i)) continue;
    const v = hereVerdict(c);
    if (!v.counts) refused.set(i, v.why);
    else candidates.push({ i, file: { locationId: c.location_id!, rel: c.rel_path } });
  }
  const lock = copyLocksOf(lib).lock(candidates.map((c) => c.file), by, ms);
  for (const j of lock.going) refused.set(candidates[j]!.i, 'this device is deleting or moving it now');
  return { held: lock.held.map((j) => candidates[j]!.i), refused, release: lock.release };
}

/**
 * The files of UNKNOWN whose bytes are still unknown once the small ones indexed as a content are
 * hashed now: a chmod, a `touch` or a `chattr` changes a file's times, not its bytes, and a file
 * whose bytes are still its content's counts as that copy (so its drop is weighed as any other).
 */
async function stillUnknown(lib: Library, unknown: readonly Unknown[], signal?: AbortSignal): Promise<GuardianBelowPolicy[]> {
  const out: GuardianBelowPolicy[] = [];
  for (const u of unknown) {
    if (u.copy && (await sameBytesNow(lib, u.copy.k.copies[u.copy.i]!, signal))) u.copy.k.verdicts.set(u.copy.i, COUNTS);
    else out.push(u.below);
  }
  return out;
}

/** What the guard says when a copy is counted (the refusal's reminder of the rule). */
const RULE = 'a copy counts when it can be confirmed now: a file here unchanged since it was indexed and not rotten, another device\'s copy locked by that device, a bucket\'s object checked';

/**
 * The refusal of a VERB that would leave BELOW short of their policy: each content named (a few),
 * and why; SINCE, a sentence on what changed since it was asked (a job weighed again as it runs).
 */
export function policyRefusal(verb: 'delete' | 'move' | 'copy' | 'replace', below: readonly GuardianBelowPolicy[], since = ''): VssError {
  const n = below.length;
  const named = below.slice(0, NAMED).map(describeBelow).join('; ');
  const more = n > NAMED ? `; and ${n - NAMED} more (--dry-run lists them all)` : '';
  const forGood = verb === 'delete' ? ' A delete for good is the permanent step (a delete into the trash, without --permanent, is never refused: the Guardian weighs it when the trash is emptied).' : '';
  return new VssError('POLICY', `refused: this ${verb} would leave ${n === 1 ? 'a content' : `${n} contents`} below ${n === 1 ? 'its' : 'their'} policy (${RULE}): ${named}${more}.${since}${forGood} ${since ? 'Ask again, with --force' : 'Add --force'} to ${verb === 'replace' ? 'replace' : verb} anyway`, { path: below[0]?.path });
}

/** One content short of its policy, in words: "content U (PATH): 1 copy left, its policy asks 2 (not counted: …)". */
export function describeBelow(b: GuardianBelowPolicy): string {
  if (b.changed !== undefined) return `${b.path}: ${b.changed}`;
  const uncounted = b.uncounted && b.uncounted.length > 0 ? ` (not counted: ${b.uncounted.join('; ')}${b.not_counted > b.uncounted.length ? `; and ${b.not_counted - b.uncounted.length} more` : ''})`
    : b.not_counted > 0 ? ` (${b.not_counted} more not counted)` : '';
  if (b.of === 'copies' && b.have === 0) {
    return `${b.not_counted === 0 ? 'the last copy in the library' : 'the last copy that can be confirmed now'} of content ${b.content_uuid} (${b.path})${uncounted}`;
  }
  const one = b.have === 1;
  const noun = b.of === 'devices' ? (one ? 'device' : 'devices') : `${one ? 'copy' : 'copies'}${b.of === 'offsite' ? ' off this device' : ''}`;
  return `content ${b.content_uuid} (${b.path}): ${b.have} ${noun} left, its policy asks ${b.policy}${uncounted}`;
}
