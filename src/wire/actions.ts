/**
 * The action log (issue 30): every user operation that changes files or copies of contents, as
 * `vss actions list --json` and the daemon answer it. Types only.
 */

/**
 * What the user asked: `files copy|move|delete|send`, `content get`, the guardian's protect and
 * repair, a scrub (it changes which copies count as verified) and a check of the buckets (it
 * changes which bucket objects count at all), and a snapshot of the library sent to a paired
 * device (`library backup --to DEVICE:/LOCATION`).
 */
export type ActionOp = 'copy' | 'move' | 'delete' | 'send' | 'get' | 'protect' | 'repair' | 'scrub' | 'check' | 'backup';

/**
 * How it stands. While its job is open: `queued`, `running`, `paused` (they follow the job). Ended:
 * `done`; `partial` (done, but some files were skipped: the reason says which); `failed`;
 * `cancelled`; `refused` (its checks refused it before anything was touched).
 */
export type ActionOutcome = 'queued' | 'running' | 'paused' | 'done' | 'partial' | 'failed' | 'cancelled' | 'refused';

/** What an action was about, as the user named it, with what its plan counted. */
export interface ActionWhat {
  /** Files it covers (folders' files counted), or null where it was refused before counting. */
  files: number | null;
  bytes: number | null;
  /** The first few sources (paths, content ids), as named; `source_count` says how many in all. */
  sources: string[];
  source_count: number;
  /** Where to: a folder or path, a device; null for a delete. */
  target: string | null;
}

export interface ActionInfo {
  id: number;
  /** The device that performed it: its uuid and its name now. */
  device_id: string;
  device_name: string;
  op: ActionOp;
  what: ActionWhat;
  /** Its durable job (`vss jobs show ID`), or null: refused, or done at once without a job. */
  job_id: number | null;
  /** When it was asked, and when it ended (null while open), in ms since the epoch. */
  started_at: number;
  finished_at: number | null;
  outcome: ActionOutcome;
  /** Why it failed, was refused or cancelled, what a partial one skipped, or what a done one did; null when nothing was said. */
  reason: string | null;
}
