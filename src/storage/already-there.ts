import { constants, lstatSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { blake3Of } from '../core/file-blake3.js';
import { freeName } from '../core/free-name.js';

/*
 * A file a receiver placed already, found again: a send offered again after the receiver was
 * killed between a file's rename and its journal's next write, or a copy of the same bytes made
 * by an earlier send (a protect run again after its job failed). Either way the file is answered
 * as placed: never landed a second time as `NAME (2)`.
 */

/** What the journal keeps of a file about to be renamed into place: the partial's identity (a rename keeps it) and the BLAKE3 it was verified against. */
export interface Placing {
  dev: number;
  ino: number;
  size: number;
  blake3: string;
}

/** NAME and the names a keep-both gives beside it (`NAME (2).EXT` …) that are taken in DIR, up to the first free one. */
function namesTaken(dir: string, name: string): string[] {
  const taken: string[] = [];
  freeName(name, (n) => {
    const there = lstatSync(join(dir, n), { throwIfNoEntry: false }) !== undefined;
    if (there) taken.push(n);
    return there;
  }, dir);
  return taken;
}

/** The name in DIR under which the partial WAS (journalled before its rename as NAME, or a name beside it) is now; undefined when none is that file. */
export function placedAs(dir: string, name: string, was: Placing): string | undefined {
  return namesTaken(dir, name).find((n) => {
    const st = lstatSync(join(dir, n), { throwIfNoEntry: false });
    return st?.isFile() === true && st.ino === was.ino && st.dev === was.dev && st.size === was.size;
  });
}

/**
 * The name in DIR (NAME or one a keep-both gave beside it) of a regular file whose bytes are
 * SIZE bytes hashing to BLAKE3, hashed now (fresh evidence, never the index's word: its bytes
 * may have rotted since) and flushed (it is confirmed as the copy, which a move's source waits
 * for); undefined when none is. BUDGET, when given, is spent by the bytes read (a check before a
 * send is accepted must not hold the sender past its wait); the candidates it cannot pay for are
 * not read.
 */
export async function sameBytesThere(dir: string, name: string, size: number, blake3: string, budget?: { bytes: number }): Promise<string | undefined> {
  for (const n of namesTaken(dir, name)) {
    const st = lstatSync(join(dir, n), { throwIfNoEntry: false });
    if (!st?.isFile() || st.size !== size) continue;
    if (budget) {
      if (budget.bytes < size) return undefined;
      budget.bytes -= size;
    }
    if (await holds(join(dir, n), size, blake3)) return n;
  }
  return undefined;
}

/** Whether the regular file at PATH (never through a symlink) is SIZE bytes hashing to BLAKE3; flushed when it is. */
async function holds(path: string, size: number, blake3: string): Promise<boolean> {
  const fh = await open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0)).catch(() => undefined);
  if (!fh) return false;
  try {
    if (!(await fh.stat()).isFile()) return false;
    const got = await blake3Of(fh);
    if (got.size !== size || got.checksum !== blake3) return false;
    await fh.sync();
    return true;
  } catch {
    return false;
  } finally {
    await fh.close();
  }
}
