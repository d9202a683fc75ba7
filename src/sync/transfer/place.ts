import { closeSync, fsync, open as openCb, renameSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';

/** A verified file to put in place: its temp (fsynced already) and its final path. */
export interface Move {
  readonly temp: string;
  readonly final: string;
}

/**
 * The final placement of fetched files, many at once: each renamed over its final path (KEEP
 * says, just before, whether it may still go: a file made here meanwhile stays), then every
 * folder they went into fsynced, side by side and once each. What did not go in place is
 * deleted. One answer per move: undefined when it is in place and durable, else why not.
 * The transfer store's only door to the filesystem for placing files: the durable-write
 * helper's batched form can stand in for it as it is.
 */
export async function placeDurably(moves: readonly Move[], keep: (i: number) => void): Promise<Array<Error | undefined>> {
  const out = new Array<Error | undefined>(moves.length).fill(undefined);
  const folders = new Set<string>();
  for (const [i, m] of moves.entries()) {
    try {
      keep(i);
      renameSync(m.temp, m.final);
    } catch (err) {
      try { unlinkSync(m.temp); } catch { /* already gone */ }
      out[i] = err instanceof Error ? err : new Error(String(err));
      continue;
    }
    folders.add(dirname(m.final));
  }
  await Promise.all([...folders].map(fsyncDirAsync));
  return out;
}

const fsyncAsync = promisify(fsync);
const openAsync = promisify(openCb) as (path: string, flags: string | number, mode?: number) => Promise<number>;

/** fsync a folder on the thread pool (as fs-atomic's fsyncDir, without holding the event loop). */
async function fsyncDirAsync(dir: string): Promise<void> {
  let fd: number | undefined;
  try {
    fd = await openAsync(dir, 'r');
    await fsyncAsync(fd);
  } catch {
    // Some platforms refuse to open or sync folders; the rename is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
