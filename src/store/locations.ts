import type { Db } from '../db/connection.js';
import { statementCache, type Prepared } from './statements.js';

export type IndexModeValue = 'shallow' | 'content' | 'deep';
export type ScanState = 'pending' | 'scanning' | 'complete';

/** A `locations` row: a folder of one device that the library indexes. */
export interface LocationRecord {
  id: number;
  uuid: string;
  device_id: number;
  name: string;
  path: string;
  index_mode: IndexModeValue;
  /** JSON array of gitignore-style rules. */
  ignore_rules: string;
  scan_state: ScanState;
  files: number;
  dirs: number;
  bytes: number;
  last_scan_started_at: number | null;
  last_scan_completed_at: number | null;
  created_at: number;
  /** A generation policy spec of its own (jobs/policy.ts), or null: the library's. */
  generation: string | null;
  watch_paused: 0 | 1;
}

/** The `locations` table. */
export class LocationStore {
  private readonly sql: Prepared;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  byId(id: number): LocationRecord | undefined {
    return this.sql<[number], LocationRecord>('SELECT * FROM locations WHERE id = ?').get(id);
  }

  /** The locations of one device, by id. */
  ofDevice(deviceId: number): LocationRecord[] {
    return this.sql<[number], LocationRecord>('SELECT * FROM locations WHERE device_id = ? ORDER BY id').all(deviceId);
  }

  // --- added for sidecars (h-sidecars) --------------------------------------------------------

  /** The location's folder totals no longer hold (a file left it outside a scan): its next scan aggregates again. */
  markScanPending(id: number): void {
    this.sql<[number]>("UPDATE locations SET scan_state = 'pending' WHERE id = ?").run(id);
  }
}
