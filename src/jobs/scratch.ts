import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { errnoCode } from '../core/errors.js';
import { TEMP_PREFIX } from '../core/fs-atomic.js';
import type { Library } from '../library/library.js';

/** A job's scratch folder: `job-<id>-<run token>-<pid>` (generator-job.ts names it). */
const JOB_SCRATCH = /^job-\d+-\d+-(\d+)$/;
/** A scan's Live Photo movie index: `live-photo-movies-<pid>-<random>.db` (store/live-photo-movies.ts). */
const MOVIE_INDEX = /^live-photo-movies-(\d+)-[0-9a-f]+\.db(?:-journal|-wal|-shm)?$/;

/**
 * What dead work left in the library's scratch folder, removed when a runner starts: job scratch
 * folders of runs no longer running, movie indexes of scans whose process is gone, and a space
 * reserve's half-written temporary file. Never the whole folder: in a daemon a scan beside the
 * runner keeps its movie index there, and the runner's own space reserve lives there.
 * KEEP names the scratch folders of jobs running now in this process. Returns how many went.
 */
export function removeStaleScratch(lib: Library, keep: ReadonlySet<string> = new Set()): number {
  let names: string[];
  try {
    lib.roots.library.checkFolder(lib.layout.scratchDir);
    names = readdirSync(lib.layout.scratchDir);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return 0;
    throw err;
  }
  let removed = 0;
  for (const name of names) {
    if (!isStale(name, keep)) continue;
    try {
      rmSync(join(lib.layout.scratchDir, name), { recursive: true, force: true });
      removed++;
    } catch { /* in use or gone; the next start tries again */ }
  }
  return removed;
}

function isStale(name: string, keep: ReadonlySet<string>): boolean {
  const job = JOB_SCRATCH.exec(name);
  if (job) return !keep.has(name) && !(Number(job[1]) !== process.pid && alive(Number(job[1])));
  const movies = MOVIE_INDEX.exec(name);
  if (movies) return Number(movies[1]) !== process.pid && !alive(Number(movies[1]));
  return name.startsWith(`${TEMP_PREFIX}space-reserve`);
}

/** Whether a process with this id is running (a pid reused since is taken as alive: kept, not lost). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errnoCode(err) === 'EPERM';
  }
}
