import { copyFileSync, existsSync, linkSync, unlinkSync } from 'node:fs';
import { basename, dirname, relative, sep } from 'node:path';
import { crashPoint } from '../core/crash-point.js';
import { VssError, describeFsError, errnoCode } from '../core/errors.js';
import { fsyncDir, fsyncFile, placeSync, tempPathFor, TEMP_PREFIX } from '../core/fs-atomic.js';
import { childLog } from '../core/log.js';
import { blake3File } from '../core/file-blake3.js';
import { PathRefusedError } from '../library/confine.js';
import type { Library } from '../library/library.js';
import { parseSidecarRelPath, sidecarAbsPath, sidecarAddress, UUID_RE, type SidecarAddress } from './address.js';
import { SidecarManager } from './manager.js';
import type { SidecarKind } from './kinds.js';
import type { ConversionJournalRecord, ConversionStart } from '../store/conversion-journal.js';
import type { SidecarRecord } from '../store/sidecars.js';
import type { EntryRecord } from '../store/entries.js';
import { compareNearness, nearness, type Nearness } from './live-photo-names.js';

export interface ConvertResult {
  converted: number;
  recovered: number;
  failed: Array<{ content_uuid: string; kind: string; variant: string; reason: string }>;
  /** Journal rows naming files outside the library and this device's locations: nothing of them was touched. */
  refused: RefusedJournalRow[];
}

export interface RefusedJournalRow {
  sidecar_uuid: string;
  /** The path that was refused, absolute as the row gave it. */
  path: string;
  reason: string;
}

const log = childLog('convert');

/**
 * Move reference sidecars (the user's own files, tracked in place) into their managed paths
 * (DESIGN §4): a rename on one filesystem; otherwise copy, fsync, verify, rename, delete the
 * original. Every conversion is journaled first, so a crash at any step is finished or undone
 * by the next run, leaving exactly one good copy and a database that agrees with the disk.
 */
export async function convertReferences(
  lib: Library,
  filter: { kind?: SidecarKind; contentUuids?: string[]; onProgress?: (p: ConvertProgress) => void; mayTake?: TakeGuard } = {},
): Promise<ConvertResult> {
  const refused: RefusedJournalRow[] = [];
  const result: ConvertResult = { converted: 0, recovered: await recoverConversions(lib, (r) => refused.push(r)), failed: [], refused };
  const manager = new SidecarManager(lib);
  for (const u of filter.contentUuids ?? []) if (!UUID_RE.test(u)) throw new VssError('USAGE', `invalid content uuid ${JSON.stringify(u)}`);
  const rows = lib.store.sidecars.readyReferences(filter);
  const progress: ConvertProgress = { done: 0, total: rows.length, doneBytes: 0, totalBytes: rows.reduce((n, r) => n + (r.size ?? 0), 0) };
  filter.onProgress?.({ ...progress });
  for (const row of rows) {
    try {
      // Converted already with another still that shares its movie: counted there.
      const fresh = lib.store.sidecars.byUuid(row.uuid);
      if (fresh?.source === 'reference' && fresh.status === 'ready') result.converted += await convertOne(lib, manager, fresh, filter.mayTake);
    } catch (err) {
      result.failed.push({ content_uuid: row.content_uuid, kind: row.kind, variant: row.variant, reason: describeFsError(err) });
    }
    progress.done++;
    progress.doneBytes += row.size ?? 0;
    filter.onProgress?.({ ...progress });
  }
  return result;
}

export interface ConvertProgress {
  done: number;
  total: number;
  doneBytes: number;
  totalBytes: number;
}

class ConversionError extends Error {}

/**
 * Whether the user's file at entry ENTRYID may leave its location for the library folder (the
 * Guardian's guard, given by the API: a converted file is no longer a copy the Guardian counts,
 * so one its content needs stays where it is): the reason it may not, or undefined.
 */
export type TakeGuard = (entryId: number) => string | undefined;

/**
 * Convert ROW's movie, and with it every other reference to the same file: several stills can
 * share one Live Photo movie (an edited copy, a duplicate saved by another app). The still
 * nearest to the movie by name gets the moved file; each other one gets the same file shared
 * (a hard link inside sidecars/, a verified copy where the filesystem has none), placed before
 * the movie moves, so none of them is left pointing at a file that is gone. Returns how many
 * sidecars were converted.
 */
async function convertOne(lib: Library, manager: SidecarManager, row: SidecarRecord, mayTake?: TakeGuard): Promise<number> {
  const src = referencedFile(lib, row.source_entry_id);
  const refused = row.source_entry_id === null ? undefined : mayTake?.(row.source_entry_id);
  if (refused !== undefined) throw new ConversionError(refused);
  const { checksum } = await blake3File(src);
  if (row.size === null || row.checksum === null || checksum !== row.checksum) throw new ConversionError(`${src} changed since it was recorded; rescan its location first`);
  const [lead = row, ...sharers] = movieHolders(lib, row);
  const a = addressOf(lead);
  const dst = sidecarAbsPath(lib.root, a);
  const shared = await shareFile(lib, src, checksum, sharers);
  crashPoint('convert:shared');
  try {
    await moveFile(lib, lead, src, dst, row.size, checksum);
  } catch (err) {
    // The movie stays where it was, still the reference of them all: the shared files made for them go.
    for (const p of shared) try { unlinkSync(p); } catch { /* gone already */ }
    throw err;
  }
  crashPoint('convert:placed-file');
  finishRecord(lib, manager, lead.uuid, [a, ...sharers.map(addressOf)], row.size, checksum, row.source_entry_id);
  crashPoint('convert:recorded');
  await finishSource({ src_path: src, dst_path: dst, checksum });
  lib.store.conversionJournal.remove(lead.uuid);
  return 1 + sharers.length;
}

/** Journal the move of SRC to DST (ROW's managed path), then move it: a rename, or across filesystems a verified copy. */
async function moveFile(lib: Library, row: SidecarRecord, src: string, dst: string, size: number, checksum: string): Promise<void> {
  lib.roots.library.makeFolder(dirname(dst));
  const tmp = tempPathFor(dst);
  lib.store.conversionJournal.start({ sidecar_uuid: row.uuid, src_path: src, dst_path: dst, tmp_path: tmp, size, checksum });
  crashPoint('convert:journaled');
  try {
    // The user's file moved as it is: its bytes are not rewritten, so there is nothing of them to flush.
    placeSync(src, dst, { synced: true });
  } catch (err) {
    if (errnoCode(err) !== 'EXDEV') throw err;
    // Another filesystem: copy to a temp file beside the target, make it durable, check it, then place it.
    copyFileSync(src, tmp);
    fsyncFile(tmp);
    crashPoint('convert:copied');
    const copy = await blake3File(tmp);
    if (copy.checksum !== checksum) {
      unlinkSync(tmp);
      throw new ConversionError('the copy does not match the original (disk error?); the original is untouched');
    }
    placeSync(tmp, dst, { synced: true });
  }
}

/**
 * Every reference to ROW's file, the one that gets the moved file first: the still with a copy
 * nearest to the movie by name (same folder and stem, then same folder, then most folders
 * shared: the ranking pairing uses), then the oldest record.
 */
function movieHolders(lib: Library, row: SidecarRecord): SidecarRecord[] {
  const movie = row.source_entry_id === null ? undefined : lib.store.entries.byId(row.source_entry_id);
  const rows = movie ? lib.store.sidecars.referencesTo(movie.id) : [];
  if (!movie || rows.length <= 1) return [row];
  const near = new Map(rows.map((r) => [r.uuid, nearestStill(lib, r.content_uuid, movie)]));
  return rows.sort((x, y) => compareNearness(near.get(x.uuid)!, near.get(y.uuid)!) || x.id - y.id);
}

/** How near the nearest file of a still content is to the movie (a still in another location is farthest). */
function nearestStill(lib: Library, contentUuid: string, movie: EntryRecord): Nearness {
  let best: Nearness = { rank: 3, sharedDepth: 0 };
  for (const f of lib.store.entries.fileEntriesOfContent(contentUuid)) {
    if (f.location_id !== movie.location_id) continue;
    const n = nearness(f.rel_path, movie.rel_path);
    if (compareNearness(n, best) < 0) best = n;
  }
  return best;
}

/**
 * Give each of SHARERS its own managed file with FROM's bytes (CHECKSUM), durably: a hard link
 * where the filesystem allows one (the same file, no bytes copied), else a copy, fsynced and
 * verified. A sharer whose file is already there with those bytes (a run a crash interrupted)
 * keeps it.
 */
async function shareFile(lib: Library, from: string, checksum: string, sharers: readonly SidecarRecord[]): Promise<string[]> {
  const placed: string[] = [];
  for (const s of sharers) {
    const dst = sidecarAbsPath(lib.root, addressOf(s));
    if (existsSync(dst) && (await blake3File(dst)).checksum === checksum) continue;
    lib.roots.library.makeFolder(dirname(dst));
    const tmp = tempPathFor(dst);
    try {
      try {
        linkSync(from, tmp);
      } catch {
        // Another filesystem (a location elsewhere), or one without hard links: a copy, checked.
        copyFileSync(from, tmp);
        fsyncFile(tmp);
        if ((await blake3File(tmp)).checksum !== checksum) throw new ConversionError('a copy of the shared movie does not match the original (disk error?)');
      }
      placeSync(tmp, dst, { synced: true });
      placed.push(dst);
    } catch (err) {
      try { unlinkSync(tmp); } catch { /* never made, or placed */ }
      for (const p of placed) try { unlinkSync(p); } catch { /* gone already */ }
      throw err;
    }
  }
  return placed;
}

function addressOf(r: SidecarRecord): SidecarAddress {
  return sidecarAddress(r.content_uuid, r.kind, r.variant, r.format);
}

/**
 * The file a reference sidecar's entry names, checked: in a location added on this device, a
 * regular file, and reached through no symlink. Throws a PathRefusedError that says why not.
 */
function referencedFile(lib: Library, entryId: number | null): string {
  const e = entryId === null ? undefined : lib.roots.entry(entryId);
  if (!e) throw new ConversionError('the referenced file is no longer indexed on this device; rescan its location');
  return e.root.regularFile(e.rel);
}

/**
 * The database half: the sidecars (the one that got the moved file, and those sharing it) become
 * `converted` at their managed paths, and the moved file's entry leaves the index.
 */
function finishRecord(lib: Library, manager: SidecarManager, journalUuid: string, addresses: readonly SidecarAddress[], size: number, checksum: string, entryId: number | null): void {
  const store = lib.store;
  store.transaction(() => {
    for (const a of addresses) manager.record(a, { status: 'ready', source: 'converted', size, checksum, sourceEntryId: null, error: null });
    const entry = entryId === null ? undefined : store.entries.byId(entryId);
    if (entry) {
      // The location's folder totals no longer hold: its next scan must aggregate again.
      store.locations.markScanPending(entry.location_id);
      store.entries.delete(entry.id);
    }
    store.conversionJournal.placed(journalUuid);
  });
}

/**
 * After a copy across filesystems the original is deleted, once the placed copy is known good,
 * and only if what is at the original path is still those same bytes (never a newer file).
 */
async function finishSource(j: Pick<ConversionStart, 'src_path' | 'dst_path' | 'checksum'>): Promise<void> {
  if (existsSync(j.src_path) && existsSync(j.dst_path) && (await blake3File(j.src_path)).checksum === j.checksum) {
    unlinkSync(j.src_path);
    fsyncDir(dirname(j.src_path));
  }
  crashPoint('convert:deleted-source');
}

/**
 * Finish or undo every conversion a crash interrupted. Returns how many were finished. A row
 * that names a file vss may not touch (outside the library's sidecars and this device's
 * locations, or through a symlink) is dropped with nothing done, and reported to ON_REFUSED.
 */
export async function recoverConversions(lib: Library, onRefused?: (r: RefusedJournalRow) => void): Promise<number> {
  const rows = lib.store.conversionJournal.all();
  if (rows.length === 0) return 0;
  const manager = new SidecarManager(lib);
  let finished = 0;
  for (const j of rows) {
    const sidecar = lib.store.sidecars.byUuid(j.sidecar_uuid);
    try {
      checkJournalRow(lib, j, sidecar);
    } catch (err) {
      if (!(err instanceof PathRefusedError)) throw err;
      const refused = { sidecar_uuid: j.sidecar_uuid, path: err.path ?? '', reason: err.message };
      log.warn(refused, 'conversion journal row refused');
      onRefused?.(refused);
      lib.store.conversionJournal.remove(j.sidecar_uuid);
      continue;
    }
    if (existsSync(j.tmp_path)) unlinkSync(j.tmp_path);
    const placed = existsSync(j.dst_path) && (await blake3File(j.dst_path)).checksum === j.checksum;
    if (!placed) {
      // The file never reached its managed path intact: undo. The original is where it was.
      if (existsSync(j.dst_path) && existsSync(j.src_path)) unlinkSync(j.dst_path);
      lib.store.conversionJournal.remove(j.sidecar_uuid);
      continue;
    }
    if (j.step === 'started' && sidecar) {
      // The stills sharing the movie get it from its managed copy, if the crash came before they had it.
      const sharers = sidecar.source_entry_id === null ? [] : lib.store.sidecars.referencesTo(sidecar.source_entry_id).filter((r) => r.uuid !== sidecar.uuid);
      await shareFile(lib, j.dst_path, j.checksum, sharers);
      finishRecord(lib, manager, j.sidecar_uuid, [addressOf(sidecar), ...sharers.map(addressOf)], j.size, j.checksum, sidecar.source_entry_id);
    }
    await finishSource(j);
    lib.store.conversionJournal.remove(j.sidecar_uuid);
    finished++;
  }
  return finished;
}

/**
 * A journal row is only ever written by `convertOne`: its destination is the sidecar's managed
 * path, its temp file a vss temp file beside it, its source a file in a location of this device.
 * Anything else came from a hand-edited or foreign database and is refused before any file is touched.
 */
function checkJournalRow(lib: Library, j: ConversionJournalRecord, sidecar: { content_uuid: string; kind: string; variant: string; format: string } | undefined): void {
  const dst = lib.roots.library.regularFileAt(j.dst_path);
  const address = parseSidecarRelPath(relative(lib.root, dst).split(sep).join('/'));
  if (!address) throw new PathRefusedError(dst, 'not a managed sidecar path of this library');
  if (sidecar) {
    let expected: string | undefined;
    try { expected = sidecarAbsPath(lib.root, sidecarAddress(sidecar.content_uuid, sidecar.kind, sidecar.variant, sidecar.format)); } catch { /* a malformed row */ }
    if (expected !== dst) throw new PathRefusedError(dst, `not the managed path of sidecar ${j.sidecar_uuid}`);
  }
  if (dirname(j.tmp_path) !== dirname(dst) || !basename(j.tmp_path).startsWith(`${TEMP_PREFIX}${basename(dst)}.`)) {
    throw new PathRefusedError(String(j.tmp_path), 'not a temporary file beside the managed path');
  }
  lib.roots.library.regularFileAt(j.tmp_path);
  const location = lib.roots.locationHolding(j.src_path);
  if (location instanceof PathRefusedError) throw location;
  location.regularFileAt(j.src_path);
}
