import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatBytes } from '../core/format.js';
import { isInside } from '../library/confine.js';
import { VssError } from '../core/errors.js';
import type { JobsPaused } from '../core/events.js';
import type { Library } from '../library/library.js';
import { minimumFreeBytes } from './space-reserve.js';
import { pathOf } from './transient.js';

/** Free and total bytes of the filesystem holding a path (as an unprivileged writer sees them). */
export interface DiskSpace {
  freeBytes: number;
  totalBytes: number;
}

/**
 * Where generation stopped for space, said once to the user (and to a daemon's clients): the
 * folder vss was writing to (the library's sidecars folder, most often) and its disk's space.
 */
export type DiskFullPause = JobsPaused;

/**
 * A job that could not write because its disk is full. It is not the job's fault: the runner
 * puts it back in the queue without spending an attempt and pauses generation (runner.ts).
 */
export class DiskFullError extends VssError {
  constructor(readonly pause: DiskFullPause, cause: unknown) {
    super('IO', pause.message, { path: pause.path, cause });
    this.name = 'DiskFullError';
  }
}

/** Space on the filesystem of PATH, or of its nearest existing parent (a temporary file is gone by now). */
export function diskSpace(path: string): DiskSpace & { at: string } {
  let at = path;
  for (;;) {
    try {
      const s = statfsSync(at);
      return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize, at };
    } catch (err) {
      const up = dirname(at);
      if (up === at) throw err;
      at = up;
    }
  }
}

/**
 * The pause for a disk-full ERR: which folder (the library's sidecars folder when the failed write
 * was in it, the library folder for its database and scratch files, else the path itself) and
 * how much is free there now.
 */
export function diskFullPause(lib: Library, err: unknown): DiskFullPause {
  if (err instanceof DiskFullError) return err.pause;
  const failed = pathOf(err);
  const inside = (dir: string) => failed !== undefined && isInside(dir, failed);
  // vss writes only inside the library: a path outside it is what a tool was reading (ffmpeg's
  // input, say), not the disk that filled, so the sidecars' disk is the one to name and watch.
  const path = failed !== undefined && !inside(lib.layout.sidecarsDir) && inside(lib.root) ? lib.root : lib.layout.sidecarsDir;
  const space = diskSpace(path);
  return {
    path, ...space,
    message: `the disk holding ${path} is full (${formatBytes(space.freeBytes)} free of ${formatBytes(space.totalBytes)})`,
  };
}

/**
 * A pause before anything fails: the library's own disk (where the database is) has less free
 * than `minimumFreeBytes`. Undefined while there is enough.
 */
export function lowSpacePause(lib: Library): DiskFullPause | undefined {
  const space = diskSpace(lib.root);
  if (space.freeBytes >= minimumFreeBytes(space.totalBytes)) return undefined;
  return {
    path: lib.root, freeBytes: space.freeBytes, totalBytes: space.totalBytes,
    message: `the disk holding ${lib.root} is nearly full (${formatBytes(space.freeBytes)} free of ${formatBytes(space.totalBytes)})`,
  };
}

/** Free space worth trying again with: more than at the pause by 1 % of the disk (64 KiB … 64 MiB). */
export function spaceIsBack(pause: DiskFullPause): boolean {
  const now = diskSpace(pause.path);
  const margin = Math.min(64 * 1024 * 1024, Math.max(64 * 1024, now.totalBytes / 100));
  return now.freeBytes >= pause.freeBytes + margin;
}
