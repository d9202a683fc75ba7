import type { Migration } from '../migrations.js';

/**
 * The action log (issue 30): one row per user operation that changes files or copies (copy,
 * move, delete, send, content get, protect, repair), kept by src/ops/facade.ts when the operation
 * is asked for. `sources` is a JSON list of the first few sources as named. An action with a job
 * follows its job's state through the trigger below: every way a job's state changes (a runner's
 * claim and end, a retry's wait, `jobs cancel|pause|resume|retry` from any process, a restarted
 * runner requeueing what a killed one left running) is an UPDATE of `jobs.status`, so an action
 * never says `running` of a job that has ended, and outlives its job once finished jobs are
 * pruned. A completed job whose result says it skipped some (`skipped` > 0, as the file
 * operations' result does) is `partial`. Ids never come back (AUTOINCREMENT): the store keeps the
 * newest by id.
 */
export const actions: Migration = {
  version: 25,
  name: 'actions',
  sql: `
CREATE TABLE actions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  device_id INTEGER NOT NULL,
  op TEXT NOT NULL,
  files INTEGER,
  bytes INTEGER,
  sources TEXT NOT NULL,
  source_count INTEGER NOT NULL,
  target TEXT,
  job_id INTEGER,
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  outcome TEXT NOT NULL CHECK (outcome IN ('queued', 'running', 'paused', 'done', 'partial', 'failed', 'cancelled', 'refused')),
  reason TEXT
);
CREATE INDEX actions_job ON actions(job_id) WHERE job_id IS NOT NULL;

-- Every job's state change probes actions_job once (a generator's job finds nothing there).
CREATE TRIGGER actions_follow_job AFTER UPDATE OF status ON jobs WHEN NEW.status IS NOT OLD.status BEGIN
  UPDATE actions SET
    outcome = CASE NEW.status
      WHEN 'completed' THEN CASE WHEN json_valid(NEW.result) AND json_extract(NEW.result, '$.skipped') > 0 THEN 'partial' ELSE 'done' END
      ELSE NEW.status END,
    reason = CASE WHEN NEW.status = 'running' THEN NULL ELSE substr(COALESCE(NEW.error, NEW.note), 1, 1000) END,
    finished_at = CASE WHEN NEW.status IN ('completed', 'failed', 'cancelled') THEN NEW.finished_at END
  WHERE job_id = NEW.id;
END;
`,
};
