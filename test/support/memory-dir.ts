import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A temporary folder in memory (Linux's /dev/shm, a tmpfs) where there is one, else in the system's
 * temporary folder: for the trees of tens of thousands of small files a test makes only to have
 * something to scan. Each file made and removed on the disk's ext4 is kernel time (its journal),
 * and much more of it while other tests write to the same disk (a few ms a file: 80,000 files were a
 * minute of CPU); in memory the same tree costs a second or two. Not for what a test checks of the
 * disk itself: a tmpfs is no drive to vss (src/volumes/mountinfo.ts), so a location here has no volume.
 */
export function memoryTempDir(prefix: string): { path: string; cleanup: () => void } {
  let base = tmpdir();
  if (process.platform === 'linux') {
    try {
      accessSync('/dev/shm', constants.W_OK);
      base = '/dev/shm';
    } catch { /* none: the temporary folder */ }
  }
  const path = mkdtempSync(join(base, prefix));
  return { path, cleanup: () => { if (!process.env.VSS_TEST_KEEP) rmSync(path, { recursive: true, force: true }); } };
}
