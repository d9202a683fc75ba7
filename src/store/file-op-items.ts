import type { Db } from '../db/connection.js';
import { forEachChunk, multiRowSql } from './multi-row.js';
import { statementCache, type Prepared } from './statements.js';

export type FileOpItemKind = 'file' | 'dir' | 'rename' | 'delete';
export type FileOpItemState = 'todo' | 'done' | 'skipped';

/** A `file_op_items` row: one step of a file operation's job (migration 019). */
export interface FileOpItemRecord {
  job_id: number;
  idx: number;
  kind: FileOpItemKind;
  src: string;
  dst: string | null;
  size: number;
  state: FileOpItemState;
  final: string | null;
  blake3: string | null;
  /** What the plan saw of the source, as JSON (migration 020; see files/kept-meta.ts). */
  meta: string | null;
  /** Why the item was skipped, or what of it could not be kept. */
  note: string | null;
}

export type NewFileOpItem = Pick<FileOpItemRecord, 'kind' | 'src' | 'dst' | 'size'> & { meta?: string | null };

/** How an item ended, as `finishMany` writes it. */
export interface FinishedItem {
  idx: number;
  state: Exclude<FileOpItemState, 'todo'>;
  final: string | null;
  blake3: string | null;
  note: string | null;
}

/** How a job's items stand (`tally`): ended done (and their bytes), skipped with a place (FINAL set) or left out without one, still to do (and their bytes); all their bytes. */
export interface ItemTally {
  done: number;
  done_bytes: number;
  kept: number;
  left_out: number;
  todo: number;
  todo_bytes: number;
  bytes: number;
}

const INSERT_ROW = '(?, ?, ?, ?, ?, ?, ?)';
const INSERT_VALUES = 7;
/** Multi-row INSERTs: a plan of 10k files is written in ~160 statements, not 10k. */
const INSERTS = multiRowSql(INSERT_ROW, (values) => `INSERT INTO file_op_items (job_id, idx, kind, src, dst, size, meta) VALUES ${values}`);

/** The `file_op_items` table: the items of `files-copy|move|delete` jobs, and how far each got. */
export class FileOpItemStore {
  private readonly sql: Prepared;

  constructor(private readonly db: Db) {
    this.sql = statementCache(db);
  }

  /**
   * The id of the row the last INSERT on this connection made: the job just queued in the same
   * transaction (a file job has no content, so it cannot be found by kind and content).
   */
  lastInsertedId(): number {
    return this.sql<[], number>('SELECT last_insert_rowid()').pluck().get() ?? 0;
  }

  /** ITEMS added to job JOBID, numbered from FIRSTIDX (a plan written a page at a time). */
  addMany(jobId: number, items: readonly NewFileOpItem[], firstIdx = 0): void {
    const values: unknown[] = [];
    items.forEach((it, i) => values.push(jobId, firstIdx + i, it.kind, it.src, it.dst, it.size, it.meta ?? null));
    this.db.transaction(() => {
      forEachChunk(items.length, (at, n) => this.sql<unknown[]>(INSERTS.get(n)!).run(...values.slice(at * INSERT_VALUES, (at + n) * INSERT_VALUES)));
    })();
  }

  of(jobId: number): FileOpItemRecord[] {
    return this.sql<[number], FileOpItemRecord>('SELECT * FROM file_op_items WHERE job_id = ? ORDER BY idx').all(jobId);
  }

  /** At most LIMIT items of job JOBID from item FROMIDX on, in order (a job too big to hold at once, run a page at a time). */
  page(jobId: number, fromIdx: number, limit: number): FileOpItemRecord[] {
    return this.sql<[number, number, number], FileOpItemRecord>('SELECT * FROM file_op_items WHERE job_id = ? AND idx >= ? ORDER BY idx LIMIT ?').all(jobId, fromIdx, limit);
  }

  /** The first item of job JOBID from item FROMIDX on not ended yet (the key's range from there, not the job's whole list); undefined: every one has. */
  firstTodo(jobId: number, fromIdx = 0): number | undefined {
    return this.sql<[number, number], number>("SELECT min(idx) FROM file_op_items WHERE job_id = ? AND idx >= ? AND state = 'todo'").pluck().get(jobId, fromIdx) ?? undefined;
  }

  /** How the items of job JOBID stand, as counts and bytes: ended done, skipped with a place (FINAL set) or without one, still to do. */
  tally(jobId: number): ItemTally {
    return this.sql<[number], ItemTally>(
      `SELECT count(*) FILTER (WHERE state = 'done') AS done, coalesce(sum(size) FILTER (WHERE state = 'done'), 0) AS done_bytes,
         count(*) FILTER (WHERE state = 'skipped' AND final IS NOT NULL) AS kept, count(*) FILTER (WHERE state = 'skipped' AND final IS NULL) AS left_out,
         count(*) FILTER (WHERE state = 'todo') AS todo, coalesce(sum(size) FILTER (WHERE state = 'todo'), 0) AS todo_bytes, coalesce(sum(size), 0) AS bytes FROM file_op_items WHERE job_id = ?`,
    ).get(jobId)!;
  }

  /** The first LIMIT items of job JOBID left out with nowhere to show (skipped, FINAL null), in order. */
  leftOut(jobId: number, limit: number): FileOpItemRecord[] {
    return this.sql<[number, number], FileOpItemRecord>("SELECT * FROM file_op_items WHERE job_id = ? AND state = 'skipped' AND final IS NULL ORDER BY idx LIMIT ?").all(jobId, limit);
  }

  /** Item IDX of job JOBID has ended as STATE, at FINAL, with its full hash (and NOTE: why skipped, or what was not kept). */
  finish(jobId: number, idx: number, state: Exclude<FileOpItemState, 'todo'>, final: string | null, blake3: string | null, note: string | null = null): void {
    this.sql<[string, string | null, string | null, string | null, number, number]>(
      'UPDATE file_op_items SET state = ?, final = ?, blake3 = ?, note = ? WHERE job_id = ? AND idx = ?',
    ).run(state, final, blake3, note, jobId, idx);
  }

  /** Each of ITEMS of job JOBID has ended as it says: one statement for a whole batch of a copy. */
  finishMany(jobId: number, items: readonly FinishedItem[]): void {
    if (items.length === 0) return;
    const rows = items.map((it) => [it.idx, it.state, it.final, it.blake3, it.note]);
    // The rows materialized first: each is then found by the primary key (joined to json_each
    // directly, SQLite scanned the list once per item of the job, 25 s for a batch of 2048).
    this.sql<[string, number]>(
      `WITH j(idx, state, final, blake3, note) AS MATERIALIZED (SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4 FROM json_each(?))
       UPDATE file_op_items SET state = j.state, final = j.final, blake3 = j.blake3, note = j.note
       FROM j WHERE file_op_items.job_id = ? AND file_op_items.idx = j.idx`,
    ).run(JSON.stringify(rows), jobId);
  }
}
