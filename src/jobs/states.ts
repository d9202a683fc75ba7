/** The job states (DESIGN §7) — the one list every part reads. */
export const JOB_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled', 'paused'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** States in which a job still has work ahead (at most one such job per kind and content). */
export const OPEN_JOB_STATUSES: readonly JobStatus[] = ['queued', 'running', 'paused'];

export function isJobStatus(value: string): value is JobStatus {
  return (JOB_STATUSES as readonly string[]).includes(value);
}

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
