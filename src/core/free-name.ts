import { lstatSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { VssError } from './errors.js';

/**
 * Where a new file named NAME goes in DIR without replacing anything: NAME itself, else
 * `NAME (2).EXT`, `NAME (3).EXT` … (what `content get`, file operations keeping both, and a
 * received send name their files).
 */
export function freeNameIn(dir: string, name: string): string {
  // lstat, not exists: a symlink whose target is gone still holds its name.
  return join(dir, freeName(name, (n) => lstatSync(join(dir, n), { throwIfNoEntry: false }) !== undefined, dir));
}

/** NAME, else `NAME (2).EXT`, `NAME (3).EXT` …: the first that TAKEN says is free (WHERE names the place in an error). */
export function freeName(name: string, taken: (name: string) => boolean, where: string): string {
  if (!taken(name)) return name;
  const ext = extname(name);
  const stem = basename(name, ext);
  for (let i = 2; i < 10_000; i++) {
    const n = `${stem} (${i})${ext}`;
    if (!taken(n)) return n;
  }
  throw new VssError('IO', `no free name for ${name} in ${where}`, { path: where });
}
