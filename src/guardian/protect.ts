import { join, posix } from 'node:path';
import { VssError } from '../core/errors.js';
import { wholeBlake3Of } from '../content/whole-blake3.js';
import { formatBytes } from '../core/format.js';
import type { FileOpParams } from '../files/file-op.js';
import { placeOf } from '../files/places.js';
import { anchorOf, type Anchor } from '../files/volume-reach.js';
import type { Library } from '../library/library.js';
import type { NewFileOpItem } from '../store/file-op-items.js';
import type { GuardCopy, JudgedContent } from '../store/guardian.js';
import type { GuardianProtectPlan } from '../wire/guardian.js';
import { protectTargets, type BucketTarget, type DeviceTarget, type DeviceTargetResolver, type ProtectTarget } from './protect-targets.js';
import { kindCaps } from '../storage/storages.js';
import { guardianQuery } from './redundancy.js';
import { copyHereVerdict } from './evidence.js';

/** Contents one protect plans at most (fewest copies first): the rest wait for the next run. */
export const MAX_PROTECT = 100_000;
/** Contents whose copies are read at once. */
const CHUNK = 500;

/**
 * A protect planned: what the dry run shows, and the copy job's items and params. To a paired
 * device (DEVICE), each item's `dst` is its path in that device's location, not a path here.
 */
export interface ProtectPlanned {
  shown: GuardianProtectPlan;
  items: NewFileOpItem[];
  params: FileOpParams;
  device?: DeviceTarget;
  bucket?: BucketTarget;
}

/**
 * The copies that bring the contents short of their policy up to it (`guardian protect`, issue
 * 30), onto TO (see protect-targets.ts) or, with no TO, the first drive of this device with room
 * that does not hold the content. Counted as the Guardian counts: a copy is a drive; a content
 * gets no more copies than it lacks, and none on a drive that holds it. Each copy is of a file of
 * the content on this device, online now; a content only paired devices hold, or short only of
 * devices or copies off this device, is named in `not_planned` with the reason. A named target a
 * plan does not fit is refused; chosen drives take what fits and the rest is named.
 */
export function planProtect(lib: Library, to: string | undefined, opts: { now?: number; device?: DeviceTargetResolver } = {}): ProtectPlanned {
  const now = opts.now ?? Date.now();
  const targets = protectTargets(lib, to, opts.device);
  const judged = lib.store.guardian.atRisk(guardianQuery(lib, now), MAX_PROTECT + 1);
  const more = judged.length > MAX_PROTECT;
  if (more) judged.length = MAX_PROTECT;
  const used = new Map<ProtectTarget, { files: number; bytes: number }>(targets.map((t) => [t, { files: 0, bytes: 0 }]));
  const items: NewFileOpItem[] = [];
  const notPlanned: GuardianProtectPlan['not_planned'] = [];
  const anchors = new Map<string, Anchor>();
  const locNames = new Map<number, string>();
  const taken = new Set<string>();
  /** The folder a source location's copies go into: its name, or with its id where another location of the plan has that name. */
  const locName = (id: number) => {
    let n = locNames.get(id);
    if (n === undefined) {
      n = lib.store.locations.byId(id)?.name ?? String(id);
      if (taken.has(n)) n = `${n} (${id})`;
      taken.add(n);
      locNames.set(id, n);
    }
    return n;
  };
  const roots = new Map<number, string>();
  const rootOf = (id: number) => {
    let r = roots.get(id);
    if (r === undefined) roots.set(id, (r = lib.store.locations.byId(id)!.path));
    return r;
  };
  const anchor = (dir: string) => {
    if (!anchors.has(dir)) anchors.set(dir, anchorOf(dir));
  };
  // What a device unconfirmed since a restore holds is only what the snapshot said: the counts
  // leave its copies out (evidence.ts), and so does what a target is taken to hold already, or a
  // content it may have lost is never sent to it again.
  const unconfirmed = new Set(lib.store.devices.all().filter((d) => d.unconfirmed_since !== null).map((d) => d.uuid));
  let contents = 0;
  for (let i = 0; i < judged.length; i += CHUNK) {
    const chunk = judged.slice(i, i + CHUNK);
    const copies = groupBy(lib.store.guardian.guardCopies(chunk.map((j) => j.content_uuid), lib.deviceId));
    for (const j of chunk) {
      const c = copies.get(j.content_uuid) ?? [];
      // A paired device that lacks the content adds a copy, a device and a copy off this one at once; a bucket a copy and one off this device.
      const kind = targets[0]?.kind;
      const missing = kind === 'device' ? Math.max(j.need_copies - j.copies, j.need_devices - j.devices, j.need_offsite - j.offsite)
        : kind === 'bucket' ? Math.max(j.need_copies - j.copies, j.need_offsite - j.offsite) : j.need_copies - j.copies;
      const why = (reason: string) => notPlanned.push({ content_uuid: j.content_uuid, reason });
      if (missing <= 0) {
        why(elsewhereReason(j));
        continue;
      }
      const source = sourceOf(c);
      if (!source) {
        why(noSourceReason(lib, c));
        continue;
      }
      const holding = new Set(c.flatMap((x) => (x.here === 1 || x.device_uuid === null ? [x.place] : unconfirmed.has(x.device_uuid) ? [] : [`device:${x.device_uuid}`])));
      let planned = 0;
      let full = 0;
      for (const t of targets) {
        if (planned === missing) break;
        const u = used.get(t)!;
        const srcRel = source.rel_path.split('/');
        if (t.kind === 'bucket') {
          if (holding.has(`b${t.volumeId}`)) continue;
          u.files++;
          u.bytes += j.size;
          planned++;
          items.push({ kind: 'file', src: join(rootOf(source.location_id!), ...srcRel), dst: posix.join(t.dir, locName(source.location_id!), ...srcRel), size: j.size, meta: null });
          continue;
        }
        if (t.kind === 'device') {
          if (holding.has(`device:${t.deviceUuid}`)) continue;
          u.files++;
          u.bytes += j.size;
          planned++;
          items.push({ kind: 'file', src: join(rootOf(source.location_id!), ...srcRel), dst: posix.join(t.dir, locName(source.location_id!), ...srcRel), size: j.size, meta: null });
          continue;
        }
        if (holding.has(t.store)) continue;
        if (!t.named && u.bytes + j.size > t.room) {
          full++;
          continue;
        }
        holding.add(t.store);
        u.files++;
        u.bytes += j.size;
        planned++;
        const srcRoot = rootOf(source.location_id!);
        anchor(srcRoot);
        anchor(rootOf(t.locationId));
        items.push({ kind: 'file', src: join(srcRoot, ...srcRel), dst: join(t.dir, locName(source.location_id!), ...srcRel), size: j.size, meta: null });
      }
      if (planned > 0) contents++;
      if (planned < missing) why(shortfallReason(planned, missing, targets, full, to));
    }
  }
  for (const t of targets) {
    const u = used.get(t)!;
    if (t.kind === 'local' && t.named && u.bytes > t.room) {
      throw new VssError('IO', `--to ${to}: the copies need ${formatBytes(u.bytes)} and ${t.dir} may take ${formatBytes(t.room)} (${formatBytes(t.free)} free; a protect leaves 5% of a drive free): make room, or give another target`, { path: t.dir });
    }
  }
  const shown: GuardianProtectPlan = {
    contents, files: items.length, bytes: items.reduce((n, it) => n + it.size, 0),
    targets: targets.filter((t) => used.get(t)!.files > 0 || t.named).map((t) => (t.kind === 'device'
      ? { target: deviceShown(t), drive: null, ...used.get(t)!, free_bytes: null }
      : t.kind === 'bucket' ? { target: `${t.url}/${t.dir}`, drive: t.name, ...used.get(t)!, free_bytes: null }
        : { target: t.dir, drive: t.drive, ...used.get(t)!, free_bytes: t.free })),
    not_planned: notPlanned, more,
  };
  const first = targets[0];
  if (first?.kind === 'device') return { shown, items, params: { op: 'copy', on_conflict: 'keep-both', outside_library: false, anchors: [...anchors.values()] }, device: first };
  if (first?.kind === 'bucket') return { shown, items, params: { op: 'copy', on_conflict: 'keep-both', outside_library: false, anchors: [...anchors.values()] }, bucket: first };
  const params: FileOpParams = { op: 'copy', on_conflict: 'keep-both', outside_library: false, anchors: [...anchors.values()], ...(to !== undefined && first ? { dst: first.dir } : {}) };
  return { shown, items, params };
}

/**
 * The first file of the content on this device that counts as a copy now (evidence.ts: there,
 * unchanged since indexed, not rotten); the copy job verifies its bytes as it reads them.
 */
function sourceOf(copies: readonly GuardCopy[]): GuardCopy | undefined {
  return copies.find((c) => c.here === 1 && c.location_id !== null && copyHereVerdict(c).counts);
}

function elsewhereReason(j: JudgedContent): string {
  const what = j.devices < j.need_devices ? `${j.need_devices - j.devices} more device${j.need_devices - j.devices === 1 ? '' : 's'}` : `${j.need_offsite - j.offsite} more cop${j.need_offsite - j.offsite === 1 ? 'y' : 'ies'} off this device`;
  return `it has the copies its policy asks but needs ${what}: protect --to DEVICE:/LOCATION/PATH copies it to a paired device`;
}

/** A paired device's folder as the user names it. */
export function deviceShown(t: DeviceTarget): string {
  return `${t.deviceName}:/${t.locationName}${t.dir === '' ? '' : `/${t.dir}`}`;
}

/**
 * Why no copy of a content on this device can be a protect's source, in words that say what to
 * do: its files are on drives not mounted (or changed since indexed), or its only copies here are
 * objects of a bucket location (a protect copies from files on a drive, not from a bucket: that
 * bucket answering or not), or only other devices and buckets hold it.
 */
function noSourceReason(lib: Library, copies: readonly GuardCopy[]): string {
  const here = copies.filter((c) => c.here === 1);
  const uuid = copies[0]?.content_uuid ?? 'UUID';
  const onDrives = here.filter((c) => c.location_id !== null && kindCaps(lib.store.locations.byId(c.location_id)?.kind ?? '').localPath);
  if (onDrives.length > 0) {
    const why = onDrives.map((c) => { const v = copyHereVerdict(c); return v.counts ? '' : v.why; }).filter((w) => w !== '');
    if (onDrives.every((c) => c.rotten === 1)) return `every copy of it on this device is rotten (${why.slice(0, 3).join('; ')}): nothing good to copy from here; guardian repair brings a good copy back if another device or a bucket holds one`;
    return `no copy of it on this device can be copied now: ${why.slice(0, 3).join('; ')}`;
  }
  if (here.length > 0) {
    const buckets = [...new Set(here.map((c) => `${lib.store.locations.byId(c.location_id ?? -1)?.name ?? c.location_path} (${c.location_path}${c.location_online === 1 ? '' : ', not answering now'})`))];
    return `its only copies on this device are objects of the bucket location ${buckets.join(', ')}: protect copies from files on a drive, not from a bucket (vss content get ${uuid} --to FOLDER brings it to a drive first)`;
  }
  const names = [...new Set(copies.map((c) => (c.device_uuid === null ? `the bucket ${c.location_path}` : lib.store.devices.byUuid(c.device_uuid)?.name ?? c.device_uuid)))];
  return `held only by ${names.join(', ') || 'devices not known'}: fetching it is not part of protect yet (vss content get ${uuid} --to FOLDER brings it here; vss content get --all --to FOLDER, every content this device lacks, as after a recovery)`;
}

function shortfallReason(planned: number, missing: number, targets: readonly ProtectTarget[], full: number, to: string | undefined): string {
  const lacking = `${missing - planned} more cop${missing - planned === 1 ? 'y' : 'ies'} needed`;
  const t = targets[0];
  if (t?.kind === 'bucket') return planned > 0 ? `${lacking} after the one in ${t.name}: protect again to a drive or device` : `${lacking}: ${t.name} holds it already`;
  if (t?.kind === 'device') return planned > 0 ? `${lacking} after the one on ${t.deviceName}: protect again to another device or drive` : `${lacking}: ${t.deviceName} holds it already`;
  if (to !== undefined && t) return `${lacking}: the drive of ${t.dir} holds it already`;
  if (full > 0) return `${lacking}: no other drive of this device has room for it`;
  return `${lacking}: no other drive of this device to copy it to (add a location on another drive, or protect --to a drive)`;
}

function groupBy(copies: readonly GuardCopy[]): Map<string, GuardCopy[]> {
  const out = new Map<string, GuardCopy[]>();
  for (const c of copies) {
    let list = out.get(c.content_uuid);
    if (!list) out.set(c.content_uuid, (list = []));
    list.push(c);
  }
  return out;
}

/**
 * After a protect's copy job: the files it copied, and their sources, marked verified now (both
 * were hashed whole and matched as the copy was made), where the copy was indexed as the same
 * content as its source. The Guardian's lists show when each copy was last checked.
 */
export function markProtectedVerified(lib: Library, jobId: number, at = Date.now()): number {
  const ids: number[] = [];
  for (const it of lib.store.fileOpItems.of(jobId)) {
    if (it.state !== 'done' || it.kind !== 'file' || it.final === null) continue;
    const src = entryAt(lib, it.src);
    const dst = entryAt(lib, it.final);
    if (!src || !dst || src.content_uuid === null || src.content_uuid !== dst.content_uuid) continue;
    ids.push(src.id, dst.id);
  }
  return ids.length === 0 ? 0 : lib.store.entries.markVerified(ids, at);
}

/**
 * After a protect's copies to a paired device: the sources of the files it copied marked verified
 * now, where each was offered with its content's whole BLAKE3 and the receiver kept it (its bytes,
 * read from the source, hashed to the content). The copies there are marked by their device.
 */
export function markSourcesVerified(lib: Library, jobId: number, at = Date.now()): number {
  const ids: number[] = [];
  for (const it of lib.store.fileOpItems.of(jobId)) {
    if (it.state !== 'done' || it.kind !== 'file') continue;
    const src = entryAt(lib, it.src);
    const content = src?.content_uuid ? lib.store.contents.byUuid(src.content_uuid) : undefined;
    if (src && content && wholeBlake3Of(lib, content) !== null) ids.push(src.id);
  }
  return ids.length === 0 ? 0 : lib.store.entries.markVerified(ids, at);
}

function entryAt(lib: Library, abs: string): { id: number; content_uuid: string | null } | undefined {
  const p = placeOf(lib, abs);
  return p ? lib.store.entries.fileAt(p.locationId, p.rel) : undefined;
}
