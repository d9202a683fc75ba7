import type { Migration } from '../migrations.js';

/**
 * Another device's copies known only from a snapshot (a `library restore`, a `library recover`):
 * the time the library was restored, on each device but the one that restored it, until that
 * device is heard from again (it opens the library, or syncs with it). Meanwhile the Guardian does
 * not count its copies: the snapshot says what it held then, not that it holds anything now — after
 * a recovery, it is most often the computer that was lost.
 */
export const devicesUnconfirmed: Migration = {
  version: 50,
  name: 'devices-unconfirmed',
  sql: `
ALTER TABLE devices ADD COLUMN unconfirmed_since INTEGER;
`,
};
