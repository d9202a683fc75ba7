import type { Migration } from '../migrations.js';

/**
 * A job's runs cut off by the process dying (a kill -9, a crash, a power cut), in a row: such a
 * run gives its attempt back (the job did not fail; its process stopped under it), and only a job
 * whose every run ends its process is given up, after `MAX_INTERRUPTIONS` (src/jobs/queue.ts).
 */
export const jobInterruptions: Migration = {
  version: 34,
  name: 'job-interruptions',
  sql: `ALTER TABLE jobs ADD COLUMN interruptions INTEGER NOT NULL DEFAULT 0;`,
};
