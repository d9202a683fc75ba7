import type { Db } from '../db/connection.js';
import { statementCache, type Prepared } from './statements.js';

/**
 * The `sidecars` table as sync reads it: what this device fetched from peers. Sync's own queries
 * of the table, kept apart from the sidecars store (src/store/sidecars.ts) until they are merged
 * into it.
 */
export class FetchedSidecarStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  /** Bytes of the ready sidecars recorded `fetched` (prefetch's disk budget counts these). */
  readyBytes(): number {
    return this.sql<[], number>("SELECT COALESCE(SUM(size), 0) FROM sidecars WHERE source = 'fetched' AND status = 'ready'").pluck().get()!;
  }
}
