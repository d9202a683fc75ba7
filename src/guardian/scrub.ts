import { checksumFile, SMALL_FILE } from '../core/file-blake3.js';
import { VssError } from '../core/errors.js';
import { childLog } from '../core/log.js';
import { hashFileAsIs } from '../content/hash-file.js';
import { CAS_WHOLE } from '../content/identity.js';
import type { Library } from '../library/library.js';
import { locationStorage } from '../storage/storages.js';
import type { LocalDisk } from '../storage/local-disk.js';
import type { RotRecord } from '../store/rot.js';
import type { ScrubFile, ScrubStep } from '../store/scrubs.js';
import { locationOnline } from '../volumes/location-online.js';
import { ReadPace } from './read-pace.js';
import { judge, type FileFacts, type ScrubVerdict } from './rot-judge.js';

const log = childLog('guardian');

/** Files read from the index at a time. */
const PAGE = 256;
/** How often a pass saves how far it got (its cursor, the files it verified): a kill -9 reads again at most this much. */
const SAVE_EVERY_MS = 1000;

export interface ScrubPassOptions {
  /** The read rate, bytes a second; 0: as fast as the disk goes. */
  rate: number;
  signal?: AbortSignal;
  /** Stop at a file boundary once this time (ms epoch) passes, the pass saved to go on: the job yields its slot. */
  until?: number;
  /** Hears each read's byte count. */
  onBytes?: (n: number) => void;
  now?: () => number;
}

/** Whether the pass went through the location's last file (else it stopped for UNTIL, to go on later). */
export interface ScrubPassEnd {
  done: boolean;
}

/**
 * Scrub location LOCATIONID (issue 30 item 5): hash each identified file whole, at the read rate,
 * from where its pass in progress stopped (or its first file): a match is verified now
 * (`verified_at`); bytes that changed while size, time and inode did not are rot (recorded, told
 * as `guardian:rot`, logged); a file whose size or time changed is an edit, and its folder is
 * rescanned once the pass ends; a file gone is left to the watcher and the next rescan.
 */
export async function scrubLocation(lib: Library, locationId: number, opts: ScrubPassOptions): Promise<ScrubPassEnd> {
  const now = opts.now ?? Date.now;
  const place = locationOnline(lib, locationId);
  if (!place) throw new VssError('NOT_FOUND', `location ${locationId} is not one of this device's`);
  if (!place.online) throw new VssError('UNAVAILABLE', `location ${locationId} is offline (${place.reason}): it is scrubbed once it is back`, { path: place.path });
  const storage = locationStorage(lib, locationId);
  const pace = new ReadPace(opts.rate);
  const pass = new PassWriter(lib, locationId, lib.store.scrubs.begin(locationId, now()).after_id, now);
  for (;;) {
    const page = lib.store.scrubs.filesPage(locationId, pass.after, PAGE);
    if (page.length === 0) break;
    for (const file of page) {
      if (opts.until !== undefined && now() >= opts.until) {
        pass.save();
        await pass.rescanEdited();
        return { done: false };
      }
      opts.signal?.throwIfAborted();
      const verdict = await scrubFile(storage, file, pace, opts);
      pass.add(file, verdict);
    }
  }
  pass.save();
  lib.store.scrubs.finish(locationId, now());
  await pass.rescanEdited();
  return { done: true };
}

/** Read FILE whole at the pace, and judge it. */
async function scrubFile(storage: LocalDisk, file: ScrubFile, pace: ReadPace, opts: ScrubPassOptions): Promise<ScrubVerdict> {
  const path = storage.localPath(file.rel_path);
  const indexed = { size: file.size, mtimeMs: file.mtime_ms, inode: file.inode, casId: file.cas_id, casWhole: file.cas_version === CAS_WHOLE, blake3: file.blake3 };
  const signal = opts.signal;
  const read = await checksumFile(path, file.size, {
    ...(opts.onBytes ? { onBytes: opts.onBytes } : {}),
    ...(signal ? { signal } : {}),
    pace: (n) => pace.take(n, signal),
  }).catch((err: unknown) => (isGone(err) ? null : Promise.reject(err)));
  const blake3 = read?.ok ? read.checksum : null;
  // A small file is read in one synchronous step, not paced per read: paced here.
  if (blake3 !== null && file.size <= SMALL_FILE) await pace.take(file.size, signal);
  let sampledId: string | null | undefined;
  if (blake3 !== null && !indexed.casWhole && indexed.blake3 === null) {
    const h = await hashFileAsIs(path, 0);
    sampledId = h.ok ? h.casId : null;
  }
  // One stat, after the read (a local disk's, at once, as a scan's loop takes it: async stats cost a
  // small file's scrub most of its rate): the read itself refused another size, and a change of
  // size, time or inode while it read shows here. A file gone is gone.
  const after = factsNow(storage, file.rel_path);
  return judge(indexed, { before: after, after, blake3, ...(sampledId !== undefined ? { sampledId } : {}) });
}

function factsNow(storage: LocalDisk, rel: string): FileFacts | null {
  const st = storage.statNow(rel);
  return st?.isFile() ? { size: st.size, mtimeMs: st.mtimeMs, inode: st.ino } : null;
}

function isGone(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ELOOP' || code === 'ENOTDIR';
}

/** What a pass found, written to the library every SAVE_EVERY_MS in one transaction with its cursor. */
class PassWriter {
  private step: ScrubStep;
  private verified: number[] = [];
  private learnt: Array<[number, string]> = [];
  private rot: RotRecord[] = [];
  private rotPaths: Array<{ file: ScrubFile; rec: RotRecord }> = [];
  private editedDirs = new Set<number>();
  private lastSave: number;

  constructor(private readonly lib: Library, private readonly locationId: number, public after: number, private readonly now: () => number) {
    this.step = { afterId: after, files: 0, bytes: 0, rot: 0, edited: 0 };
    this.lastSave = now();
  }

  add(file: ScrubFile, v: ScrubVerdict): void {
    this.after = file.id;
    this.step.afterId = file.id;
    if (v.is === 'verified' || v.is === 'learnt' || v.is === 'rot') {
      this.step.files++;
      this.step.bytes += file.size;
    }
    if (v.is === 'verified' || v.is === 'learnt') this.verified.push(file.id);
    if (v.is === 'learnt') this.learnt.push([file.content_id, v.blake3]);
    if (v.is === 'rot') {
      const rec = { entry_id: file.id, content_id: file.content_id, size: file.size, expected: v.expected, found: v.found, found_at: this.now() };
      this.rot.push(rec);
      this.rotPaths.push({ file, rec });
      this.step.rot++;
    }
    if (v.is === 'edited') {
      this.step.edited++;
      if (file.parent_id !== null) this.editedDirs.add(file.parent_id);
    }
    if (this.now() - this.lastSave >= SAVE_EVERY_MS) this.save();
  }

  save(): void {
    const { lib } = this;
    const at = this.now();
    lib.store.transaction(() => {
      lib.store.entries.markVerified(this.verified, at);
      for (const id of this.verified) lib.store.rot.clear(id);
      for (const [content, b3] of this.learnt) lib.store.contents.learnBlake3(content, b3);
      for (const r of this.rot) lib.store.rot.put(r);
      // A rotten copy no longer holds what it was verified as: it is not a verified copy any more.
      lib.store.entries.forgetVerified(this.rot.map((r) => r.entry_id));
      lib.store.scrubs.advance(this.locationId, this.step);
    });
    for (const { file, rec } of this.rotPaths) {
      log.warn({ location: this.locationId, path: file.rel_path, entry: file.id, expected: rec.expected, found: rec.found }, 'rot: a file\'s bytes changed while its size and time did not');
      lib.events.emit('guardian:rot', { locationId: this.locationId, entryId: file.id, path: file.rel_path, contentId: file.content_id, size: file.size });
    }
    this.step = { afterId: this.after, files: 0, bytes: 0, rot: 0, edited: 0 };
    this.verified = [];
    this.learnt = [];
    this.rot = [];
    this.rotPaths = [];
    this.lastSave = at;
  }

  /** The folders of the files found edited, listed again by the indexer (a scan of the location, those folders only). */
  async rescanEdited(): Promise<void> {
    if (this.editedDirs.size === 0) return;
    const only = [...this.editedDirs].flatMap((id) => {
      const e = this.lib.store.entries.byId(id);
      return e ? [{ rel: e.rel_path, subtree: false }] : [];
    });
    const { scanLocation } = await import('../locations/locations.js');
    await scanLocation(this.lib, this.locationId, undefined, { only }).catch((err: unknown) => log.warn({ err, location: this.locationId }, 'the rescan of files a scrub found edited failed'));
  }
}
