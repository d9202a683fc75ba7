import { basename, dirname } from 'node:path';
import { blake3File } from '../core/file-blake3.js';
import { VssError } from '../core/errors.js';
import { bucketUrl } from '../core/address.js';
import { PARTIAL_PREFIX, placeKeepingAside, placeLanded, verifyLanded } from '../core/landing.js';
import { childLog } from '../core/log.js';
import { hashFileAsIs } from '../content/hash-file.js';
import { CAS_WHOLE } from '../content/identity.js';
import { wholeBlake3Of } from '../content/whole-blake3.js';
import type { Library } from '../library/library.js';
import { locationStorage } from '../storage/storages.js';
import { openBucket } from '../volumes/buckets.js';
import { readChunks } from '../storage/read-chunks.js';
import type { LocalDisk } from '../storage/local-disk.js';
import type { LocationStorage } from '../storage/port.js';
import type { RotFile } from '../store/rot.js';
import type { RepairedFile } from '../wire/guardian.js';
import { unchanged } from './rot-judge.js';
import { copyHereVerdict, driveOf, settleHere, shownHere } from './evidence.js';

const log = childLog('guardian');
const CHUNK = 4 * 1024 * 1024;
/** Other files of one content looked at as a source, at most. */
const MAX_SOURCES = 64;

/** The name a damaged file is kept under, beside it: `.vss-*` is never indexed, so its bytes are never counted as a copy. */
export function damagedName(name: string, at: number): string {
  return `.vss-damaged-${new Date(at).toISOString().replace(/[:.]/g, '-')}-${name}`;
}

/** A good copy of a rotten file's content: where, and its whole BLAKE3 (what the repaired file must hash to). */
interface GoodCopy {
  storage: LocationStorage;
  rel: string;
  shown: string;
  blake3: string;
}

export type RepairOutcome = { repaired: RepairedFile } | { refused: string };

/**
 * A paired device's original of a content, received (verified against its content id) into a
 * partial of DIR and not placed: given by the operation where the daemon's network is up (sync/
 * ranks above this folder). Throws why not.
 */
export type PeerOriginals = (contentUuid: string, dir: string, signal?: AbortSignal) => Promise<{ path: string; from: string }>;

/** Good bytes landed in a partial beside the rotten file: where, their whole BLAKE3, and where they came from. */
interface Landed {
  path: string;
  blake3: string;
  from: string;
}

/**
 * Repair the rotten file ROT (issue 30 item 5) from a good copy of its content: another file of
 * it on this device first (unchanged since indexed, hashed whole now and matching what the content
 * should hash to), copied through the landing of the rotten file's storage beside it
 * (`.vss-partial-repair-ENTRY`, resumed after a kill); else, with PEERS, a paired device's
 * original (verified against the content id on arrival, and against its whole BLAKE3 where
 * known). Only once those bytes verified is the damaged file kept aside (`damagedName`, beside it:
 * a hard link) and the copy put in its place in one rename with the file's mode and time, hashed
 * again there, and the row verified. No good copy: refused with the reason, rot kept.
 */
export async function repairRotten(lib: Library, rot: RotFile, opts: { peers?: PeerOriginals; signal?: AbortSignal; now?: number } = {}): Promise<RepairOutcome> {
  const entry = lib.store.entries.byId(rot.entry_id);
  if (!entry) return { refused: 'its file is no longer indexed' };
  const target = locationStorage(lib, rot.location_id);
  const targetPath = target.localPath(rot.rel_path);
  const facts = await target.stat(rot.rel_path);
  if (facts && !unchanged({ size: entry.size, mtimeMs: entry.mtime_ms, inode: entry.inode }, facts.kind === 'file' ? facts : null)) {
    return { refused: 'it changed since the scrub (an edit, not rot): rescan its location' };
  }
  const folderRel = rot.rel_path.includes('/') ? dirname(rot.rel_path) : '';
  const inFolder = (name: string) => (folderRel === '' ? name : `${folderRel}/${name}`);

  let landed: Landed | { refused: string };
  const { good, away } = await goodCopy(lib, rot, opts.signal);
  if (good) landed = await landLocal(target, rot, good, opts.signal);
  else if (opts.peers) landed = await landFromPeer(lib, target, rot, opts.peers, dirname(targetPath), inFolder, opts.signal);
  else landed = { refused: 'no verified copy of its content elsewhere on this device, and no paired device to copy it from here (that needs the daemon: vss daemon start)' };
  // Then a bucket of this device that holds a verified object of it.
  if ('refused' in landed) {
    const fromBucket = await landFromBucket(lib, target, rot, opts.signal);
    if (fromBucket) landed = 'refused' in fromBucket ? { refused: `${landed.refused}; ${fromBucket.refused}` } : fromBucket;
  }
  // A copy here on a drive not plugged in is what the user can act on first.
  if ('refused' in landed && away.length > 0) {
    return { refused: `its other copy on this device is on the drive${away.length === 1 ? '' : 's'} ${away.map((a) => `“${a}”`).join(', ')}, not plugged in: plug ${away.length === 1 ? 'it' : 'one'} in and run vss guardian repair again (${landed.refused})` };
  }
  if ('refused' in landed) return landed;

  // The damaged bytes keep a name of their own (a hard link) before the verified copy takes theirs in one rename.
  const asideRel = inFolder(damagedName(entry.name, opts.now ?? Date.now()));
  const placing = {
    dir: dirname(targetPath), name: basename(targetPath),
    kept: { mode: (facts?.mode ?? 0o644) & 0o7777, ...(entry.mtime_ms !== null ? { mtimeMs: entry.mtime_ms } : {}) },
  };
  const final = facts ? await placeKeepingAside(landed.path, placing, target.localPath(asideRel)) : await placeLanded(landed.path, { ...placing, conflict: 'replace' });
  const placed = await blake3File(final);
  if (placed.checksum !== landed.blake3) throw new VssError('IO', `the repaired ${final} does not hash to its copy's BLAKE3 after it was placed: the damaged file is kept at ${asideRel}`, { path: final });
  const after = await target.stat(rot.rel_path);
  lib.store.transaction(() => {
    if (after) lib.store.entries.update(entry.id, { parent_id: entry.parent_id, name: entry.name, rel_path: entry.rel_path, kind: 'file', size: after.size, link_target: null, inode: after.inode, mtime_ms: after.mtimeMs, ctime_ms: after.ctimeMs }, false);
    lib.store.entries.markVerified([entry.id], Date.now());
    lib.store.rot.clear(entry.id);
  });
  const damaged = target.localPath(asideRel);
  log.info({ path: final, from: landed.from, damaged }, 'rot repaired');
  return { repaired: { content_uuid: rot.content_uuid, path: final, from: landed.from, damaged } };
}

/**
 * The partials a repair of ROT keeps beside it between tries, removed (its job was cancelled): the
 * good copy's from here or a bucket (`repair-ENTRY`), and a paired device's original (named by
 * the content, as every copy of an original into a folder is).
 */
export async function discardRepairOf(lib: Library, rot: RotFile): Promise<void> {
  const target = locationStorage(lib, rot.location_id);
  const folderRel = rot.rel_path.includes('/') ? dirname(rot.rel_path) : '';
  for (const key of [`repair-${rot.entry_id}`, rot.content_uuid]) {
    await target.remove(folderRel === '' ? `${PARTIAL_PREFIX}${key}` : `${folderRel}/${PARTIAL_PREFIX}${key}`);
  }
}

/** GOOD's bytes landed beside the rotten file, verified against GOOD's whole BLAKE3. */
async function landLocal(target: LocalDisk, rot: RotFile, good: GoodCopy, signal?: AbortSignal): Promise<Landed | { refused: string }> {
  const reader = await good.storage.openRead(good.rel);
  try {
    const landed = await landBeside(target, rot, (from) => readChunks(reader, from, rot.size, CHUNK), good.blake3, good.shown, signal);
    if (typeof landed !== 'string') return { refused: `the copy from ${good.shown} did not verify (${landed.wrong}): nothing replaced` };
    return { path: landed, blake3: good.blake3, from: good.shown };
  } finally {
    await reader.close();
  }
}

/**
 * The bytes READ gives from a position on (what a cut-off attempt left counts: the landing
 * resumes after it), landed beside the rotten file (`.vss-partial-repair-ENTRY`) and verified
 * against BLAKE3: the partial's path, or what did not verify. A read that fails throws.
 */
async function landBeside(target: LocalDisk, rot: RotFile, read: (from: number) => AsyncIterable<Uint8Array>, blake3: string, shown: string, signal?: AbortSignal): Promise<string | { wrong: string }> {
  const landing = await target.land(rot.rel_path, `repair-${rot.entry_id}`, { hash: true, resumeOf: rot.size });
  try {
    for await (const chunk of read(landing.written)) {
      signal?.throwIfAborted();
      if (landing.written + chunk.byteLength > rot.size) throw new VssError('IO', `${shown} holds more than its ${rot.size} bytes`);
      await landing.write([chunk]);
    }
  } catch (err) {
    await landing.close();
    throw err;
  }
  const done = await landing.finish();
  const wrong = await verifyLanded(done, { size: rot.size, blake3 });
  return wrong === undefined ? done.path : { wrong };
}

/**
 * An object of ROT's content in one of this device's buckets landed beside the rotten file, resumed
 * after what a cut-off attempt left, verified against the content's whole BLAKE3 (or, for a
 * sampled content, the BLAKE3 the object was verified as when uploaded). Undefined: no bucket
 * holds one.
 */
async function landFromBucket(lib: Library, target: LocalDisk, rot: RotFile, signal?: AbortSignal): Promise<Landed | { refused: string } | undefined> {
  const objects = lib.store.buckets.objectsOf(rot.content_uuid).filter((o) => o.size === rot.size && o.verified_at !== null);
  if (objects.length === 0) return undefined;
  const content = lib.store.contents.byUuid(rot.content_uuid);
  const why: string[] = [];
  for (const o of objects) {
    const vol = lib.store.buckets.byVolume(o.volume_id);
    if (!vol || vol.device_id !== lib.deviceId) continue;
    const expected = (content ? wholeBlake3Of(lib, content) : null) ?? o.blake3;
    const bucket = openBucket(lib, vol);
    const shown = `${vol.mount_point}/${o.key}`;
    try {
      const landed = await landBeside(target, rot, (from) => bucket.read(o.key, signal, from), expected, shown, signal);
      if (typeof landed === 'string') return { path: landed, blake3: expected, from: bucketUrl({ bucket: vol.bucket, prefix: o.key }) };
      why.push(`the object in ${vol.name ?? vol.mount_point} did not verify (${landed.wrong})`);
    } catch (err) {
      if (signal?.aborted) throw err;
      why.push(`${vol.name ?? vol.mount_point}: ${(err as Error).message}`);
    } finally {
      bucket.close();
    }
  }
  return { refused: `no bucket gave a verified copy (${why.join('; ') || 'none reachable'}): nothing replaced` };
}

/** A paired device's original landed beside the rotten file (checked against its content id there), and against the content's whole BLAKE3 where known. */
async function landFromPeer(lib: Library, target: LocalDisk, rot: RotFile, peers: PeerOriginals, dir: string, inFolder: (name: string) => string, signal?: AbortSignal): Promise<Landed | { refused: string }> {
  let got: { path: string; from: string };
  try {
    got = await peers(rot.content_uuid, dir, signal);
  } catch (err) {
    if (signal?.aborted) throw err;
    return { refused: `no verified copy of its content elsewhere on this device, and none from a paired device: ${(err as Error).message}` };
  }
  const { checksum } = await blake3File(got.path);
  const content = lib.store.contents.byUuid(rot.content_uuid);
  const expected = content ? wholeBlake3Of(lib, content) : null;
  if (expected !== null && checksum !== expected) {
    await target.remove(inFolder(basename(got.path)));
    return { refused: `the copy from ${got.from} does not hash to the content's BLAKE3: nothing replaced` };
  }
  return { path: got.path, blake3: checksum, from: `${got.from}:${rot.content_uuid}` };
}

/**
 * The first other file of ROT's content on this device that counts as a copy now (evidence.ts:
 * there, unchanged since indexed, not rotten) and hashes to what the content should; and the
 * drives holding other files of it that are not plugged in (what a refusal names).
 */
async function goodCopy(lib: Library, rot: RotFile, signal?: AbortSignal): Promise<{ good?: GoodCopy; away: string[] }> {
  const content = lib.store.contents.byUuid(rot.content_uuid);
  const away: string[] = [];
  if (!content) return { away };
  const whole = content.cas_version === CAS_WHOLE;
  const expected = wholeBlake3Of(lib, content);
  const here = lib.store.guardian.guardCopies([rot.content_uuid], lib.deviceId).filter((c) => c.here === 1 && c.location_id !== null);
  settleHere(lib, here);
  for (const c of here.slice(0, MAX_SOURCES)) {
    signal?.throwIfAborted();
    if (c.location_id === rot.location_id && c.rel_path === rot.rel_path) continue;
    if (!copyHereVerdict(c).counts) {
      if (c.location_online !== 1 && c.rotten !== 1) away.push(driveOf(c) ?? shownHere(c));
      continue;
    }
    let storage: LocationStorage;
    try {
      storage = locationStorage(lib, c.location_id!);
    } catch {
      continue; // no longer granted
    }
    const path = storage.localPath(c.rel_path);
    if (path === null) continue;
    const { checksum } = await blake3File(path, signal ? { signal } : {}).catch(() => ({ checksum: null as string | null }));
    if (checksum === null) continue;
    if (expected !== null ? checksum !== expected : !whole && !(await sampledMatches(path, content.cas_id))) continue;
    return { good: { storage, rel: c.rel_path, shown: path, blake3: checksum }, away };
  }
  return { away: [...new Set(away)] };
}

async function sampledMatches(path: string, casId: string): Promise<boolean> {
  const h = await hashFileAsIs(path, 0);
  return h.ok && h.casId === casId;
}
