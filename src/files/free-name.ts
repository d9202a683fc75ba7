import { existsSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { VssError } from '../core/errors.js';

/** Where a copy of NAME goes in DIR when keeping both: NAME, else `NAME (2).EXT` … (as `content get` names copies). */
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

/** The partial of item IDX of job JOB in DIR: hidden, named by the job so a resumed run finds (and replaces) it. */
export function partialFor(dir: string, job: number, idx: number): string {
  return join(dir, `.vss-partial-${job}-${idx}`);
}
