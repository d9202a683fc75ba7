import { closeSync, constants, fstatSync, lstatSync, openSync, readSync } from 'node:fs';

/**
 * Files up to this size (thumbnails, small sidecars) are answered from one read into memory.
 * The read is synchronous, as every SQLite read of the daemon is: warm, it costs ~10 µs, where
 * a stream (or four thread-pool round trips) costs the daemon several times that per request.
 */
export const WHOLE_READ_MAX_BYTES = 256 * 1024;

/** Errors that mean the file is no longer the one that was checked (gone, a symlink now, a folder in its path gone). */
const CHANGED = new Set(['ENOENT', 'ELOOP', 'ENOTDIR', 'EISDIR']);

/**
 * The bytes of the file at PATH, checked to be the one its caller checked a moment ago: opened
 * without following a symlink, a regular file of SIZE bytes, and still what PATH names (the
 * same inode, as the streaming path checks), and where the caller knows which file it checked
 * (CHECKED: its device and inode), that one (a folder on its way swapped for a symlink since
 * leads to another). Null when it changed or went away meanwhile.
 */
export function readWhole(path: string, size: number, checked?: { dev: number; inode: number }): Buffer | null {
  let fd: number;
  try {
    // O_NOFOLLOW where the platform has it; the lstat below checks the same everywhere.
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (err) {
    if (CHANGED.has((err as NodeJS.ErrnoException).code ?? '')) return null;
    throw err;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size !== size) return null;
    if (checked && (st.dev !== checked.dev || st.ino !== checked.inode)) return null;
    const l = lstatSync(path, { throwIfNoEntry: false });
    if (!l?.isFile() || l.ino !== st.ino) return null;
    const buf = Buffer.allocUnsafe(size);
    let at = 0;
    while (at < size) {
      const n = readSync(fd, buf, at, size - at, at);
      if (n === 0) return null; // cut short while being read
      at += n;
    }
    return buf;
  } finally {
    closeSync(fd);
  }
}
