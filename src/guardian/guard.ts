import { join } from 'node:path';
import { VssError } from '../core/errors.js';
import type { LeavingFile } from '../files/plan.js';
import type { Library } from '../library/library.js';
import { factsAt } from '../storage/local-tree.js';
import type { GuardCopy } from '../store/guardian.js';
import type { GuardianBelowPolicy, GuardianNumbers } from '../wire/guardian.js';
import { libraryPolicy } from './policy.js';
import { STALE_AFTER_MS } from './redundancy.js';

/**
 * How long a copy that cannot be looked at now (on another device, or on a drive of this one that
 * is not mounted) keeps counting for the guard: it counts while its last whole-hash check or the
 * last time its device (or drive) was seen is this recent. The same 30 days after which `guardian
 * status` calls a copy stale: one notion of "still there" for the counts and the guard. A device
 * seen within it sent its index then, which still named the file; one away for months may have
 * lost it, and git-annex's lesson is to drop nothing on a copy nobody can vouch for.
 */
export const GUARD_WINDOW_MS = STALE_AFTER_MS;
const WINDOW_DAYS = Math.round(GUARD_WINDOW_MS / (24 * 3600_000));

/** Contents a refusal names (all are in a dry run's list). */
const NAMED = 10;

/** A copy as the rule weighs it: its device, whether it is this one, and the store (drive, or a paired device's location) it is in. */
export interface Weighed {
  /** Null for an object in a bucket: a copy, off this device, but no device. */
  device: string | null;
  here: boolean;
  place: string;
}

/** What vouches for a copy now. */
export interface Evidence {
  here: boolean;
  /** Its location is reachable on this device now (its drive mounted). */
  reachable: boolean;
  /** The file is there now, with the size the index knows (looked at only for a reachable copy here). */
  present: boolean;
  verified_at: number | null;
  /** When its device (another one) or its drive (this device's) was last seen. */
  seen_at: number | null;
}

/**
 * Whether a copy counts for the guard at NOW: one here that can be looked at counts when it is
 * there; any other counts while it was verified or seen within WINDOW.
 */
export function vouchedFor(c: Evidence, now: number, window = GUARD_WINDOW_MS): boolean {
  if (c.here && c.reachable) return c.present;
  return Math.max(c.verified_at ?? 0, c.seen_at ?? 0) >= now - window;
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
 * content was already short), and one that lowers a number the policy still meets is not either.
 */
export function fallsShort(before: GuardianNumbers, after: GuardianNumbers, policy: GuardianNumbers): { of: keyof GuardianNumbers; have: number; policy: number } | null {
  for (const of of ['copies', 'devices', 'offsite'] as const) {
    if (after[of] < before[of] && after[of] < policy[of]) return { of, have: after[of], policy: policy[of] };
  }
  return null;
}

/**
 * The contents that LEAVING (files of this device's locations deleted, or moved: `to` the
 * location they land in, null when out of the library's sight) would leave below their policy:
 * the strictest of the library's, their locations' and their tags', counting the copies that
 * vouch for themselves now (vouchedFor). One read of their copies, a look at each copy here.
 */
export function belowPolicy(lib: Library, leaving: readonly LeavingFile[], now = Date.now()): GuardianBelowPolicy[] {
  const { store } = lib;
  const changes = new Map<string, { path: string; going: Set<string>; to: Set<number> }>();
  for (const f of leaving) {
    const uuid = f.content_uuid ?? store.entries.fileAt(f.locationId, f.rel)?.content_uuid;
    if (!uuid) continue;
    let c = changes.get(uuid);
    if (!c) changes.set(uuid, (c = { path: f.path, going: new Set(), to: new Set() }));
    c.going.add(`${f.locationId}\0${f.rel}`);
    if (f.to !== undefined && f.to !== null) c.to.add(f.to);
  }
  if (changes.size === 0) return [];
  const uuids = [...changes.keys()];
  const copies = new Map<string, GuardCopy[]>();
  for (const c of store.guardian.guardCopies(uuids, lib.deviceId)) {
    let list = copies.get(c.content_uuid);
    if (!list) copies.set(c.content_uuid, (list = []));
    list.push(c);
  }
  const tags = new Map(store.guardian.tagPolicies(uuids).map((t) => [t.content_uuid, t]));
  const library = libraryPolicy(lib);
  const self = lib.device.uuid;
  const placeOfLocation = new Map<number, string>();
  const landing = (id: number): Weighed => {
    let place = placeOfLocation.get(id);
    if (place === undefined) {
      const volume = store.locations.ofDeviceById(id, lib.deviceId)?.volume_id;
      placeOfLocation.set(id, (place = volume !== null && volume !== undefined ? `v${volume}` : `l${id}`));
    }
    return { device: self, here: true, place };
  };

  const out: GuardianBelowPolicy[] = [];
  for (const [uuid, change] of changes) {
    const all = copies.get(uuid) ?? [];
    const going = (c: GuardCopy) => c.here === 1 && change.going.has(`${c.location_id}\0${c.rel_path}`);
    // The files it takes away are there: the plan looked at each.
    const counted = all.filter((c) => going(c) || vouchedFor(evidence(c), now));
    const weigh = (c: GuardCopy): Weighed => ({ device: c.device_uuid, here: c.here === 1, place: c.place });
    const before = tally(counted.map(weigh));
    const after = tally([...counted.filter((c) => !going(c)).map(weigh), ...[...change.to].map(landing)]);
    const tag = tags.get(uuid);
    const policy = {
      copies: Math.max(library.copies, ...all.map((c) => c.lc ?? 0), tag?.copies ?? 0),
      devices: Math.max(library.devices, ...all.map((c) => c.ld ?? 0), tag?.devices ?? 0),
      offsite: Math.max(library.offsite, ...all.map((c) => c.lo ?? 0), tag?.offsite ?? 0),
    };
    const short = fallsShort(before, after, policy);
    if (short) out.push({ content_uuid: uuid, path: change.path, have: short.have, policy: short.policy, of: short.of, not_counted: all.length - counted.length });
  }
  return out;
}

/** What vouches for copy C now: a copy here on a mounted drive is looked at. */
function evidence(c: GuardCopy): Evidence {
  const here = c.here === 1;
  const reachable = here && c.location_online === 1;
  let present = false;
  if (reachable) {
    const st = factsAt(join(c.location_path, ...c.rel_path.split('/')));
    present = st?.kind === 'file' && st.size === c.size;
  }
  return { here, reachable, present, verified_at: c.verified_at, seen_at: c.seen_at };
}

/**
 * The refusal of a VERB that would leave BELOW short of their policy: each content named (a few),
 * and why; SINCE, a sentence on what changed since it was asked (a job weighed again as it runs).
 */
export function policyRefusal(verb: 'delete' | 'move' | 'copy', below: readonly GuardianBelowPolicy[], since = ''): VssError {
  const n = below.length;
  const named = below.slice(0, NAMED).map(describeBelow).join('; ');
  const more = n > NAMED ? `; and ${n - NAMED} more (--dry-run lists them all)` : '';
  const forGood = verb === 'delete' ? ' Deleting is for good (no trash).' : '';
  return new VssError('POLICY', `refused: this ${verb} would leave ${n === 1 ? 'a content' : `${n} contents`} below ${n === 1 ? 'its' : 'their'} policy (a copy counts when it is here now, or was verified or seen in the last ${WINDOW_DAYS} days): ${named}${more}.${since}${forGood} ${since ? 'Ask again, with --force' : 'Add --force'} to ${verb} anyway`, { path: below[0]?.path });
}

/** One content short of its policy, in words: "content U (PATH): 1 copy left, its policy asks 2". */
export function describeBelow(b: GuardianBelowPolicy): string {
  const uncounted = b.not_counted > 0 ? ` (${b.not_counted} more not verified in the last ${WINDOW_DAYS} days)` : '';
  if (b.of === 'copies' && b.have === 0) {
    return `${b.not_counted === 0 ? 'the last copy in the library' : `the last copy verified in ${WINDOW_DAYS} days`} of content ${b.content_uuid} (${b.path})${uncounted}`;
  }
  const one = b.have === 1;
  const noun = b.of === 'devices' ? (one ? 'device' : 'devices') : `${one ? 'copy' : 'copies'}${b.of === 'offsite' ? ' off this device' : ''}`;
  return `content ${b.content_uuid} (${b.path}): ${b.have} ${noun} left, its policy asks ${b.policy}${uncounted}`;
}
