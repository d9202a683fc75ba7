import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';

/** Free and total bytes of the filesystem holding a path (as an unprivileged writer sees them). */
export interface DiskSpace {
  freeBytes: number;
  totalBytes: number;
}

/** Space on the filesystem of PATH, or of its nearest existing parent (a temporary file may be gone by now). */
export function diskSpace(path: string): DiskSpace {
  let at = path;
  for (;;) {
    try {
      const s = statfsSync(at);
      return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
    } catch (err) {
      const up = dirname(at);
      if (up === at) throw err;
      at = up;
    }
  }
}
