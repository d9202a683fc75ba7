import { closeSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { TEMP_PREFIX } from '../core/fs-atomic.js';
import type { Library } from '../library/library.js';

/** Enough for SQLite to record that every running job goes back to the queue, with room to spare. */
const RESERVE_BYTES = 4 * 1024 * 1024;
const CHUNK = Buffer.alloc(256 * 1024);

/**
 * A few MiB held on the library's disk while jobs run (`tmp/space-reserve`), given back the
 * moment that disk fills: the database lives there too, and without room it could not record
 * that the jobs go back to the queue — they would stay `running`, and the next start would count
 * the attempt. Written (not sparse), so the space is really taken.
 */
export class SpaceReserve {
  private readonly path: string;
  private held = false;

  constructor(private readonly lib: Library) {
    this.path = join(lib.layout.scratchDir, 'space-reserve');
  }

  /**
   * Take the space; quietly nothing when the disk has not even that much (the runner pauses then).
   * A whole reserve the last run left (nothing gives it back at a stop) is kept as it is: it holds
   * the space already, and writing it again cost every start 4 MiB of writes.
   */
  hold(): void {
    if (this.held) return;
    if (wholeReserve(this.path)) {
      this.held = true;
      return;
    }
    const tmp = join(this.lib.layout.scratchDir, `${TEMP_PREFIX}space-reserve`);
    try {
      this.lib.roots.library.makeFolder(this.lib.layout.scratchDir);
      const fd = openSync(tmp, 'w', 0o600);
      try {
        for (let n = 0; n < RESERVE_BYTES; n += CHUNK.length) writeSync(fd, CHUNK);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.path);
      this.held = true;
    } catch {
      try { unlinkSync(tmp); } catch { /* never made */ }
    }
  }

  /** Give the space back (the disk is full). True when there was something to give. */
  release(): boolean {
    if (!this.held) return false;
    this.held = false;
    try {
      unlinkSync(this.path);
      return true;
    } catch {
      return false;
    }
  }
}

/** Whether PATH is a reserve that holds its space: its bytes all there and on the disk (not a sparse or cut-short file). */
function wholeReserve(path: string): boolean {
  try {
    const st = statSync(path);
    return st.isFile() && st.size >= RESERVE_BYTES && st.blocks * 512 >= RESERVE_BYTES;
  } catch {
    return false;
  }
}

/** Below this much free space on the library's disk no job starts: clamp(1 % of the disk, 256 KiB, 16 MiB). */
export function minimumFreeBytes(totalBytes: number): number {
  return Math.min(16 * 1024 * 1024, Math.max(256 * 1024, Math.floor(totalBytes / 100)));
}
