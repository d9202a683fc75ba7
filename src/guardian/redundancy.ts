import { UsageError } from '../core/errors.js';
import type { Library } from '../library/library.js';
import type { GuardianCopy, GuardianQuery } from '../store/guardian.js';
import { libraryProtection } from './library-backups.js';
import type { ContentSafety, GuardianAtRisk, GuardianCopyView, GuardianNumbers, GuardianStatus } from '../wire/guardian.js';
import { libraryPolicy, policyChosen } from './policy.js';

/** A copy whose drive or device was not seen for this long is stale: it may be gone. */
export const STALE_AFTER_MS = 30 * 24 * 3600 * 1000;

/** Contents one at-risk list names at most, and by default. */
export const MAX_AT_RISK = 10_000;
export const DEFAULT_AT_RISK = 100;

/** What the Guardian's queries are asked with now: this device, the staleness window, the library's policy. */
export function guardianQuery(lib: Library, now: number): GuardianQuery {
  return query(lib, now);
}

function query(lib: Library, now: number): GuardianQuery {
  return { selfId: lib.deviceId, now, staleBefore: now - STALE_AFTER_MS, ...libraryPolicy(lib) };
}

/**
 * How safe the library's contents are (`guardian status`): contents and bytes that meet their
 * policy, fall short, exist once, or exist only on drives or devices not seen for 30 days; and
 * what each device holds. Two grouped queries, whatever the library's size.
 */
export function guardianStatus(lib: Library, now = Date.now(), protectSchedule: GuardianStatus['protect_schedule'] = null): GuardianStatus {
  const q = query(lib, now);
  const c = lib.store.guardian.counts(q);
  const self = lib.device.uuid;
  return {
    policy: { copies: q.copies, devices: q.devices, offsite: q.offsite }, policy_chosen: policyChosen(lib),
    contents: c.all.contents, bytes: c.all.bytes,
    safe: c.safe, short: c.short, lost: c.lost, single: c.single, stale: c.stale, rot: lib.store.rot.counts(), trash: trashTotals(lib), library: libraryProtection(lib, now),
    by_device: lib.store.guardian.byDevice(lib.deviceId, c.here).map((d) => ({
      // This device by the name it has now (a rename reaches its row only when the library is opened again).
      device_id: d.device_uuid, name: d.device_uuid === self ? lib.device.name : d.name, contents: d.contents, bytes: d.bytes, last_seen: d.device_uuid === self ? now : d.last_seen_at,
      unconfirmed_since: d.unconfirmed_since,
    })),
    protect_schedule: protectSchedule,
  };
}

/**
 * The contents short of their policy (`guardian list --at-risk`), fewest copies first, then the
 * largest, LIMIT of them, each with every file that holds it. ONLINE: the paired devices
 * connected now (none without a daemon).
 */
export function atRisk(lib: Library, online: ReadonlySet<string>, opts: { limit?: number } = {}, now = Date.now()): GuardianAtRisk[] {
  const limit = opts.limit ?? DEFAULT_AT_RISK;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AT_RISK) throw new UsageError(`--limit is a whole number from 1 to ${MAX_AT_RISK}, got ${String(limit)}`);
  const self = lib.device.uuid;
  const judged = lib.store.guardian.atRisk(query(lib, now), limit);
  const copies = new Map<string, GuardianCopyView[]>();
  for (const c of lib.store.guardian.copiesOf(judged.map((j) => j.content_uuid), self)) {
    let list = copies.get(c.content_uuid);
    if (!list) copies.set(c.content_uuid, (list = []));
    list.push(copyView(c, self, online));
  }
  return judged.map((j) => {
    const policy = { copies: j.need_copies, devices: j.need_devices, offsite: j.need_offsite };
    const has = { copies: j.copies, devices: j.devices, offsite: j.offsite };
    return { content_uuid: j.content_uuid, size: j.size, kind: j.kind, policy, has, copies: copies.get(j.content_uuid) ?? [], short_by: shortBy(policy, has), lost: j.copies === 0 };
  });
}

/** The contents short of their policy now, the first MAX_AT_RISK as `atRisk` orders them (the grid's at-risk filter). */
export function atRiskUuids(lib: Library, now = Date.now()): string[] {
  return lib.store.guardian.atRisk(query(lib, now), MAX_AT_RISK).map((j) => j.content_uuid);
}

/** Content UUID against its policy (its detail view); null when no copy of it is known. */
export function contentSafety(lib: Library, uuid: string, now = Date.now()): ContentSafety | null {
  const j = lib.store.guardian.judge(query(lib, now), uuid);
  if (!j) return null;
  const policy = { copies: j.need_copies, devices: j.need_devices, offsite: j.need_offsite };
  const has = { copies: j.copies, devices: j.devices, offsite: j.offsite };
  const short = shortBy(policy, has);
  return { policy, policy_chosen: policyChosen(lib), has, short_by: short, safe: short.copies === 0 && short.devices === 0 && short.offsite === 0 };
}

/** How many copies each of UUIDS has, as the Guardian counts them (the grid marks a content that exists once). */
export function copyCounts(lib: Library, uuids: readonly string[]): Map<string, number> {
  return lib.store.guardian.copyCounts(uuids);
}

/** How many more of each a content needs (0 where it has enough). */
export function shortBy(policy: GuardianNumbers, has: GuardianNumbers): GuardianNumbers {
  return {
    copies: Math.max(0, policy.copies - has.copies),
    devices: Math.max(0, policy.devices - has.devices),
    offsite: Math.max(0, policy.offsite - has.offsite),
  };
}


function copyView(c: GuardianCopy, self: string, online: ReadonlySet<string>): GuardianCopyView {
  const here = c.device_uuid === self;
  return {
    device_id: c.device_uuid, device_name: c.device_name ?? c.device_uuid, location: c.location_name,
    path: joinShown(c.location_path, c.rel_path), volume: c.volume_name ?? c.volume_fingerprint, verified_at: c.verified_at,
    online: c.location_online === 1 && (here || online.has(c.device_uuid)),
    rotten: c.rotten === 1,
    unconfirmed: c.unconfirmed === 1,
  };
}

/** A location's folder and a path in it, in the separators of the device that holds it. */
function joinShown(root: string, rel: string): string {
  const sep = root.includes('\\') && !root.includes('/') ? '\\' : '/';
  const tail = rel.split('/').join(sep);
  return root.endsWith(sep) ? `${root}${tail}` : `${root}${sep}${tail}`;
}

/** The trash's files and bytes (no copies), and how many contents have their only bytes there. */
function trashTotals(lib: Library): GuardianStatus['trash'] {
  const { files, bytes } = lib.store.trash.totals();
  if (files === 0) return { files, bytes, last: 0 };
  const uuids = lib.store.trash.contents();
  const counts = copyCounts(lib, uuids);
  return { files, bytes, last: uuids.filter((u) => (counts.get(u) ?? 0) === 0).length };
}
