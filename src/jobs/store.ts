import type { Db } from '../db/connection.js';
import { VssError } from '../core/errors.js';
import { isJobStatus, type JobRow, type JobStatus } from './states.js';

export interface EnqueueInput {
  kind: string;
  contentUuid: string | null;
  priority: number;
  maxAttempts: number;
  bytes?: number;
}

export interface JobCounts {
  queued: number;
  running: number;
  completed: number;
  failed: number;
  cancelled: number;
  paused: number;
  /** Bytes of input of the queued and running jobs. */
  openBytes: number;
}

/** Backoff before retry N (1-based): 2 s, 8 s, 32 s … capped at 10 minutes. */
export function backoffMs(attempt: number, baseMs = 2000): number {
  return Math.min(baseMs * 4 ** Math.max(0, attempt - 1), 10 * 60_000);
}

/**
 * The jobs table: every state change of a job is one statement here, so the database is the
 * truth a crashed or cancelled run resumes from.
 */
export class JobStore {
  constructor(private readonly db: Db) {}

  /** Queue a job unless an open one for the same kind and content exists. Returns whether it queued. */
  enqueue(j: EnqueueInput): boolean {
    const now = Date.now();
    const r = this.db.prepare(
      `INSERT OR IGNORE INTO jobs (kind, content_uuid, priority, status, max_attempts, bytes, created_at, updated_at)
       VALUES (?, ?, ?, 'queued', ?, ?, ?, ?)`,
    ).run(j.kind, j.contentUuid, j.priority, j.maxAttempts, j.bytes ?? 0, now, now);
    return r.changes > 0;
  }

  enqueueMany(jobs: readonly EnqueueInput[]): number {
    let n = 0;
    this.db.transaction(() => {
      for (const j of jobs) if (this.enqueue(j)) n++;
    })();
    return n;
  }

  /**
   * Take up to LIMIT runnable jobs, highest priority first, skipping kinds that are at their
   * concurrency limit (ROOM: kind → free slots). Marks them running and counts the attempt.
   */
  claim(limit: number, room: ReadonlyMap<string, number>): JobRow[] {
    if (limit <= 0) return [];
    const kinds = [...room].filter(([, free]) => free > 0).map(([k]) => k);
    if (kinds.length === 0) return [];
    const now = Date.now();
    return this.db.transaction(() => {
      const left = new Map(room);
      const rows = this.db.prepare(
        `SELECT * FROM jobs WHERE status = 'queued' AND run_after <= ? AND kind IN (SELECT value FROM json_each(?))
         ORDER BY priority, run_after, id LIMIT ?`,
      ).all(now, JSON.stringify(kinds), limit * 8) as JobRow[];
      const taken: JobRow[] = [];
      const mark = this.db.prepare(`UPDATE jobs SET status = 'running', attempts = attempts + 1, started_at = ?, updated_at = ?, error = NULL WHERE id = ? AND status = 'queued'`);
      for (const r of rows) {
        if (taken.length >= limit) break;
        const free = left.get(r.kind) ?? 0;
        if (free <= 0) continue;
        if (mark.run(now, now, r.id).changes === 0) continue;
        left.set(r.kind, free - 1);
        taken.push({ ...r, status: 'running', attempts: r.attempts + 1, started_at: now, updated_at: now, error: null });
      }
      return taken;
    })();
  }

  complete(id: number, note: string | null = null): void {
    const now = Date.now();
    this.db.prepare(`UPDATE jobs SET status = 'completed', note = ?, error = NULL, finished_at = ?, updated_at = ? WHERE id = ? AND status = 'running'`).run(note, now, now, id);
  }

  /** Back to the queue after DELAY without spending an attempt (it waited, it did not fail). */
  requeue(id: number, delayMs: number, note: string | null): void {
    const now = Date.now();
    this.db.prepare(`UPDATE jobs SET status = 'queued', attempts = MAX(0, attempts - 1), run_after = ?, note = ?, updated_at = ? WHERE id = ? AND status = 'running'`).run(now + delayMs, note, now, id);
  }

  /**
   * A failed attempt: retried after backoff while attempts remain and the failure is not
   * permanent; otherwise `failed` for good. Returns the job's new status.
   */
  fail(job: JobRow, error: string, permanent: boolean, backoffBaseMs = 2000): JobStatus {
    const now = Date.now();
    if (!permanent && job.attempts < job.max_attempts) {
      this.db.prepare(`UPDATE jobs SET status = 'queued', error = ?, run_after = ?, updated_at = ? WHERE id = ? AND status = 'running'`)
        .run(error, now + backoffMs(job.attempts, backoffBaseMs), now, job.id);
      return 'queued';
    }
    this.db.prepare(`UPDATE jobs SET status = 'failed', error = ?, finished_at = ?, updated_at = ? WHERE id = ? AND status = 'running'`).run(error, now, now, job.id);
    return 'failed';
  }

  /**
   * Jobs left `running` by a process that died: queued again (the attempt they spent counts), or
   * failed when that was their last attempt. Returns them as they are now.
   */
  recoverInterrupted(): JobRow[] {
    const rows = this.db.prepare(`SELECT * FROM jobs WHERE status = 'running'`).all() as JobRow[];
    const now = Date.now();
    this.db.transaction(() => {
      for (const r of rows) {
        if (r.attempts >= r.max_attempts) {
          this.db.prepare(`UPDATE jobs SET status = 'failed', error = ?, finished_at = ?, updated_at = ? WHERE id = ?`)
            .run(`interrupted ${r.attempts} times (the process stopped while it ran)`, now, now, r.id);
        } else {
          this.db.prepare(`UPDATE jobs SET status = 'queued', note = 'resumed after an interrupted run', updated_at = ? WHERE id = ?`).run(now, r.id);
        }
      }
    })();
    return rows.map((r) => this.get(r.id)!);
  }

  get(id: number): JobRow | undefined {
    return this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
  }

  /** The status of each of IDS now (the runner polls this to notice cancels from other processes). */
  statuses(ids: readonly number[]): Map<number, JobStatus> {
    const rows = this.db.prepare('SELECT id, status FROM jobs WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(ids)) as Array<{ id: number; status: JobStatus }>;
    return new Map(rows.map((r) => [r.id, r.status]));
  }

  cancel(id: number): JobRow {
    const job = this.mustGet(id);
    if (job.status !== 'queued' && job.status !== 'running' && job.status !== 'paused') {
      throw new VssError('USAGE', `job ${id} is ${job.status}; only queued, running or paused jobs can be cancelled`);
    }
    const now = Date.now();
    this.db.prepare(`UPDATE jobs SET status = 'cancelled', finished_at = ?, updated_at = ? WHERE id = ?`).run(now, now, id);
    return this.mustGet(id);
  }

  /** A failed or cancelled job queued again with fresh attempts (a new row if another is open). */
  retry(id: number): JobRow {
    const job = this.mustGet(id);
    if (job.status !== 'failed' && job.status !== 'cancelled') {
      throw new VssError('USAGE', `job ${id} is ${job.status}; only failed or cancelled jobs can be retried`);
    }
    const now = Date.now();
    this.db.prepare(`UPDATE jobs SET status = 'queued', attempts = 0, run_after = 0, error = NULL, note = 'retried', finished_at = NULL, updated_at = ? WHERE id = ?`).run(now, id);
    return this.mustGet(id);
  }

  pause(id: number): JobRow {
    const job = this.mustGet(id);
    if (job.status !== 'queued') throw new VssError('USAGE', `job ${id} is ${job.status}; only queued jobs can be paused`);
    this.db.prepare(`UPDATE jobs SET status = 'paused', updated_at = ? WHERE id = ?`).run(Date.now(), id);
    return this.mustGet(id);
  }

  resume(id: number): JobRow {
    const job = this.mustGet(id);
    if (job.status !== 'paused') throw new VssError('USAGE', `job ${id} is ${job.status}; only paused jobs can be resumed`);
    this.db.prepare(`UPDATE jobs SET status = 'queued', updated_at = ? WHERE id = ?`).run(Date.now(), id);
    return this.mustGet(id);
  }

  list(filter: { status?: string; kind?: string; contentUuid?: string; limit?: number } = {}): JobRow[] {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (filter.status !== undefined) {
      if (!isJobStatus(filter.status)) throw new VssError('USAGE', `unknown job status ${JSON.stringify(filter.status)}`);
      where.push('status = ?');
      args.push(filter.status);
    }
    if (filter.kind !== undefined) { where.push('kind = ?'); args.push(filter.kind); }
    if (filter.contentUuid !== undefined) { where.push('content_uuid = ?'); args.push(filter.contentUuid); }
    const sql = `SELECT * FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT ?`;
    return this.db.prepare(sql).all(...args, filter.limit ?? -1) as JobRow[];
  }

  counts(): JobCounts {
    const c: JobCounts = { queued: 0, running: 0, completed: 0, failed: 0, cancelled: 0, paused: 0, openBytes: 0 };
    for (const r of this.db.prepare('SELECT status, COUNT(*) AS n, SUM(bytes) AS b FROM jobs GROUP BY status').all() as Array<{ status: JobStatus; n: number; b: number | null }>) {
      c[r.status] = r.n;
      if (r.status === 'queued' || r.status === 'running') c.openBytes += r.b ?? 0;
    }
    return c;
  }

  /** When the next queued job becomes runnable (ms epoch), or undefined when none is queued. */
  nextRunAfter(kinds: readonly string[]): number | undefined {
    const r = this.db.prepare(`SELECT MIN(run_after) AS t FROM jobs WHERE status = 'queued' AND kind IN (SELECT value FROM json_each(?))`).get(JSON.stringify(kinds)) as { t: number | null };
    return r.t ?? undefined;
  }

  private mustGet(id: number): JobRow {
    const job = this.get(id);
    if (!job) throw new VssError('NOT_FOUND', `no job ${id}`);
    return job;
  }
}
