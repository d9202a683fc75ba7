import { copyFileSync, existsSync, unlinkSync } from 'node:fs';
import { basename, dirname, relative, sep } from 'node:path';
import { crashPoint } from '../core/crash-point.js';
import { VssError, describeFsError, errnoCode } from '../core/errors.js';
import { fsyncDir, fsyncFile, placeSync, tempPathFor, TEMP_PREFIX } from '../core/fs-atomic.js';
import { childLog } from '../core/log.js';
import { blake3File } from './file-checksum.js';
import { PathRefusedError } from '../library/confine.js';
import type { Library } from '../library/library.js';
import { parseSidecarRelPath, sidecarAbsPath, sidecarAddress, UUID_RE, type SidecarAddress } from './address.js';
import { SidecarManager } from './manager.js';
import type { SidecarKind } from './kinds.js';
import type { ConversionJournalRecord, ConversionStart } from '../store/conversion-journal.js';
import type { SidecarRecord } from '../store/sidecars.js';

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
  filter: { kind?: SidecarKind; contentUuids?: string[]; onProgress?: (p: ConvertProgress) => void } = {},
): Promise<ConvertResult> {
  const refused: RefusedJournalRow[] = [];
  const result: ConvertResult = { converted: 0, recovered: await recoverConversions(lib, (r) => refused.push(r)), failed: [], refused };
  const manager = new SidecarManager(lib);
  for (const u of filter.contentUuids ?? []) if (!UUID_RE.test(u)) throw new VssError('USAGE', `invalid content uuid ${JSON.stringify(u)}`);
  const rows = lib.store.sidecars.readyReferences(filter);
  const progress: ConvertProgress = { done: 0, total: rows.length, doneBytes: 0, totalBytes: rows.reduce((n, r) => n + (r.size ?? 0), 0) };
  filter.onProgress?.({ ...progress });
  for (const row of rows) {
    const a = sidecarAddress(row.content_uuid, row.kind, row.variant, row.format);
    try {
      await convertOne(lib, manager, row, a);
      result.converted++;
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

async function convertOne(lib: Library, manager: SidecarManager, row: SidecarRecord, a: SidecarAddress): Promise<void> {
  const src = referencedFile(lib, row.source_entry_id);
  const dst = sidecarAbsPath(lib.root, a);
  const { checksum } = await blake3File(src);
  if (row.size === null || row.checksum === null || checksum !== row.checksum) throw new ConversionError(`${src} changed since it was recorded; rescan its location first`);

  lib.roots.library.makeFolder(dirname(dst));
  const tmp = tempPathFor(dst);
  lib.store.conversionJournal.start({ sidecar_uuid: row.uuid, src_path: src, dst_path: dst, tmp_path: tmp, size: row.size, checksum: row.checksum });
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
    if (copy.checksum !== row.checksum) {
      unlinkSync(tmp);
      throw new ConversionError('the copy does not match the original (disk error?); the original is untouched');
    }
    placeSync(tmp, dst, { synced: true });
  }
  crashPoint('convert:placed-file');
  finishRecord(lib, manager, row.uuid, a, row.size, row.checksum, row.source_entry_id);
  crashPoint('convert:recorded');
  await finishSource({ sidecar_uuid: row.uuid, src_path: src, dst_path: dst, tmp_path: tmp, size: row.size, checksum: row.checksum });
  lib.store.conversionJournal.remove(row.uuid);
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

/** The database half: the sidecar becomes `converted` at its managed path and the moved file's entry leaves the index. */
function finishRecord(lib: Library, manager: SidecarManager, sidecarUuid: string, a: SidecarAddress, size: number, checksum: string, entryId: number | null): void {
  const store = lib.store;
  store.transaction(() => {
    manager.record(a, { status: 'ready', source: 'converted', size, checksum, sourceEntryId: null, error: null });
    const entry = entryId === null ? undefined : store.entries.byId(entryId);
    if (entry) {
      // The location's folder totals no longer hold: its next scan must aggregate again.
      store.locations.markScanPending(entry.location_id);
      store.entries.delete(entry.id);
    }
    store.conversionJournal.placed(sidecarUuid);
  });
}

/**
 * After a copy across filesystems the original is deleted, once the placed copy is known good,
 * and only if what is at the original path is still those same bytes (never a newer file).
 */
async function finishSource(j: ConversionStart): Promise<void> {
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
      const a = sidecarAddress(sidecar.content_uuid, sidecar.kind, sidecar.variant, sidecar.format);
      finishRecord(lib, manager, j.sidecar_uuid, a, j.size, j.checksum, sidecar.source_entry_id);
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
