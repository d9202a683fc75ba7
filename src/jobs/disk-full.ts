import { diskSpace, type DiskSpace } from '../core/disk-space.js';
import { formatBytes } from '../core/format.js';
import { isInside } from '../library/confine.js';
import { VssError } from '../core/errors.js';
import type { JobsPaused } from '../core/events.js';
import type { Library } from '../library/library.js';
import { minimumFreeBytes } from './space-reserve.js';
import { pathOf } from './transient.js';

/**
 * Where generation stopped for space, said once to the user (and to a daemon's clients): the
 * folder vss was writing to (the library's sidecars folder, most often) and its disk's space.
 */
export type DiskFullPause = JobsPaused;

/**
 * A job that could not write because its disk is full. It is not the job's fault: the runner
 * puts it back in the queue without spending an attempt and pauses generation (space-watch.ts).
 */
export class DiskFullError extends VssError {
  constructor(readonly pause: DiskFullPause, cause: unknown) {
    super('IO', pause.message, { path: pause.path, cause });
    this.name = 'DiskFullError';
  }
}

/**
 * The pause for a disk-full ERR: which folder (the library folder when the failed write was its
 * database's or scratch files', else the sidecars folder) and how much is free there now.
 */
export function diskFullPause(lib: Library, err: unknown): DiskFullPause {
  if (err instanceof DiskFullError) return err.pause;
  const failed = pathOf(err);
  const inside = (dir: string) => failed !== undefined && isInside(dir, failed);
  // vss writes only inside the library: a path outside it is what a tool was reading (ffmpeg's
  // input, say), not the disk that filled, so the sidecars' disk is the one to name and watch.
  const path = failed !== undefined && !inside(lib.layout.sidecarsDir) && inside(lib.root) ? lib.root : lib.layout.sidecarsDir;
  return pauseAt(path, diskSpace(path), 'full');
}

/**
 * A pause before anything fails: the library's own disk (where the database is) has less free
 * than `minimumFreeBytes`. Undefined while there is enough.
 */
export function lowSpacePause(lib: Library): DiskFullPause | undefined {
  const space = diskSpace(lib.root);
  return space.freeBytes >= minimumFreeBytes(space.totalBytes) ? undefined : pauseAt(lib.root, space, 'nearly full');
}

function pauseAt(path: string, space: DiskSpace, how: string): DiskFullPause {
  return { path, ...space, message: `the disk holding ${path} is ${how} (${formatBytes(space.freeBytes)} free of ${formatBytes(space.totalBytes)})` };
}

/** Free space worth trying again with: more than at the pause by 1 % of the disk (64 KiB … 64 MiB). */
export function spaceIsBack(pause: DiskFullPause): boolean {
  const now = diskSpace(pause.path);
  const margin = Math.min(64 * 1024 * 1024, Math.max(64 * 1024, now.totalBytes / 100));
  return now.freeBytes >= pause.freeBytes + margin;
}
