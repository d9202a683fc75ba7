import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A real small disk: a tmpfs of SIZE mounted at DIR (made if needed), for tests of a full disk
 * with real ENOSPC from the kernel. Needs root; returns the reason when it cannot mount (the
 * caller skips). `unmount` is safe to call twice.
 */
export function mountSmallDisk(dir: string, size: string): { unmount: () => void } | { skip: string } {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe', timeout: 10_000 });
  } catch (err) {
    return { skip: `cannot mount a tmpfs here (needs root): ${(err as Error).message.split('\n')[0]}` };
  }
  let mounted = true;
  return {
    unmount: () => {
      if (!mounted) return;
      mounted = false;
      execFileSync('umount', ['-l', dir], { stdio: 'pipe', timeout: 10_000 });
    },
  };
}

/** Fill the disk holding DIR until the kernel says ENOSPC; returns the filler file (unlink it to free the space). */
export function fillDisk(dir: string): string {
  const path = join(dir, 'filler.bin');
  const fd = openSync(path, 'w');
  try {
    for (let chunk = 64 * 1024; chunk >= 512; chunk /= 2) {
      const buf = Buffer.alloc(chunk, 0x5a);
      for (;;) {
        try {
          writeSync(fd, buf);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw err;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return path;
}

export function freeDisk(filler: string): void {
  unlinkSync(filler);
}
