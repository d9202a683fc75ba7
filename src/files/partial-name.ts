import { join } from 'node:path';

/** The partial of item IDX of job JOB in DIR: hidden, named by the job so a resumed run finds (and replaces) it. */
export function partialFor(dir: string, job: number, idx: number): string {
  return join(dir, `.vss-partial-${job}-${idx}`);
}
