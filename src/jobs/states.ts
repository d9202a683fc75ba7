import type { JobRow, JobStatus, NamedJobRow } from '../wire/jobs.js';

/** The job states (DESIGN §7) — the one list every part reads; the wire type is held to it both ways. */
export const JOB_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled', 'paused'] as const satisfies readonly JobStatus[];
export type { JobStatus };
/** Fails to compile when the wire's JobStatus has a state this list lacks. */
const everyStatusListed: Exclude<JobStatus, (typeof JOB_STATUSES)[number]> extends never ? true : never = true;
void everyStatusListed;

/** States in which a job still has work ahead (at most one such job per kind and content). */
export const OPEN_JOB_STATUSES: readonly JobStatus[] = ['queued', 'running', 'paused'];

export function isJobStatus(value: string): value is JobStatus {
  return (JOB_STATUSES as readonly string[]).includes(value);
}

export type { JobRow, NamedJobRow };
