import { dirname, relative, sep } from 'node:path';
import { placeOf } from '../../../files/places.js';
import type { KnownBytes } from '../../../indexer/identification.js';
import type { Library } from '../../../library/library.js';
import type { LocalFacts } from '../../../storage/local-tree.js';
import { locationStorage, storageAt } from '../../../storage/storages.js';
import type { FileOpItemRecord } from '../../../store/file-op-items.js';

/**
 * Which file a source was when it was read (DESIGN §22): its size, times, inode and device. A
 * move removes its source only while it is still that file — any write since (another program
 * appending, a tool rewriting it in place, a new file under its name) changes its ctime at
 * least, so the changed bytes are kept where they are (issue 57, S2).
 */
export type ReadAs = Pick<LocalFacts, 'kind' | 'size' | 'mtimeMs' | 'ctimeMs' | 'inode' | 'dev'>;

/** F's facts that say which file it is, and nothing more (a run keeps one for each source it read). */
export function readAsOf(f: ReadAs): ReadAs {
  return { kind: f.kind, size: f.size, mtimeMs: f.mtimeMs, ctimeMs: f.ctimeMs, inode: f.inode, dev: f.dev };
}

/** Whether NOW (what is at the source's path now) is still the file READ was. */
export function stillAsRead(read: ReadAs, now: (Pick<LocalFacts, 'size' | 'mtimeMs' | 'ctimeMs' | 'inode' | 'dev'> & { kind: string }) | undefined): boolean {
  return now !== undefined && now.kind === read.kind && now.size === read.size && now.mtimeMs === read.mtimeMs
    && now.ctimeMs === read.ctimeMs && now.inode === read.inode && now.dev === read.dev;
}

/** Why a move kept its source SRC, which changed after it was read (its copy at FINAL holds the bytes as read). */
export function changedNote(src: string, final: string | null): string {
  return `${src} changed after it was copied: kept (written to since it was read; the copy${final ? ` at ${final}` : ''} holds it as it was read)`;
}

/**
 * Whether NOW (what is at a landed copy's path now) is still the copy proved there (KNOWN: its
 * inode, size and times once in place): another program writing to it before the source goes
 * would leave the bytes read nowhere.
 */
export function stillAsLanded(known: KnownBytes, now: LocalFacts | undefined): boolean {
  return now !== undefined && now.kind === 'file' && now.inode === known.inode && now.size === known.size && now.mtimeMs === known.mtimeMs
    && (known.ctimeMs === undefined || now.ctimeMs === known.ctimeMs);
}

/** Why a move kept its source SRC: its copy at FINAL changed after it was verified there, or is not there now (GONE). */
export function copyChangedNote(src: string, final: string, gone = false): string {
  const why = gone ? 'is not there now (its drive unplugged, or removed by something else)' : 'changed after it was verified (written to since)';
  return `${src} kept: its copy at ${final} ${why}, so this is the only file that holds it as it was read`;
}

/**
 * Why IT's source cannot be read as planned now, or undefined (the one look every target that
 * reads a source by its row makes before it reads: a device's offers, a bucket's uploads): no
 * longer a file of this device's locations (MADEIN: of that folder of the library's, where vss
 * made it for the transfer, a snapshot on its way: a row naming a file elsewhere is never read),
 * gone, or not the file of the size planned. GONEOK: a source gone is no problem (a move's, its
 * copy confirmed and the source removed before its item was marked); nor is a location that
 * cannot be looked at now (its drive away: the put says so).
 */
export function sourceProblem(lib: Library, it: FileOpItemRecord, opts: { madeIn?: string; goneOk?: boolean } = {}): string | undefined {
  let st;
  if (opts.madeIn !== undefined) {
    const rel = relative(lib.root, it.src).split(sep).join('/');
    if (dirname(it.src) !== opts.madeIn || rel.startsWith('..')) return `its file is not one vss made for this transfer (${opts.madeIn}): left out`;
    st = storageAt(lib.roots.library).statNow(rel);
  } else {
    const place = placeOf(lib, it.src);
    if (!place) return 'its file is no longer in a location of this device: left out';
    try {
      st = locationStorage(lib, place.locationId).statNow(place.rel);
    } catch {
      return undefined;
    }
  }
  const since = opts.madeIn !== undefined ? 'it was made' : 'the plan';
  if (!st) return opts.goneOk === true ? undefined : `its file is gone (moved or deleted since ${since}): left out`;
  if (!st.isFile() || st.size !== it.size) return `its file changed since ${since}: left out`;
  return undefined;
}
