import { existsSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { VssError } from './errors.js';

/**
 * Where a new file named NAME goes in DIR without replacing anything: NAME itself, else
 * `NAME (2).EXT`, `NAME (3).EXT` … (what `content get`, file operations keeping both, and a
 * received send name their files).
 */
export function freeNameIn(dir: string, name: string): string {
  if (!existsSync(join(dir, name))) return join(dir, name);
  const ext = extname(name);
  const stem = basename(name, ext);
  for (let i = 2; i < 10_000; i++) {
    const p = join(dir, `${stem} (${i})${ext}`);
    if (!existsSync(p)) return p;
  }
  throw new VssError('IO', `no free name for ${name} in ${dir}`, { path: dir });
}
