import type { KnownBytes } from '../../../indexer/identification.js';
import type { LocalFacts } from '../../../storage/local-tree.js';

/**
 * Which file a source was when it was read (DESIGN §22): its size, times, inode and device. A
 * move removes its source only while it is still that file — any write since (another program
 * appending, a tool rewriting it in place, a new file under its name) changes its ctime at
 * least, so the changed bytes are kept where they are (issue 57, S2).
 */
export interface ReadAs {
  kind: LocalFacts['kind'];
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  inode: number;
  dev: number;
}

export function readAsOf(f: Pick<LocalFacts, 'kind' | 'size' | 'mtimeMs' | 'ctimeMs' | 'inode' | 'dev'>): ReadAs {
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
