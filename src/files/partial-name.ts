import { partialIn } from '../core/landing.js';

/** The partial of item IDX of job JOB in DIR: a landing's, keyed by the job so a resumed run finds (and replaces) it. */
export function partialFor(dir: string, job: number, idx: number): string {
  return partialIn(dir, `${job}-${idx}`);
}
