/**
 * A library brought back from its encrypted bucket on a device that has nothing else (issue 60,
 * item 4: `vss library recover --from s3://BUCKET/PREFIX --phrase "…"`). The phrase gives the key;
 * the key gives the keyed name of the sealed index (bucket-snapshots.ts), which names the newest
 * snapshot. Everything is asked of the bucket before anything is written here: a phrase that opens
 * nothing there leaves the data dir as it was.
 *
 * Then, in a folder of its own beside the data dir's libraries (`.recovering-…`): the snapshot
 * downloaded (authenticated chunk by chunk, its BLAKE3 the index's), checked whole as `library
 * restore` checks one, made the library's database as a restore finishes one (a new sync epoch,
 * its open jobs cancelled, this device's row), the bucket registered again as a volume of this
 * device with the objects the snapshot knew in it (so the Guardian counts them and `content get`
 * and `guardian repair` read them), and its library.json written. The folder is renamed into
 * place in one step and only then made known (the registry): a kill -9 before leaves a
 * `.recovering-` folder the next recover removes, never a library registered half made.
 *
 * The database is another device's: that device stays in it as the device that made it (its
 * locations, drives and buckets its own, offline here, never written to: this device's grants are
 * its own, and none of those is one), and this device joins it under its own identity.
 */
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { bucketUrl, parseBucketUrl } from '../core/address.js';
import { crashPoint } from '../core/crash-point.js';
import { UsageError, VssError } from '../core/errors.js';
import { FileLock } from '../core/file-lock.js';
import { placeSync } from '../core/fs-atomic.js';
import type { Installation } from '../library/installation.js';
import { LIBRARY_SUFFIX, libraryLayout } from '../library/layout.js';
import { writeLibraryConfig, type LibrarySettings } from '../library/config.js';
import { restoreDatabase } from '../library/restore.js';
import { readSnapshot, snapshotName } from '../library/snapshot.js';
import type { Stores } from '../store/stores.js';
import { bucketKeys, openHead, HEAD, SealBroken, type BucketKeys } from '../storage/bucket/age-object.js';
import type { BucketSpec } from '../storage/bucket/bucket-url.js';
import { S3Bucket } from '../storage/bucket/s3-bucket.js';
import { SealedBucket } from '../storage/bucket/sealed-bucket.js';
import { keyIdOf } from '../volumes/bucket-keys.js';
import { bucketFingerprint } from '../volumes/buckets.js';
import { downloadSnapshot, readIndex, snapshotKey, type BucketSnapshot } from './bucket-snapshots.js';

/** Where the bucket is and the key's secret (from the phrase). */
export interface RecoverAsk {
  from: string;
  secret: Buffer;
  endpoint?: string | null;
  region?: string | null;
  pathStyle?: boolean;
}

/** What a recovery made. */
export interface Recovered {
  library_id: string;
  name: string;
  path: string;
  made_at: number;
  /** The bucket as a volume of this device now, by its name. */
  volume: string;
  /** The contents the library knows an object of in that bucket (not found gone or changed). */
  contents: number;
  /** Jobs the snapshot had open, cancelled. */
  jobs_cancelled: number;
  /** The library's other devices (the one that made the snapshot among them), not counted as holding copies until each is heard from. */
  unconfirmed_devices: number;
}

/** Objects of a bucket looked at, when no index opens with the phrase, to tell a wrong phrase from a bucket vss never wrote to. */
const PROBED_OBJECTS = 5;
const STAGING = /^\.recovering-[0-9a-f-]{36}$/;

/** The library of ASK's bucket brought back into INSTALLATION's data dir and made current. */
export async function recoverLibrary(inst: Installation, ask: RecoverAsk): Promise<Recovered> {
  const where = parseBucketUrl(ask.from);
  const spec: BucketSpec = { ...where, endpoint: ask.endpoint?.trim() || null, region: ask.region?.trim() || null, pathStyle: ask.pathStyle === true };
  const keys = bucketKeys(ask.secret);
  const keyId = keyIdOf(ask.secret);
  const bucket = new SealedBucket(spec, keys);
  try {
    const why = await bucket.probe();
    if (why !== undefined) throw new VssError('UNAVAILABLE', `${why}: nothing was recovered`);
    const index = await readIndex(bucket).catch((err: unknown) => {
      throw err instanceof SealBroken ? new VssError('IO', `${bucket.url}: the library's snapshot index does not authenticate (tampered with or damaged): nothing was recovered`, { cause: err }) : err;
    });
    const newest = index?.[0];
    if (!newest) throw await nothingFound(spec, keys, bucket.url);
    const known = inst.registry.list().libraries.find((l) => l.id === newest.library_id && existsSync(join(l.path, 'library.json')));
    if (known) throw new VssError('ALREADY_EXISTS', `this device has library ${JSON.stringify(known.name)} (${known.id}) already, at ${known.path}: bring a snapshot back into it with vss library restore`, { path: known.path });
    return await install(inst, bucket, newest, { spec, keyId, secret: ask.secret });
  } finally {
    bucket.close();
  }
}

/**
 * Why the bucket at URL holds no index this key opens: its objects do not open with it (the
 * phrase is another library's, or mistyped into other valid words), or vss put nothing there, or
 * what is there is this key's but no library snapshot was made to it.
 */
async function nothingFound(spec: BucketSpec, keys: BucketKeys, url: string): Promise<VssError> {
  const plain = new S3Bucket(spec);
  try {
    const listed = await plain.listKeys(spec.prefix === '' ? '' : `${spec.prefix}/`, '', 100);
    const sealed = listed.objects.filter((o) => o.key.endsWith('.age') && o.size >= HEAD).slice(0, PROBED_OBJECTS);
    if (sealed.length === 0) return new VssError('NOT_FOUND', `${url} holds nothing vss sealed (no encrypted bucket's objects there): check the address (and --endpoint): nothing was recovered`);
    for (const o of sealed) {
      const head = await plain.readRange(o.key, 0, HEAD);
      if (await openHead(keys, o.key, head).then(() => true, () => false)) {
        return new VssError('NOT_FOUND', `${url} is sealed with this phrase's key but holds no snapshot of the library: one is made by vss library backup --to ${url} (nothing was recovered)`);
      }
    }
    return new VssError('USAGE', `this phrase does not open the bucket at ${url}: its objects are sealed with another key (another library's phrase, or a word changed for another valid one): nothing was recovered`);
  } finally {
    plain.close();
  }
}

/** The library of snapshot S installed in the data dir (see the module's comment), under the recovery lock of the data dir. */
async function install(inst: Installation, bucket: SealedBucket, s: BucketSnapshot, key: { spec: BucketSpec; keyId: string; secret: Buffer }): Promise<Recovered> {
  const device = inst.device;
  const parent = join(inst.dataDir, 'libraries');
  mkdirSync(parent, { recursive: true });
  const lock = FileLock.acquire(join(inst.dataDir, '.recover.lock'));
  const staging = join(parent, `.recovering-${randomUUID()}`);
  try {
    // What a recovery killed before its rename left: no other runs (the lock), so none of it is anyone's.
    for (const n of readdirSync(parent)) if (STAGING.test(n)) rmSync(join(parent, n), { recursive: true, force: true });
    const layout = libraryLayout(staging);
    mkdirSync(layout.scratchDir, { recursive: true });
    mkdirSync(layout.sidecarsDir, { recursive: true });
    const file = join(layout.scratchDir, 'recovered.vss-library.db');
    await downloadSnapshot(bucket, s, file);
    crashPoint('recover:downloaded');
    const facts = readSnapshot(file);
    if (facts.library_id !== s.library_id) throw new VssError('IO', `${bucket.url}: the snapshot is of library ${facts.library_id}, not the ${s.library_id} its index says: nothing was recovered`);
    const name = libraryName(s.library_name);
    writeLibraryConfig(layout.configFile, { id: s.library_id, name, version: 1, createdAt: s.created_at, settings: s.settings as unknown as LibrarySettings });
    let again: { volume: string; volumeId: number; contents: number } | undefined;
    const done = await restoreDatabase(file, layout, {
      device, epoch: randomUUID(), observations: { rot: [], lost: [] },
      cancelNote: 'cancelled: the library was recovered from its bucket on another device; ask again if it is still wanted',
      also: (store) => {
        again = registerBucket(store, device.uuid, key);
        // The snapshot it came from is in the bucket still: the library's own work has an off-site copy (guardian status says so).
        store.libraryBackups.add({
          snapshot: snapshotName({ id: s.library_id, name: s.library_name }, s.made_at), path: bucketUrl({ ...key.spec, prefix: snapshotKey(bucket, s) }),
          bytes: s.bytes, blake3: s.blake3, made_at: s.made_at, target: `volume:${again.volume}`, volume_id: again.volumeId,
        });
      },
    });
    rmSync(file, { force: true });
    const final = freeFolder(parent, name, inst.registry.list().libraries.map((l) => l.path));
    crashPoint('recover:finished');
    placeSync(staging, final, { synced: true });
    inst.registry.remember({ id: s.library_id, name, path: final }, true);
    return { library_id: s.library_id, name, path: final, made_at: s.made_at, volume: again!.volume, contents: again!.contents, jobs_cancelled: done.jobsCancelled, unconfirmed_devices: done.unconfirmed };
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  } finally {
    lock.release();
  }
}

/**
 * The bucket registered as a volume of this device (DEVICEUUID) in the recovered database STORE,
 * sealed with the key, holding the objects the devices of the library recorded in it under the
 * same prefix (as they recorded them: the Guardian's check of the buckets looks at them again).
 * Refused when the snapshot does not hold the key (it was not made by a library sealed with it).
 */
function registerBucket(store: Stores, deviceUuid: string, key: { spec: BucketSpec; keyId: string }): { volume: string; volumeId: number; contents: number } {
  if (!store.libraryKeys.byId(key.keyId)) throw new VssError('IO', `the snapshot does not hold the bucket key this phrase gives (${key.keyId}): it is not a snapshot of the library that bucket is sealed for`);
  const selfId = store.devices.byUuid(deviceUuid)!.id;
  const url = bucketUrl(key.spec);
  const before = store.buckets.sealedWith(key.keyId, key.spec.prefix);
  const name = before.find((b) => b.name !== null)?.name ?? url;
  const now = Date.now();
  const v = store.volumes.seen(selfId, { fingerprint: bucketFingerprint(key.spec), mount_point: url, fs: 's3', capacity: 0, free: 0, removable: 0, read_only: 0 }, now);
  store.volumes.setTracked(v.id, true, name);
  if (!store.buckets.byVolume(v.id)) {
    store.buckets.add({ volume_id: v.id, bucket: key.spec.bucket, prefix: key.spec.prefix, endpoint: key.spec.endpoint, region: key.spec.region, path_style: key.spec.pathStyle ? 1 : 0, key_id: key.keyId });
  }
  store.buckets.setReach(v.id, now, null);
  for (const b of before) if (b.volume_id !== v.id) store.buckets.copyObjects(b.volume_id, v.id);
  return { volume: name, volumeId: v.id, contents: store.buckets.contentsIn(v.id) };
}

/** The library's name as its index gives it, if it can name a library folder; else a plain one. */
function libraryName(name: string): string {
  return /^[^/\\\0]{1,200}$/.test(name) && name.trim() !== '' && name !== '.' && name !== '..' ? name : 'Recovered library';
}

/** PARENT/NAME.sdlibrary, or NAME (2)… when that is taken (by a folder, or a library the registry knows there). */
function freeFolder(parent: string, name: string, known: readonly string[]): string {
  const taken = new Set(known);
  let folder = name.replace(/[\u0000-\u001f]/g, '-');
  for (let n = 2; existsSync(join(parent, `${folder}${LIBRARY_SUFFIX}`)) || taken.has(join(parent, `${folder}${LIBRARY_SUFFIX}`)); n++) folder = `${name} (${n})`;
  return join(parent, `${folder}${LIBRARY_SUFFIX}`);
}

/** A phrase given plainly (24 words) read: its secret. Refused (a usage error) before anything is asked of a bucket. */
export async function secretOf(phrase: string): Promise<Buffer> {
  if (phrase.trim() === '') throw new UsageError('--phrase takes the 24 words of the recovery phrase');
  const { secretOfPhrase } = await import('../volumes/bucket-phrase.js');
  return secretOfPhrase(phrase);
}
