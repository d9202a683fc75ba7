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

  addMany(jobId: number, items: readonly NewFileOpItem[]): void {
    const values: unknown[] = [];
    items.forEach((it, i) => values.push(jobId, i, it.kind, it.src, it.dst, it.size, it.meta ?? null));
    this.db.transaction(() => {
      forEachChunk(items.length, (at, n) => this.sql<unknown[]>(INSERTS.get(n)!).run(...values.slice(at * INSERT_VALUES, (at + n) * INSERT_VALUES)));
    })();
  }

  of(jobId: number): FileOpItemRecord[] {
    return this.sql<[number], FileOpItemRecord>('SELECT * FROM file_op_items WHERE job_id = ? ORDER BY idx').all(jobId);
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
