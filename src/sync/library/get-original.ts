import { basename, resolve } from 'node:path';
import { contentByRef } from '../../browse/content-ref.js';
import { originalFile } from '../../content/original-file.js';
import { bucketCopyOf, bucketObjectOf, openBucketCopy, streamBucketObject } from '../../content/bucket-original.js';
import { VssError } from '../../core/errors.js';
import { placeLanded, type KeptAttributes } from '../../core/landing.js';
import { ConfinedRoot } from '../../library/confine.js';
import type { Library } from '../../library/library.js';
import type { LocalDisk } from '../../storage/local-disk.js';
import type { LocationStorage } from '../../storage/port.js';
import { checkLanding } from '../../files/destination.js';
import { indexLanded } from '../../files/reindex.js';
import { localFolderProblem } from '../../storage/local-read.js';
import { storageAt } from '../../storage/storages.js';
import type { PeerLink } from '../peer-link.js';
import { copyToPartial, keptFromPeer, keptOfFacts, originalRange, receiveOriginal, resumableBytes, streamToPartial, type ExpectedOriginal } from './originals.js';

export interface GotOriginal {
  content_uuid: string;
  /** Where the copy is now. */
  path: string;
  size: number;
  /** The device it came from (this one for a local copy). */
  from: string;
  from_device: string;
  /** Bytes that crossed the network in this call (a resumed copy: the rest only). */
  bytes_received: number;
}

/** What `content get` will copy, checked before anything is queued: the content, its size, the name to give it, where to. */
export interface GetPlan {
  contentUuid: string;
  size: number;
  /** The folder to copy into (it exists). */
  dir: string;
  /** The file name its address gave (a uuid gives none: the name of a copy is taken). */
  name?: string;
  /** The time to give the copy (the library's record of its file), over its source's. */
  mtimeMs?: number;
}

type Peers = Required<Pick<PeerLink, 'connected' | 'open'>>;

/**
 * Check that REF (a content uuid or `DEVICE:/LOCATION/PATH`) can be copied into DIR now: the
 * folder exists, the content is known, and a copy is readable here or a device holding it is
 * online. Throws the reason why not, so a `content get` that cannot work is refused at once
 * instead of queued. PEERS: the daemon's network (absent in-process: only a copy on this device).
 */
export function planGet(lib: Library, ref: string, dir: string, peers?: Peers): GetPlan {
  const problem = localFolderProblem(dir);
  if (problem !== undefined) throw new VssError('NOT_FOUND', `${dir} ${problem}`, { path: dir });
  const { uuid, name } = contentByRef(lib, ref);
  const plan = (size: number): GetPlan => ({ contentUuid: uuid, size, dir, ...(name !== undefined ? { name } : {}) });
  const here = originalFile(lib, uuid);
  if (here.state === 'ready') return plan(here.size);
  const inBucket = bucketCopyOf(lib, uuid) ?? bucketObjectOf(lib, uuid);
  if (inBucket) return plan(inBucket.size);
  return plan(reachableHolders(lib, uuid, here, peers).facts.size);
}

/**
 * Copy PLAN's original into its folder, verified (DESIGN §15): from this device when a copy here
 * is readable, else from an online paired device that holds it (by content address, checked
 * against the content id, resumed from what a cut-off copy left). ONPROGRESS hears the bytes
 * that are in the folder's partial file so far, of the whole.
 */
export async function copyOriginal(lib: Library, plan: GetPlan, peers: Peers | undefined, opts: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {}): Promise<GotOriginal> {
  const { contentUuid: uuid, dir } = plan;
  const self = lib.device;
  // Before a partial is written there (a job runs long after its plan looked): never under a mount point its drive left.
  checkLanding(lib, dir);
  const into = copyTarget(dir);
  const local = async (from: LocationStorage, rel: string, want: { casId: string; casVersion: number }, kept: KeptAttributes, changed: string): Promise<GotOriginal> => {
    const copied = await copyToPartial(from, rel, into, uuid, want);
    if (copied.wrong !== undefined) throw new VssError('IO', changed);
    opts.onProgress?.(copied.size, copied.size);
    const path = await landGot(lib, plan, { ...copied, kept }, basename(rel));
    return { content_uuid: uuid, path, size: copied.size, from: self.uuid, from_device: self.name, bytes_received: 0 };
  };

  const here = originalFile(lib, uuid);
  if (here.state === 'ready') return local(here.storage, here.rel, { casId: here.cas_id, casVersion: here.cas_version }, keptOfFacts(here.facts), `the copy of ${here.path} changed while it was read: nothing kept`);
  // No file here, an object of a bucket location: copied from the bucket, checked against the content id.
  const inBucket = bucketCopyOf(lib, uuid);
  if (inBucket) {
    const { storage, reader } = await openBucketCopy(lib, inBucket);
    try {
      await reader.close();
      return await local(storage, inBucket.rel, inBucket, keptOfFacts(reader.facts), `${storage.describe}/${inBucket.rel} is not the content indexed there any more: nothing kept (a rescan identifies it again)`);
    } finally {
      storage.close();
    }
  }

  // An object vss put in a bucket volume (a protect's copy; an encrypted bucket's opened and authenticated as it streams), checked whole.
  const object = bucketObjectOf(lib, uuid);
  if (object) {
    const copied = await streamToPartial(streamBucketObject(lib, object, opts.signal), into, uuid, { size: object.size, blake3: object.blake3 });
    if (copied.wrong !== undefined) throw new VssError('IO', `the object of content ${uuid} in the bucket did not verify (${copied.wrong}): nothing kept`);
    opts.onProgress?.(copied.size, copied.size);
    const path = await landGot(lib, plan, { ...copied, kept: keptFromPeer(undefined, undefined) }, uuid);
    return { content_uuid: uuid, path, size: copied.size, from: self.uuid, from_device: self.name, bytes_received: 0 };
  }

  const got = await fromPeers(lib, uuid, into, reachableHolders(lib, uuid, here, peers), opts, 'could not be copied');
  const path = await landGot(lib, plan, got, got.name ?? uuid);
  return { content_uuid: uuid, path, size: got.size, from: got.device, from_device: got.from, bytes_received: got.bytes };
}

/**
 * The verified partial GOT placed in PLAN's folder under its name (else NAME, its source's), as
 * every landing here: its location looked at just before (never under a mount point its drive
 * left), and the copy indexed at once by the BLAKE3 it was verified with (it counts from then on).
 */
async function landGot(lib: Library, plan: GetPlan, got: { path: string; kept: KeptAttributes; blake3: string }, name: string): Promise<string> {
  const place = checkLanding(lib, plan.dir);
  const kept = plan.mtimeMs !== undefined ? { ...got.kept, mtimeMs: Math.floor(plan.mtimeMs) } : got.kept;
  const path = await placeLanded(got.path, { dir: plan.dir, name: plan.name ?? name, conflict: 'keep-both', kept });
  if (place) await indexLanded(lib, place.locationId, place.root.root, [{ path, blake3: got.blake3 }]);
  return path;
}

/**
 * Content UUID's original received from an online paired device into the partial of DIR
 * (`.vss-partial-UUID`, resumed after a cut), verified against its content id, and not placed:
 * for a caller that puts it in place itself (a repair of a rotten copy here, whose own copy is
 * not to be read). The partial's path, what the copy keeps, and the device it came from.
 */
export async function receiveFromPeers(lib: Library, uuid: string, dir: string, peers: Peers, signal?: AbortSignal): Promise<{ path: string; kept: KeptAttributes; from: string }> {
  const holders = reachableHolders(lib, uuid, { state: 'unavailable', reason: 'its copy here is the one repaired', offline: false }, peers);
  return fromPeers(lib, uuid, copyTarget(dir), holders, signal ? { signal } : {}, 'could not be copied from a paired device');
}

/**
 * Content UUID's original received from the first of HOLDERS that gives it whole into the partial
 * of INTO, verified; with the device (its uuid and name) and the name its copy there has. WHAT
 * says the failure when none does.
 */
async function fromPeers(lib: Library, uuid: string, into: LocalDisk, holders: ReturnType<typeof reachableHolders>, opts: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void }, what: string) {
  const { facts, names, copies, online, network } = holders;
  const want: ExpectedOriginal = { contentUuid: uuid, casId: facts.cas_id, casVersion: facts.cas_version, size: facts.size };
  const reasons: string[] = [];
  for (const r of online) {
    const from = names.get(r.deviceUuid) ?? r.name;
    try {
      const stream = await network.open(r.peerId, 'original', AbortSignal.timeout(5_000));
      // What a cut-off copy left counts as done: the transfer resumes after it.
      let done = await resumableBytes(into, uuid, want.size);
      const got = await receiveOriginal(stream, lib.config.id, want, into, { ...(opts.signal ? { signal: opts.signal } : {}), onBytes: (n) => opts.onProgress?.((done += n), want.size) });
      return { ...got, size: want.size, device: r.deviceUuid, from, name: copies.find((c) => c.device_uuid === r.deviceUuid)?.name };
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      reasons.push(`${from}: ${(err as Error).message}`);
    }
  }
  throw new VssError('UNAVAILABLE', `content ${uuid} ${what}: ${reasons.join('; ')}`);
}

/**
 * The folder DIR a copy lands in, as a storage: trusted as the user named it (it may be reached
 * through a symlink); nothing below it is followed.
 */
export function copyTarget(dir: string): LocalDisk {
  return storageAt(new ConfinedRoot(resolve(dir), 'the folder copied into'));
}

/** `planGet` and `copyOriginal` at once (in-process, where no job queue is worked: only a copy on this device can be made). */
export async function getOriginal(lib: Library, ref: string, dir: string, peers?: Peers, opts: { signal?: AbortSignal } = {}): Promise<GotOriginal> {
  return copyOriginal(lib, planGet(lib, ref, dir, peers), peers, opts);
}

/**
 * The devices holding CONTENTUUID (not readable here, as HERE says) that are online now, with their
 * names and what they synced of it; or why it cannot be copied from any of them now.
 */
function reachableHolders(lib: Library, uuid: string, here: ReturnType<typeof originalFile>, peers: Peers | undefined) {
  const h = holdersOf(lib, uuid, peers);
  if (!h.facts || h.copies.length === 0) throw new VssError('NOT_FOUND', `no device of this library holds content ${uuid}${here.state === 'unavailable' ? ` (here: ${here.reason})` : ''}`);
  if (!peers) throw new VssError('NO_DAEMON', `content ${uuid} is on ${h.named[0] ?? 'another device'}: copying it from there needs this device's daemon (vss daemon start)`);
  if (h.online.length === 0) throw new VssError('UNAVAILABLE', `content ${uuid} is held by ${h.named.join(', ')}, none of them online now`);
  return { ...h, facts: h.facts, network: peers };
}

/**
 * The devices holding CONTENTUUID, named ("Laptop", "Laptop or Desk"), when none of them is
 * reachable now: a copy from them has nothing to try until one connects. Undefined when one is
 * (or none holds it: nothing to wait for).
 */
export function holdersAway(lib: Library, uuid: string, peers: Peers): string | undefined {
  const h = holdersOf(lib, uuid, peers);
  return h.named.length === 0 || h.online.length > 0 ? undefined : h.named.join(' or ');
}

/** What this device knows of the devices holding UUID: its facts, their copies and names, and those of them online now (through PEERS). */
function holdersOf(lib: Library, uuid: string, peers: Peers | undefined) {
  const facts = lib.store.peerContents.anyOf(uuid);
  const copies = lib.store.peerEntries.copiesOf(uuid);
  const holders = new Set(copies.map((c) => c.device_uuid));
  const names = new Map(lib.store.devices.all().map((d) => [d.uuid, d.name] as const));
  const online = peers?.connected().filter((r) => holders.has(r.deviceUuid) && r.libraryIds.includes(lib.config.id)) ?? [];
  return { facts, copies, names, online, named: [...holders].map((d) => names.get(d) ?? d) };
}

/** A content held only on other devices, as a viewer reads it: its facts, and ranges of its bytes from an online holder. */
export interface RemoteOriginal {
  size: number;
  mime: string;
  casId: string;
  /** LENGTH bytes from START, from the first online holder that answers (nothing is kept). */
  read(start: number, length: number, signal?: AbortSignal): AsyncGenerator<Uint8Array>;
}

/** CONTENTUUID as paired devices hold it, or why it cannot be read from them now. */
export function remoteOriginal(lib: Library, contentUuid: string, peers: Required<Pick<PeerLink, 'connected' | 'open'>>): RemoteOriginal | { unavailable: string } {
  const { facts, copies, online } = holdersOf(lib, contentUuid, peers);
  if (!facts || copies.length === 0) return { unavailable: 'no device of this library holds this content' };
  if (online.length === 0) return { unavailable: 'the devices holding it are offline' };
  const want: ExpectedOriginal = { contentUuid, casId: facts.cas_id, casVersion: facts.cas_version, size: facts.size };
  return {
    size: facts.size, mime: facts.mime, casId: facts.cas_id,
    async *read(start, length, signal) {
      let last: unknown;
      for (const r of online) {
        let sent = false;
        try {
          const stream = await peers.open(r.peerId, 'original', AbortSignal.timeout(5_000));
          for await (const chunk of originalRange(stream, lib.config.id, want, start, length, signal)) {
            sent = true;
            yield chunk;
          }
          return;
        } catch (err) {
          // Once bytes went out the answer cannot switch to another device mid-range.
          if (sent || signal?.aborted) throw err;
          last = err;
        }
      }
      throw last instanceof Error ? last : new VssError('UNAVAILABLE', 'no device holding it answered');
    },
  };
}
