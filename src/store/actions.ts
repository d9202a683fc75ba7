import type { Db } from '../db/connection.js';
import type { ActionOp, ActionOutcome } from '../wire/actions.js';
import { statementCache, type Prepared } from './statements.js';

/** An `actions` row (migration 025): one user operation that changes files or copies. */
export interface ActionRecord {
  id: number;
  /** This library's `devices` row of the device that performed it. */
  device_id: number;
  op: ActionOp;
  files: number | null;
  bytes: number | null;
  /** JSON: the first few sources as named. */
  sources: string;
  source_count: number;
  target: string | null;
  job_id: number | null;
  started_at: number;
  finished_at: number | null;
  outcome: ActionOutcome;
  reason: string | null;
}

/** A row as listed: with its device's uuid and name. */
export interface ListedActionRecord extends ActionRecord {
  device_uuid: string;
  device_name: string;
}

export type NewAction = Omit<ActionRecord, 'id' | 'finished_at' | 'reason'> & Partial<Pick<ActionRecord, 'finished_at' | 'reason'>>;

/** Outcomes an action without a job ends with (one with a job follows it: migration 025's trigger). */
export type EndedOutcome = Extract<ActionOutcome, 'done' | 'failed' | 'cancelled'>;

/** The `actions` table: the action log. */
export class ActionStore {
  private readonly sql: Prepared;

  constructor(private readonly db: Db) {
    this.sql = statementCache(db);
  }

  /**
   * Record ACTION and keep only the newest KEEP rows: its id. Ids are never reused, so the rows
   * kept are those within KEEP of the new id, and the prune deletes only what falls out (by the
   * primary key: a handful of rows a call once the log is full, none before).
   */
  add(action: NewAction, keep: number): number {
    return this.db.transaction(() => {
      const id = Number(this.sql<unknown[]>(
        `INSERT INTO actions (device_id, op, files, bytes, sources, source_count, target, job_id, started_at, finished_at, outcome, reason)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(action.device_id, action.op, action.files, action.bytes, action.sources, action.source_count, action.target, action.job_id,
        action.started_at, action.finished_at ?? null, action.outcome, action.reason ?? null).lastInsertRowid);
      this.sql<[number]>('DELETE FROM actions WHERE id <= ?').run(id - keep);
      return id;
    })();
  }

  /** Action ID, done without a job, ended as OUTCOME at AT (REASON: why, or what it did). */
  end(id: number, outcome: EndedOutcome, reason: string | null, at = Date.now()): void {
    this.sql<[string, string | null, number, number]>('UPDATE actions SET outcome = ?, reason = ?, finished_at = ? WHERE id = ?').run(outcome, reason, at, id);
  }

  get(id: number): ActionRecord | undefined {
    return this.sql<[number], ActionRecord>('SELECT * FROM actions WHERE id = ?').get(id);
  }

  /** The newest LIMIT actions, newest first, with their devices. */
  list(limit: number): ListedActionRecord[] {
    return this.sql<[number], ListedActionRecord>(
      `SELECT a.*, d.uuid AS device_uuid, d.name AS device_name FROM actions a JOIN devices d ON d.id = a.device_id ORDER BY a.id DESC LIMIT ?`,
    ).all(limit);
  }

  count(): number {
    return this.sql<[], number>('SELECT COUNT(*) FROM actions').pluck().get() ?? 0;
  }
}
