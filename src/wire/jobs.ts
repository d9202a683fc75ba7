/**
 * What the job queue answers and streams (DESIGN §7, `vss jobs`, the jobs events): read by the
 * app in web/ as they are. Types only: the app's type check reads this file.
 */

/** The job states; src/jobs/states.ts holds them as the one list every part reads, checked against this. */
export type JobStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled' | 'paused';

/** A job as stored and listed. */
export interface JobRow {
  id: number;
  kind: string;
  content_uuid: string | null;
  priority: number;
  status: JobStatus;
  attempts: number;
  max_attempts: number;
  run_after: number;
  bytes: number;
  run_token: number;
  error: string | null;
  note: string | null;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  finished_at: number | null;
}

/** A job as listed: with its content's name (its first copy's file name; null without content or copy left). */
export interface NamedJobRow extends JobRow {
  name: string | null;
}

/**
 * Where the job queue stands (DESIGN §7: counts, bytes, rate, ETA), sent when it changed. Counts
 * cover the current busy period: from the queue leaving idle to its next idle, whose event has
 * nothing queued or running (a runner that stays idle sends nothing).
 */
export interface JobsProgress {
  queued: number;
  running: number;
  /** Finished in this busy period, by outcome. */
  completed: number;
  failed: number;
  cancelled: number;
  /** Input bytes of the jobs finished in this busy period, and of those still open. */
  doneBytes: number;
  openBytes: number;
  /** Jobs per second over the last minute (or the busy period, when shorter). */
  rate: number;
  /** Estimated milliseconds until the queue is empty, when a rate is known. */
  etaMs: number | null;
}

/** One job changed state (`jobs:job`). */
export interface JobChange {
  id: number;
  kind: string;
  contentUuid: string | null;
  status: JobStatus;
  error?: string | null;
  note?: string | null;
}
