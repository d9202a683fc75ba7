import { dirname, sep } from 'node:path';
import { verifiedCopies } from '../content/original-file.js';
import { UsageError } from '../core/errors.js';
import type { Library } from '../library/library.js';
import { UUID_RE } from '../sidecars/address.js';
import { PROTECT_FOLDER } from '../volumes/protect-folder.js';

/** Which of a content's files on this device stand for it: one (a copy or a move: the photo, once), or all of them (a delete leaves none behind). */
export type ContentFiles = 'one' | 'all';

/** SOURCES as paths: the paths named, and each content's files here; NOT_HERE: the contents named that have no file on this device now; ALREADY_THERE: those with a file in the destination already. */
export interface ResolvedSources {
  paths: string[];
  not_here: string[];
  already_there: string[];
}

/** Where a copy or move puts what it is given: into the folder DST, or (one source) at DST itself. */
export interface Destination {
  dst: string;
  into: boolean;
  /** A move (it never takes a file from the Guardian's own folder). */
  move?: boolean;
}

/** Most files of one content a delete takes here (far more than anyone keeps of one photo). */
const ALL_FILES_MAX = 10_000;

/**
 * A file operation's sources as named (issue 32, the grid's bulk actions): an absolute path stays
 * itself; a content uuid stands for its files on this device that are its bytes now (checked as a
 * peer's fetch checks them: `verifiedCopies`: a drive judged by its volume, the file unchanged
 * since it was identified), for a copy or a move one of them, for a delete all. One is chosen
 * outside the Guardian's own folders (moving a backup away defeats it), and a content with a copy
 * in the destination already is left alone and named in ALREADY_THERE, so a pick that overlaps
 * the folder still goes on. A content with no file here is left out and named in NOT_HERE, so a
 * pick across devices acts on what this device holds; nothing to act on at all is an error that
 * says why.
 */
export function resolveSources(lib: Library, sources: readonly string[], which: ContentFiles, to?: Destination): ResolvedSources {
  const isUuid = (s: string) => UUID_RE.test(s.toLowerCase());
  const contents = [...new Set(sources.filter(isUuid).map((s) => s.toLowerCase()))];
  const paths = sources.filter((s) => !isUuid(s));
  if (contents.length === 0) return { paths: [...sources], not_here: [], already_there: [] };
  const notHere: string[] = [];
  const alreadyThere: string[] = [];
  const inDestination = (path: string) => to !== undefined && (to.into ? dirname(path) === to.dst.replace(/[\\/]+$/, '') : path === to.dst);
  for (const c of contents) {
    const { copies } = verifiedCopies(lib, c, which === 'all' ? ALL_FILES_MAX : undefined);
    if (copies.length === 0) {
      notHere.push(c);
      continue;
    }
    if (which === 'all') {
      paths.push(...copies.map((x) => x.path));
      continue;
    }
    if (copies.some((x) => inDestination(x.path))) {
      alreadyThere.push(c);
      continue;
    }
    // A copy may read the Guardian's backup when it is all there is here; a move never takes it away.
    const own = copies.find((x) => !x.path.split(sep).includes(PROTECT_FOLDER)) ?? (to?.move ? undefined : copies[0]);
    if (own) paths.push(own.path);
    else notHere.push(c);
  }
  if (paths.length === 0 && alreadyThere.length > 0 && notHere.length === 0) {
    throw new UsageError(`${contents.length === 1 ? 'it is' : `all ${contents.length} are`} in ${to!.dst} already`);
  }
  if (paths.length === 0) {
    throw new UsageError(`${contents.length === 1 ? 'the content has' : `none of the ${contents.length} contents has`} a file on this device now (on another device, on a drive not plugged in, or changed since it was indexed)`);
  }
  return { paths: [...new Set(paths)], not_here: notHere, already_there: alreadyThere };
}
