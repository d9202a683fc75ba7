import { log } from '../core/log.js';
import type { Library } from '../library/library.js';
import { diskFullPause, lowSpacePause, spaceIsBack, type DiskFullPause } from './disk-full.js';
import { SpaceReserve } from './space-reserve.js';

/** How often a long run paused for space looks whether space is back. */
const DISK_RECHECK_MS = 30_000;
/** How often a working runner looks at the library's disk. */
const LOOK_EVERY_MS = 1000;

/**
 * Generation paused for disk space (DESIGN §12): when a disk fills, or the library's own disk
 * (the database's) is nearly full, nothing new starts until there is space again, and the jobs
 * running are stopped (ONPAUSE) and go back to the queue. A few MiB held on the library's disk
 * are given back the moment it fills, so the database can record all that.
 */
export class SpaceWatch {
  private pause: DiskFullPause | undefined;
  private readonly reserve: SpaceReserve;
  private lastDiskCheck = 0;
  private lastSpaceLook = 0;

  constructor(private readonly lib: Library, private readonly onPause: () => void, private readonly recheckMs = DISK_RECHECK_MS) {
    this.reserve = new SpaceReserve(lib);
  }

  /** The pause in force, if generation is paused. */
  get paused(): DiskFullPause | undefined {
    return this.pause;
  }

  /** Take the reserve (a runner starts). */
  hold(): void {
    this.reserve.hold();
  }

  /** Give the reserve back (the database's disk is full); true when there was something to give. */
  releaseReserve(): boolean {
    return this.reserve.release();
  }

  /**
   * A disk is full (ERR; or PAUSE, where the space is low): nothing new starts until there is
   * space again (one message). The reserve is given back first, so the database can record what
   * follows; running jobs are stopped, or they would only fill what was freed.
   */
  pauseFor(err: unknown, pause?: DiskFullPause): void {
    if (this.pause) return;
    this.reserve.release();
    this.pause = pause ?? diskFullPause(this.lib, err);
    this.onPause();
    this.lastDiskCheck = Date.now();
    log.warn({ path: this.pause.path, freeBytes: this.pause.freeBytes }, 'generation paused: disk full');
    this.lib.events.emit('jobs:paused', this.pause);
  }

  /**
   * The library's disk (the database's) nearly full: pause before a job fails on it, while the
   * database can still record everything. Looked at once a second.
   */
  lookAtLibraryDisk(): void {
    if (this.pause || Date.now() - this.lastSpaceLook < LOOK_EVERY_MS) return;
    this.lastSpaceLook = Date.now();
    const low = lowSpacePause(this.lib);
    if (low) this.pauseFor(undefined, low);
  }

  /** While paused (a long-running runner): start again once space has been freed. */
  lookForSpace(): void {
    const pause = this.pause;
    if (!pause || Date.now() - this.lastDiskCheck < this.recheckMs) return;
    this.lastDiskCheck = Date.now();
    if (!spaceIsBack(pause)) return;
    this.pause = undefined;
    this.reserve.hold();
    log.info({ path: pause.path }, 'generation resumed: disk space is back');
    this.lib.events.emit('jobs:resumed', { path: pause.path });
  }
}
