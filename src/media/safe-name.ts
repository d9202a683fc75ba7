import { constants, existsSync } from 'node:fs';
import { link, lstat, mkdtemp, open, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { describeFsError } from '../core/errors.js';

/**
 * ExifTool takes its arguments one a line (`-stay_open`), so a path with a line break in it cannot
 * be handed to it: exiftool-vendored refuses it rather than let it split into two arguments.
 */
export function needsSafeName(path: string): boolean {
  return /[\r\n]/.test(path);
}

/** What the file must still be: the entry's facts. */
export interface ExpectedFile {
  inode: number;
  size: number;
  mtime_ms: number;
}

export type SafeNameOutcome<T> = { ok: true; value: T } | { ok: false; reason: string };

const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
/** Linux names every open descriptor of a process; another process of the user may open it there. */
const PROC_FDS = '/proc/self/fd';

/**
 * Run READ with a name for the file at ABS that has no line break: in a private temporary folder,
 * a link named like the file (its extension kept, as ExifTool looks at it) to the file opened
 * here and checked to be the entry's. On Linux the link is a symlink to the open descriptor
 * (`/proc/<pid>/fd/<n>`), so the bytes read are those of the very file checked, whatever happens
 * to the path meanwhile; elsewhere it is a hard link, which needs the temporary folder on the
 * file's filesystem. Nothing is written in the location.
 */
export async function withSafeName<T>(abs: string, expected: ExpectedFile, read: (safe: string) => Promise<T>): Promise<SafeNameOutcome<T>> {
  let fh;
  try {
    fh = await open(abs, OPEN_FLAGS);
  } catch (err) {
    return { ok: false, reason: describeFsError(err) };
  }
  let dir: string | undefined;
  try {
    const st = await fh.stat();
    if (!st.isFile() || st.ino !== expected.inode || st.size !== expected.size || st.mtimeMs !== expected.mtime_ms) {
      return { ok: false, reason: 'changed since discovery' };
    }
    dir = await mkdtemp(join(tmpdir(), 'vss-read-'));
    const ext = extname(abs);
    const safe = join(dir, `file${needsSafeName(ext) ? '' : ext}`);
    try {
      if (existsSync(PROC_FDS)) {
        await symlink(`/proc/${process.pid}/fd/${fh.fd}`, safe);
      } else {
        await link(abs, safe);
        // The path may name another file by now: the link must be to the one checked.
        if ((await lstat(safe)).ino !== expected.inode) return { ok: false, reason: 'changed since discovery' };
      }
    } catch (err) {
      return { ok: false, reason: `its path has a line break, which ExifTool cannot be given, and no other name could be made for it (${describeFsError(err)})` };
    }
    return { ok: true, value: await read(safe) };
  } finally {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    await fh.close();
  }
}
