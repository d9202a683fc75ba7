import { existsSync, statSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Stream } from '@libp2p/interface';
import type { Logger } from 'pino';
import { diskSpace } from '../../core/disk-space.js';
import { VssError } from '../../core/errors.js';
import { formatBytes } from '../../core/format.js';
import { answerWithin, PeerChannel } from '../messages/channel.js';
import { PeerMessageError } from '../messages/fields.js';
import { DROP_REFUSAL_CHARS } from '../messages/table.js';
import type { RemoteDevice } from '../peer-link.js';
import { Landing, placeLandedMany, resumableSize, verifyLanded, type Landed } from '../../core/landing.js';
import { flushAll } from '../../storage/local-flush.js';
import { keptFromPeer } from '../library/originals.js';
import { forgetStale, forgetTransfer, partialOf, readJournal, sameOffer, stateDir, writeJournal, type Journal, type OfferedItem } from './journal.js';
import { BLAKE3_HEX, landingNameProblem } from '../../files/landing-names.js';
import { placedAs, sameBytesThere } from '../../storage/already-there.js';
import { STALL_MS, stallGuard } from './stall.js';
import type { DropHost, DropPlace, LandedFile, PlaceGuard, PlaceRequest } from './drop-place.js';

/*
 * /vss/drop, the receiving side (issue 21, Spacedrop): a paired device offers files by base name,
 * size and full BLAKE3 (version 2: or the BLAKE3 after the file's bytes); this device checks the
 * names, the sizes and the free space of its inbox, answers how much of each it has already (a
 * send cut off resumes), takes exactly the bytes announced, hashes each file as it arrives and
 * places it in the inbox under a free name only when that hash is the one the sender said.
 */

/**
 * The most read from the stream, hashed and written at once. Not more: each chunk is read twice
 * (hashed, then copied to the page cache), and a chunk much larger than a core's L2 (1 MiB on
 * the bench's machine) is fetched from memory twice: 4 MiB chunks cost 1.3-2x the CPU of 1 MiB
 * ones in the landing (hash + write), for a quarter of the thread-pool round trips.
 */
const CHUNK = 1024 * 1024;
/**
 * Files smaller than this are placed in groups of at most GROUP_FILES files and GROUP_BYTES bytes
 * (flushed together, confirmed together); a file this large or larger is placed on its own.
 * 10k files of 16 KiB took 4.8 ms a file placed one by one (five fsyncs each).
 */
const GROUP_BYTES = 8 * 1024 * 1024;
const GROUP_FILES = 256;
/** Files of a group wait at most this long for the next file's bytes before they are placed. */
const GROUP_IDLE_MS = 200;
/** The progress callback is told at most this often. */
const PROGRESS_EVERY_MS = 250;
/**
 * Bytes of files there already that an offer's check may read (to answer one with the same bytes
 * placed) before the sender hears back within its STALL_MS: a second at a disk's pace, a few on a
 * slow one. Past it, the check is made once the file's bytes have come, before it is placed.
 */
const OFFER_CHECK_BYTES = 1024 * 1024 * 1024;

/** Sends being received now (by inbox and transfer): a retry that comes while the first stream still runs waits its turn. */
const receiving = new Set<string>();

/** A send refused: the reason goes to the sender; RETRY when it may work in a moment. */
class Refusal extends Error {
  constructor(readonly reason: string, readonly index?: number, readonly retry = false) {
    super(reason);
  }
}

/** Serve one /vss/drop stream from REMOTE. */
export async function serveDrop(stream: Stream, remote: RemoteDevice, host: DropHost): Promise<void> {
  const ch = new PeerChannel(stream, 'drop');
  const log = host.log.child({ from: remote.deviceUuid });
  let key: string | undefined;
  try {
    const first = await ch.receive(['drop.offer', 'drop.place', 'drop.cancel'], { signal: AbortSignal.timeout(STALL_MS), unknown: 'refuse' });
    if (!host.isPaired(remote.deviceUuid)) throw new Refusal(`this device is not paired with ${remote.name} (pair them first)`);
    if (first.name === 'drop.cancel') {
      const { transfer, library, location } = first.body;
      const state = library !== undefined && location !== undefined
        ? (await placeOf(host, remote, { library, location, dir: '', onConflict: 'keep-both' })).stateRoot
        : host.inbox();
      const j = readJournal(state, transfer);
      if (j && j.sender !== remote.deviceUuid) throw new Refusal('that send is another device\'s');
      await forgetTransfer(state, transfer);
      log.info({ transfer }, 'a send to this device was cancelled: its partial files are gone');
      await ch.send('drop.done', { items: 0 });
      return;
    }
    const offer = first.body;
    const problem = offerProblem(offer.items, offer.total, ch.version);
    if (problem) throw new Refusal(problem);
    const place: DropPlace = first.name === 'drop.place'
      ? await placeOf(host, remote, { library: first.body.library, location: first.body.location, dir: first.body.dir, onConflict: first.body.on_conflict, ...(first.body.force === true ? { force: true } : {}) })
      : { stateRoot: host.inbox(), dir: host.inbox(), what: 'inbox', conflict: 'keep-both', keepJournal: false };
    key = `${place.stateRoot}\0${offer.transfer}`;
    if (receiving.has(key)) {
      key = undefined;
      throw new Refusal('this send is being received already (an earlier attempt is still ending)', undefined, true);
    }
    receiving.add(key);
    await receiveOffer(ch, remote, host, log, place, offer.transfer, offer.items, offer.total);
  } catch (caught) {
    let err = caught;
    // A malformed message (a field out of bounds) is refused with what is wrong, so the sender can say it.
    if (err instanceof VssError && err.code === 'PEER' && !(err instanceof Refusal) && /^(offer|place|cancel)\b/.test(err.message)) err = new Refusal(err.message);
    if (err instanceof Refusal) {
      log.info({ reason: err.reason, index: err.index }, 'a send to this device was refused');
      await ch.send('drop.refused', { reason: err.reason.slice(0, DROP_REFUSAL_CHARS), ...(err.index !== undefined ? { index: err.index } : {}), ...(err.retry ? { retry: true } : {}) }).catch(() => undefined);
    } else {
      log.warn({ err }, 'receiving a send stopped (what arrived stays, to resume from)');
    }
  } finally {
    if (key !== undefined) receiving.delete(key);
    await ch.close();
  }
}

/** The place REQ names, or the host's reason why not as a refusal (retried later when its drive is away). */
async function placeOf(host: DropHost, remote: RemoteDevice, req: PlaceRequest): Promise<DropPlace> {
  if (!host.place) throw new Refusal('this device takes files into its inbox only');
  return refused(() => host.place!(remote, req));
}

/** FN's VssError as the sender's refusal: tried again later when it is UNAVAILABLE (a drive away). */
async function refused<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof VssError) throw new Refusal(err.message, undefined, err.code === 'UNAVAILABLE');
    throw err;
  }
}

/** What is wrong with an offer of ITEMS (TOTAL bytes) on a stream of VERSION, if anything. */
function offerProblem(items: OfferedItem[], total: number, version: number): string | undefined {
  if (items.length === 0) return 'the offer holds no file';
  let sum = 0;
  for (const [i, it] of items.entries()) {
    const bad = landingNameProblem(it.name);
    if (bad) return `item ${i}: ${bad}`;
    // Version 1 has no `sum`: a file's BLAKE3 comes in the offer or not at all.
    if (it.blake3 === undefined ? version < 2 : !BLAKE3_HEX.test(it.blake3)) return `item ${i}: its checksum is not a BLAKE3`;
    sum += it.size;
  }
  if (!Number.isSafeInteger(sum) || sum !== total) return `the offer's total (${total} bytes) is not the sum of its files (${sum})`;
  return undefined;
}

async function receiveOffer(ch: PeerChannel<'drop'>, remote: RemoteDevice, host: DropHost, log: Logger, place: DropPlace, transfer: string, items: OfferedItem[], total: number): Promise<void> {
  const inbox = place.stateRoot;
  // Looked at again before anything is written there: its drive may have left since the place was found.
  await refused(() => place.check?.());
  try {
    await mkdir(stateDir(inbox), { recursive: true });
  } catch (err) {
    throw new Refusal(`the receiving device's ${place.what} cannot be made (${(err as Error).message})`);
  }
  await forgetStale(inbox);
  // What an earlier attempt of this send left: items placed already, and partial files of the same bytes.
  const before = readJournal(inbox, transfer);
  if (before && before.sender !== remote.deviceUuid) throw new Refusal('that send id is another device\'s');
  const journal: Journal = { sender: remote.deviceUuid, items, saved: {} };
  const offsets: number[] = [];
  const landed: LandedFile[] = [];
  // Bytes of files already there that may be read to see whether they are the file offered, before the sender hears back.
  const budget = { bytes: OFFER_CHECK_BYTES };
  for (const [i, it] of items.entries()) {
    const same = sameOffer(before?.items[i], it);
    const partial = partialOf(inbox, transfer, i);
    /** Item I answered placed (as NAME) before a byte comes; BLAKE3: landed by an earlier attempt, for the index; SKIPPED: left out. */
    const answered = async (name: string, o: { blake3?: string; skipped?: boolean; keepPartial?: boolean }) => {
      if (!o.keepPartial) await rm(partial, { force: true });
      journal.saved[i] = name;
      if (o.skipped) (journal.skipped ??= []).push(i);
      if (o.blake3 !== undefined) landed.push({ path: join(place.dir, name), blake3: o.blake3 });
      offsets.push(it.size);
    };
    if (same && before!.saved[i] !== undefined) {
      await answered(before!.saved[i]!, { keepPartial: true, skipped: before!.skipped?.includes(i) === true });
      continue;
    }
    // Renamed into place by an attempt killed before its journal said so: found by its inode, not received again.
    const was = same ? before!.placing?.[i] : undefined;
    const renamed = was && !existsSync(partial) ? placedAs(place.dir, it.name, was) : undefined;
    if (renamed !== undefined) {
      await answered(renamed, { blake3: was!.blake3, keepPartial: true });
      continue;
    }
    // The same bytes under its name there already (an earlier send's copy, a protect made again): answered placed, not landed twice.
    const there = place.sameBytesCount === true && place.conflict === 'keep-both' && it.blake3 !== undefined ? await sameBytesThere(place.dir, it.name, it.size, it.blake3, budget) : undefined;
    if (there !== undefined) await answered(there, { blake3: it.blake3! });
    // Skipped now, before a byte comes: the name is taken and the user said to leave what is there.
    else if (place.conflict === 'skip' && existsSync(join(place.dir, it.name))) await answered(it.name, { skipped: true });
    else {
      if (!same) await rm(partial, { force: true });
      offsets.push(resumableSize(partial, it.size));
    }
  }
  const need = items.reduce((n, it, i) => n + (journal.saved[i] !== undefined ? 0 : it.size - offsets[i]!), 0);
  const free = diskSpace(inbox).freeBytes;
  if (need > free) throw new Refusal(`the receiving device's ${place.what} has ${formatBytes(free)} free, and this send needs ${formatBytes(need)}`);
  // What the files still to land would replace, weighed by this device's own Guardian before a byte is taken.
  const guard = place.conflict === 'replace' && place.weigh ? await place.weigh(items.filter((_, i) => journal.saved[i] === undefined)) : undefined;
  try {
    if (guard?.refusal) throw new Refusal(guard.refusal.reason, undefined, guard.refusal.retry);
    await writeJournal(inbox, transfer, journal);
    const placed = Object.keys(journal.saved).map(Number);
    await ch.send('drop.accept', { offsets, ...(ch.version >= 2 ? { placed } : {}) });
    log.info({ transfer, files: items.length, total, resumed_from: offsets.reduce((a, b) => a + b, 0) }, 'receiving files');

    let done = offsets.reduce((a, b) => a + b, 0);
    let told = 0;
    const progress = (force = false) => {
      if (!host.onProgress || (!force && Date.now() - told < PROGRESS_EVERY_MS)) return;
      told = Date.now();
      host.onProgress({ transfer, from_device: remote.deviceUuid, from_name: remote.name, done_bytes: done, total_bytes: total });
    };
    try {
      await receiveItems(ch, remote, host, log, place, transfer, journal, offsets, (n) => { done += n; progress(); }, landed, guard);
    } catch (err) {
      // A file refused ends the send for good (the sender's job fails with the reason): nothing half received of it stays.
      // One that may work in a moment (the Guardian's witnesses stopped holding) keeps its partials, to resume from.
      if (err instanceof Refusal && !err.retry) await forgetTransfer(inbox, transfer);
      throw err;
    } finally {
      // What was placed is in the folder: its index hears of it now (before `done`, or the refusal), not at the next scan.
      if (landed.length > 0) await place.landed?.(landed).catch((e: unknown) => log.warn({ err: e }, 'files received could not be indexed yet'));
    }
    progress(true);
    await forgetTransfer(inbox, transfer, place.keepJournal);
    await ch.send('drop.done', { items: items.length });
  } finally {
    await guard?.release();
  }
}

/** One received file verified and not yet in place: its item, partial and BLAKE3. */
interface Verified {
  i: number;
  it: OfferedItem;
  partial: string;
  blake3: string;
  /** A file of the same bytes under its name there already (keep-both): it stands for this one, which is not placed. */
  there?: string;
}

async function receiveItems(ch: PeerChannel<'drop'>, remote: RemoteDevice, host: DropHost, log: Logger, place: DropPlace, transfer: string, journal: Journal, offsets: number[], onBytes: (n: number) => void, landed: LandedFile[], guard?: PlaceGuard): Promise<void> {
  const items = journal.items;
  const inbox = place.stateRoot;
  // Small files are placed a group at a time: one flush, one fsync per folder and one journal
  // write for the group, not five fsyncs a file; each is confirmed once its group is in place.
  const group: Verified[] = [];
  let groupBytes = 0;
  const placeNow = async () => {
    if (group.length === 0) return;
    const batch = group.splice(0);
    groupBytes = 0;
    const conflict = place.conflict === 'replace' ? 'replace' : 'keep-both';
    // What these files replace goes only while what the Guardian leaned on still holds (another device's lock on its copy).
    if (guard && !guard.holds()) {
      throw new Refusal('a device that vouched for another copy of what this replaces stopped holding it (its lock ended) before the files were placed: what came is kept, to resume from', undefined, true);
    }
    // And where they go, as every landing looks before it places (never under a mount point its drive left).
    await refused(() => place.check?.());
    const moving = batch.filter((v) => v.there === undefined);
    // Journalled before any rename (with what the groups before placed): a kill after a rename, before
    // the journal's next write, leaves the file found by its inode when the send is offered again.
    journal.placing ??= {};
    for (const v of moving) {
      const st = statSync(v.partial);
      journal.placing[v.i] = { dev: st.dev, ino: st.ino, size: st.size, blake3: v.blake3 };
    }
    if (moving.length > 0) await writeJournal(inbox, transfer, journal);
    // `skip` found the name free at the offer; taken since, the file is kept beside it rather than over it.
    const placedMoving = await placeLandedMany(moving.map((v) => ({ partial: v.partial, to: { dir: place.dir, name: v.it.name, conflict, kept: keptFromPeer(v.it.mode, v.it.mtime_ms) } })), flushAll);
    const placed = batch.map((v) => (v.there !== undefined ? { final: join(place.dir, v.there) } : placedMoving[moving.indexOf(v)]!));
    for (const v of batch) if (v.there !== undefined) await rm(v.partial, { force: true });
    const failed = placed.findIndex((p) => 'error' in p);
    for (const [k, v] of batch.entries()) {
      const p = placed[k]!;
      if (!('final' in p)) continue;
      landed.push({ path: p.final, blake3: v.blake3 });
      journal.saved[v.i] = basename(p.final);
      delete journal.placing?.[v.i];
      if (v.there !== undefined) {
        log.info({ transfer, path: p.final, size: v.it.size }, 'file received: the same bytes were there already under its name');
      } else {
        log.info({ transfer, path: p.final, size: v.it.size }, 'file received');
        host.onReceived?.({ transfer, from_device: remote.deviceUuid, from_name: remote.name, name: basename(p.final), path: p.final, size: v.it.size });
      }
      await ch.send('drop.saved', { index: v.i, name: basename(p.final) });
    }
    if (failed >= 0) throw (placed[failed] as { error: Error }).error;
  };
  // One placement at a time, also when one starts because the next file's bytes are slow to come.
  let placing: Promise<void> = Promise.resolve();
  const placeGroup = () => (placing = placing.then(placeNow));
  try {
    for (const [i, it] of items.entries()) {
      const placedAs = journal.saved[i];
      if (placedAs !== undefined) {
        const skipped = journal.skipped?.includes(i) === true;
        await ch.send('drop.saved', { index: i, name: placedAs, ...(skipped ? { skipped } : {}) });
        continue;
      }
      const small = it.size < GROUP_BYTES;
      // A large file lands on its own, flushed as it comes: what came before it is placed first.
      if (!small) await placeGroup();
      const partial = partialOf(inbox, transfer, i);
      // Files waiting while the next one's bytes are slow to come (a slow link, a sender that waits for them) are placed meanwhile.
      const idle = group.length > 0 ? setTimeout(() => void placeGroup().catch(() => undefined), GROUP_IDLE_MS) : undefined;
      let got: Landed;
      try {
        got = await receiveItem(ch, partial, it, offsets[i]!, onBytes, small);
      } finally {
        clearTimeout(idle);
      }
      const blake3 = it.blake3 ?? await sumOf(ch, partial, it, i);
      const wrong = await verifyLanded(got, { size: it.size, blake3 });
      if (wrong !== undefined) throw new Refusal(`${it.name}: the bytes received are not the file offered (${wrong}): nothing kept`, i);
      if (i === items.length - 1) {
        // After the last file's bytes only `end` may come: a byte more than announced stands where it would be.
        try {
          await ch.receive(['drop.end'], { signal: answerWithin(STALL_MS) });
        } catch {
          await rm(partial, { force: true });
          throw new Refusal(`${it.name}: the sender sent more than the ${it.size} bytes it announced: nothing kept`, i);
        }
      }
      // The same bytes under its name there already: kept as they are, this copy dropped (never a second copy beside the first).
      const there = place.sameBytesCount === true && place.conflict === 'keep-both' ? await sameBytesThere(place.dir, it.name, it.size, blake3) : undefined;
      group.push({ i, it, partial, blake3, ...(there !== undefined ? { there } : {}) });
      groupBytes += it.size;
      if (!small || i === items.length - 1) await placeGroup();
      else if (group.length >= GROUP_FILES || groupBytes >= GROUP_BYTES) {
        // Placed while the next group's bytes come (its flush is the slow part), one group at a time:
        // the group before must be in place first, or its failure would go unheard.
        await placing;
        void placeGroup().catch(() => undefined);
      }
    }
    // The last group placed: its files wait for a later one, and when the items after them were all
    // placed already (answered at the offer), none came to place them.
    await placeGroup();
    // What the last group placed, said: the journal an offer made again after `done` is answered from.
    await writeJournal(inbox, transfer, journal);
  } catch (err) {
    // Files verified before the one that stopped the send are placed still (a refusal of one file keeps those before it, as a file at a time did).
    await placeGroup().catch((e: unknown) => log.warn({ err: e }, 'files received could not be placed'));
    throw err;
  }
}

/**
 * The BLAKE3 the sender says item I (offered without it) has, from the `sum` that follows its
 * bytes. Anything else there (a byte more than announced, a sum of another item) refuses the item
 * and removes PARTIAL; a stream that ends or stalls first leaves it, to resume from.
 */
async function sumOf(ch: PeerChannel<'drop'>, partial: string, it: OfferedItem, i: number): Promise<string> {
  let m;
  try {
    m = await ch.receive(['drop.sum'], { signal: answerWithin(STALL_MS) });
  } catch (err) {
    if (!(err instanceof PeerMessageError)) throw err;
    await rm(partial, { force: true });
    throw new Refusal(`${it.name}: the sender sent more than the ${it.size} bytes it announced, or no checksum after them: nothing kept`, i);
  }
  if (m.body.index !== i || !BLAKE3_HEX.test(m.body.blake3)) {
    await rm(partial, { force: true });
    throw new Refusal(`${it.name}: the sender's checksum after its bytes is not a BLAKE3 of this file: nothing kept`, i);
  }
  return m.body.blake3;
}

/**
 * The rest of one item into PARTIAL after the OFFSET bytes it has, hashed as it comes (the bytes
 * already there are hashed first, from disk). Exactly `size - offset` bytes are read; a stream
 * that ends or stalls first leaves PARTIAL as it is, to resume from.
 */
async function receiveItem(ch: PeerChannel<'drop'>, partial: string, it: OfferedItem, offset: number, onBytes: (n: number) => void, groupFlush: boolean): Promise<Landed> {
  const land = await Landing.open(partial, { resumeOf: it.size, hash: true });
  const stall = stallGuard(STALL_MS, `receiving ${it.name}`);
  try {
    for (let left = it.size - offset; left > 0;) {
      const data = await ch.readBytes(Math.min(left, CHUNK), stall.signal);
      stall.touch();
      if (data === null) throw new Error(`the sender stopped after ${it.size - left} of ${it.size} bytes of ${it.name}`);
      // The network hands bytes over as many small frames: hashed where they are, written in one writev.
      await land.write([...data]);
      left -= data.byteLength;
      onBytes(data.byteLength);
    }
    return await land.finish({ flush: !groupFlush });
  } finally {
    stall.stop();
    await land.close();
  }
}
