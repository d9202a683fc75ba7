import type { Migration } from '../migrations.js';

/**
 * Durable jobs (DESIGN §7) and each location's own generation policy (DESIGN §8).
 * One open job per (kind, content): queueing the same work twice is a no-op.
 */
export const jobs: Migration = {
  version: 4,
  name: 'jobs',
  sql: `
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  content_uuid TEXT,
  -- Lower runs first; copied from the kind when queued so the claim query is one index walk.
  priority INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled', 'paused')),
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL DEFAULT 3,
  -- Not before this time (ms since the epoch): retry backoff and waiting for another sidecar.
  run_after INTEGER NOT NULL DEFAULT 0,
  bytes INTEGER NOT NULL DEFAULT 0,
  -- Bumped by every claim: an outcome is recorded only by the run that holds the current token,
  -- so a run that was cancelled (and the job retried meanwhile) cannot overwrite a newer one.
  run_token INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  note TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER
);
CREATE UNIQUE INDEX jobs_one_open ON jobs(kind, content_uuid) WHERE status IN ('queued', 'running', 'paused');
CREATE INDEX jobs_next ON jobs(status, priority, run_after, id);

ALTER TABLE locations ADD COLUMN generation TEXT;

-- Sidecars a content will never have (a video without sound has no transcript; a plain JPEG no
-- motion-photo movie), so a rescan does not queue the same dead-end job again.
CREATE TABLE sidecar_not_applicable (
  content_uuid TEXT NOT NULL,
  kind TEXT NOT NULL,
  variant TEXT NOT NULL,
  reason TEXT NOT NULL,
  generator TEXT,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (content_uuid, kind, variant)
) WITHOUT ROWID;
`,
};
