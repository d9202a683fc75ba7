import type { Migration } from '../migrations.js';

/**
 * Jobs that are not a generator's (DESIGN §7, §15: a copy of an original from another device;
 * later the file operations) need what the user asked for, what they made and how far they got:
 * `params` (JSON, set when queued: the folder to copy into), `result` (JSON, set when completed:
 * where the copy is) and `done_bytes` (how far a running job has got, out of `bytes`; written at
 * most about once a second, so `jobs list` and another process see a transfer move).
 */
export const jobParams: Migration = {
  version: 15,
  name: 'job-params',
  sql: `
ALTER TABLE jobs ADD COLUMN params TEXT;
ALTER TABLE jobs ADD COLUMN result TEXT;
ALTER TABLE jobs ADD COLUMN done_bytes INTEGER NOT NULL DEFAULT 0;
`,
};
