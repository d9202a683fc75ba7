import type { Migration } from '../migrations.js';

/**
 * Finished jobs by when they finished, so pruning the old ones (jobs/store.ts `prune`) walks
 * only those, a batch at a time, however long the table has grown.
 */
export const finishedJobs: Migration = {
  version: 5,
  name: 'finished-jobs',
  sql: `
CREATE INDEX jobs_finished ON jobs(finished_at) WHERE status IN ('completed', 'failed', 'cancelled');
`,
};
