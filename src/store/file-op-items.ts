import type { Db } from '../db/connection.js';
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
    const ins = this.sql<[number, number, string, string, string | null, number, string | null]>(
      'INSERT INTO file_op_items (job_id, idx, kind, src, dst, size, meta) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      items.forEach((it, i) => ins.run(jobId, i, it.kind, it.src, it.dst, it.size, it.meta ?? null));
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
}
