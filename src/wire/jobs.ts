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
  /** What the user asked for, as JSON, for jobs that are not a generator's (`content-get`: the folder to copy into). */
  params: string | null;
  /** What a completed job made, as JSON (`content-get`: where the copy is, how big, from which device). */
  result: string | null;
  /** How far a running job has got, of `bytes` (a transfer's bytes; 0 for jobs that do not say). */
  done_bytes: number;
  /** Its runs in a row cut off by the process dying (they spend no attempt; too many give it up). */
  interruptions: number;
}

/** How many jobs of each state the queue holds now, all of them (the Jobs page's totals). */
export type JobTotals = Record<JobStatus, number>;

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

/**
 * How far one running job has got (`job:progress`), said a few times a second at most by jobs
 * that move bytes (a copy of an original from another device): for a bar with a rate and an ETA.
 */
export interface JobProgress {
  id: number;
  kind: string;
  contentUuid: string | null;
  doneBytes: number;
  totalBytes: number;
  /** Bytes per second since this run started (0 until a rate is known). */
  rate: number;
  /** Estimated milliseconds left, when a rate is known. */
  etaMs: number | null;
}
