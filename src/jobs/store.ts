import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/connection.js';
import { VssError } from '../core/errors.js';
import { FIRST_NAME_SQL } from '../store/contents.js';
import { statementCache, type Prepared } from '../store/statements.js';
import { isJobStatus, type JobRow, type JobStatus, type NamedJobRow } from './states.js';

export interface EnqueueInput {
  kind: string;
  contentUuid: string | null;
  priority: number;
  maxAttempts: number;
  bytes?: number;
}

export interface JobListFilter {
  status?: string;
  kind?: string;
  contentUuid?: string;
  afterId?: number;
  limit?: number;
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

/** Who hears of queue changes made through a connection (see `onJobsChanged`). */
const listeners = new WeakMap<Db, Set<() => void>>();

/**
 * Call FN after every change to the queue made through DB in this process (a job queued, raised,
 * retried, resumed or cancelled), so a runner on the same connection starts work at once instead
 * of at its next poll. FN runs synchronously, maybe inside the writer's transaction: it must only
 * take note (a runner wakes on a later tick, after the commit). Returns the unsubscribe.
 */
export function onJobsChanged(db: Db, fn: () => void): () => void {
  let set = listeners.get(db);
  if (!set) listeners.set(db, (set = new Set()));
  set.add(fn);
  return () => set.delete(fn);
}

function jobsChanged(db: Db): void {
  const set = listeners.get(db);
  if (set) for (const fn of set) fn();
}

/**
 * The jobs table: every state change of a job is one statement here, so the database is the
 * truth a crashed or cancelled run resumes from.
 */
export class JobStore {
  private enqueueStmt: Statement | undefined;
  private openCountsStmt: Statement | undefined;
  private dataVersionStmt: Statement | undefined;

  constructor(private readonly db: Db) {}

  /** Queue a job unless an open one for the same kind and content exists. Returns whether it queued. */
  enqueue(j: EnqueueInput): boolean {
    const now = Date.now();
    this.enqueueStmt ??= this.db.prepare(
      `INSERT OR IGNORE INTO jobs (kind, content_uuid, priority, status, max_attempts, bytes, created_at, updated_at)
       VALUES (?, ?, ?, 'queued', ?, ?, ?, ?)`,
    );
    const r = this.enqueueStmt.run(j.kind, j.contentUuid, j.priority, j.maxAttempts, j.bytes ?? 0, now, now);
    if (r.changes > 0) jobsChanged(this.db);
    return r.changes > 0;
  }

  /**
   * Queue J, or raise the queued job already open for the same work to J's priority when that
   * is more urgent (a user's request overtaking the background queue). Returns whether a job was
   * queued (false when one was open, raised or not).
   */
  enqueueUrgent(j: EnqueueInput): boolean {
    if (this.enqueue(j)) return true;
    const r = this.db.prepare(`UPDATE jobs SET priority = ?, updated_at = ? WHERE kind = ? AND content_uuid IS ? AND status = 'queued' AND priority > ?`)
      .run(j.priority, Date.now(), j.kind, j.contentUuid, j.priority);
    if (r.changes > 0) jobsChanged(this.db);
    return false;
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
  claim(limit: number, room: ReadonlyMap<string, number>, busy: ReadonlySet<number> = new Set(), opts: { maxPriority?: number } = {}): JobRow[] {
    if (limit <= 0) return [];
    const kinds = [...room].filter(([, free]) => free > 0).map(([k]) => k);
    if (kinds.length === 0) return [];
    const now = Date.now();
    // IMMEDIATE: read and mark under one write lock, so another connection's commit in between
    // cannot make the marking fail (WAL snapshot) or take the same job.
    return this.db.transaction(() => {
      const left = new Map(room);
      const rows = this.db.prepare(
        `SELECT * FROM jobs WHERE status = 'queued' AND priority <= ? AND run_after <= ? AND kind IN (SELECT value FROM json_each(?))
         ORDER BY priority, run_after, id LIMIT ?`,
      ).all(opts.maxPriority ?? Number.MAX_SAFE_INTEGER, now, JSON.stringify(kinds), limit * 8) as JobRow[];
      const taken: JobRow[] = [];
      const mark = this.db.prepare(`UPDATE jobs SET status = 'running', attempts = attempts + 1, run_token = run_token + 1, started_at = ?, updated_at = ?, error = NULL WHERE id = ? AND status = 'queued'`);
      for (const r of rows) {
        if (taken.length >= limit) break;
        // A job cancelled and retried while its old run is still winding down waits for that run.
        if (busy.has(r.id)) continue;
        const free = left.get(r.kind) ?? 0;
        if (free <= 0) continue;
        if (mark.run(now, now, r.id).changes === 0) continue;
        left.set(r.kind, free - 1);
        taken.push({ ...r, status: 'running', attempts: r.attempts + 1, run_token: r.run_token + 1, started_at: now, updated_at: now, error: null });
      }
      return taken;
    }).immediate();
  }

  /** Record a run's success; only the run holding the job's current token may (see run_token). */
  complete(job: Pick<JobRow, 'id' | 'run_token'>, note: string | null = null): boolean {
    const now = Date.now();
    return this.db.prepare(`UPDATE jobs SET status = 'completed', note = ?, error = NULL, finished_at = ?, updated_at = ? WHERE id = ? AND status = 'running' AND run_token = ?`)
      .run(note, now, now, job.id, job.run_token).changes > 0;
  }

  /** Back to the queue after DELAY without spending an attempt (it waited, it did not fail). */
  requeue(job: Pick<JobRow, 'id' | 'run_token'>, delayMs: number, note: string | null): void {
    const now = Date.now();
    this.db.prepare(`UPDATE jobs SET status = 'queued', attempts = MAX(0, attempts - 1), run_after = ?, note = ?, updated_at = ? WHERE id = ? AND status = 'running' AND run_token = ?`)
      .run(now + delayMs, note, now, job.id, job.run_token);
  }

  /**
   * A failed attempt: retried after backoff while attempts remain and the failure is not
   * permanent; otherwise `failed` for good. Returns the job's new status, or `superseded` when
   * the row has moved on without this run (cancelled, and perhaps retried, meanwhile).
   */
  fail(job: JobRow, error: string, permanent: boolean, backoffBaseMs = 2000): 'queued' | 'failed' | 'superseded' {
    const now = Date.now();
    if (!permanent && job.attempts < job.max_attempts) {
      const r = this.db.prepare(`UPDATE jobs SET status = 'queued', error = ?, run_after = ?, updated_at = ? WHERE id = ? AND status = 'running' AND run_token = ?`)
        .run(error, now + backoffMs(job.attempts, backoffBaseMs), now, job.id, job.run_token);
      return r.changes > 0 ? 'queued' : 'superseded';
    }
    const r = this.db.prepare(`UPDATE jobs SET status = 'failed', error = ?, finished_at = ?, updated_at = ? WHERE id = ? AND status = 'running' AND run_token = ?`).run(error, now, now, job.id, job.run_token);
    return r.changes > 0 ? 'failed' : 'superseded';
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

  /**
   * Delete the finished jobs that ended before CUTOFF (ms since the epoch), BATCH at a time, each
   * batch its own short transaction so a `jobs list` or `cancel` beside never waits long. A failed
   * or cancelled job stays while a sidecar of its work is still failed: it is what `jobs retry`
   * takes. Returns how many were deleted.
   */
  prune(cutoff: number, batch = 1000): number {
    // Walk the finished jobs in the order they finished, after a cursor, so the kept ones are
    // read once, not again by every batch. INDEXED BY: without statistics the planner would
    // rather take jobs_next by status and sort every finished job.
    const page = this.db.prepare(
      `SELECT id, finished_at AS t FROM jobs INDEXED BY jobs_finished
       WHERE status IN ('completed', 'failed', 'cancelled') AND finished_at >= ? AND finished_at < ? AND (finished_at > ? OR id > ?)
       ORDER BY finished_at, id LIMIT ?`,
    );
    // By id, and each job's sidecars by their (content, kind) index: the unary + keeps the planner
    // off the status indexes, which would make every batch walk all finished jobs or failed sidecars.
    const drop = this.db.prepare(
      `DELETE FROM jobs WHERE id IN (SELECT value FROM json_each(?)) AND +status IN ('completed', 'failed', 'cancelled')
         AND (+status = 'completed' OR content_uuid IS NULL
              OR NOT EXISTS (SELECT 1 FROM sidecars s WHERE s.content_uuid = jobs.content_uuid AND s.kind = jobs.kind AND +s.status = 'failed'))`,
    );
    let deleted = 0;
    let t = 0;
    let id = 0;
    for (;;) {
      // Read and delete under one write lock: a `jobs retry` in between cannot lose its job.
      const rows = this.db.transaction(() => {
        const got = page.all(t, cutoff, t, id, batch) as Array<{ id: number; t: number }>;
        if (got.length > 0) deleted += drop.run(JSON.stringify(got.map((r) => r.id))).changes;
        return got;
      }).immediate();
      if (rows.length === 0) break;
      ({ id, t } = rows[rows.length - 1]!);
      if (rows.length < batch) break;
    }
    return deleted;
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
    return this.transition(id, ['queued', 'running', 'paused'], `UPDATE jobs SET status = 'cancelled', finished_at = @now, updated_at = @now`, 'cancelled');
  }

  /**
   * Cancel each of IDS still open (queued, running or paused), with NOTE saying why: work nobody
   * asked to stop, such as the jobs of a content that left the library. A running one's runner
   * stops it as it does for `jobs cancel`. Returns the jobs cancelled, as they are now.
   */
  cancelMany(ids: readonly number[], note: string): JobRow[] {
    if (ids.length === 0) return [];
    const now = Date.now();
    // By id (`+status`): the queue's status index would walk every open job for each call.
    const rows = this.db.prepare(
      `UPDATE jobs SET status = 'cancelled', note = ?, finished_at = ?, updated_at = ?
       WHERE id IN (SELECT value FROM json_each(?)) AND +status IN ('queued', 'running', 'paused') RETURNING *`,
    ).all(note, now, now, JSON.stringify(ids)) as JobRow[];
    if (rows.length > 0) jobsChanged(this.db);
    return rows;
  }

  /**
   * A failed or cancelled job queued again with fresh attempts. When another job of the same kind
   * and content is open meanwhile (`sidecars path` queued one), that one is the retry.
   */
  retry(id: number): JobRow {
    return this.db.transaction(() => {
      const job = this.mustGet(id);
      const open = this.db.prepare(`SELECT * FROM jobs WHERE kind = ? AND content_uuid IS ? AND id <> ? AND status IN ('queued', 'running', 'paused')`).get(job.kind, job.content_uuid, id) as JobRow | undefined;
      if (open && (job.status === 'failed' || job.status === 'cancelled')) return open;
      return this.transition(id, ['failed', 'cancelled'], `UPDATE jobs SET status = 'queued', attempts = 0, run_after = 0, error = NULL, note = 'retried', finished_at = NULL, updated_at = @now`, 'retried');
    }).immediate();
  }

  pause(id: number): JobRow {
    return this.transition(id, ['queued'], `UPDATE jobs SET status = 'paused', updated_at = @now`, 'paused');
  }

  resume(id: number): JobRow {
    return this.transition(id, ['paused'], `UPDATE jobs SET status = 'queued', updated_at = @now`, 'resumed');
  }

  /** Change a job's state only if it is still in one of FROM (checked in the same statement). */
  private transition(id: number, from: readonly JobStatus[], update: string, verb: string): JobRow {
    const r = this.db.prepare(`${update} WHERE id = @id AND status IN (SELECT value FROM json_each(@from))`).run({ id, now: Date.now(), from: JSON.stringify(from) });
    const job = this.mustGet(id);
    if (r.changes > 0) jobsChanged(this.db);
    if (r.changes === 0) {
      const states = from.length > 1 ? `${from.slice(0, -1).join(', ')} or ${from.at(-1)}` : from[0];
      throw new VssError('USAGE', `job ${id} is ${job.status}; only ${states} jobs can be ${verb}`);
    }
    return job;
  }

  /** Jobs in id order; AFTERID and LIMIT read them a page at a time. */
  list(filter: JobListFilter = {}): JobRow[] {
    const { sql, args } = listQuery('SELECT * FROM jobs', filter);
    return this.db.prepare(sql).all(...args) as JobRow[];
  }

  /**
   * `list` with each job's content named as the grid names it (its first copy's file name; null
   * without content or copy): two index lookups a row, on the page only.
   */
  listNamed(filter: JobListFilter = {}): NamedJobRow[] {
    const { sql, args } = listQuery(`SELECT jobs.*, (SELECT ${FIRST_NAME_SQL} FROM content_identities c WHERE c.uuid = jobs.content_uuid) AS name FROM jobs`, filter);
    return this.db.prepare(sql).all(...args) as NamedJobRow[];
  }

  counts(): JobCounts {
    const c: JobCounts = { queued: 0, running: 0, completed: 0, failed: 0, cancelled: 0, paused: 0, openBytes: 0 };
    for (const r of this.db.prepare('SELECT status, COUNT(*) AS n, SUM(bytes) AS b FROM jobs GROUP BY status').all() as Array<{ status: JobStatus; n: number; b: number | null }>) {
      c[r.status] = r.n;
      if (r.status === 'queued' || r.status === 'running') c.openBytes += r.b ?? 0;
    }
    return c;
  }

  /**
   * The queued and running jobs and their input bytes: read through the queue's index, so a
   * runner's poll costs nothing per finished job (`counts` reads them all).
   */
  openCounts(): Pick<JobCounts, 'queued' | 'running' | 'openBytes'> {
    this.openCountsStmt ??= this.db.prepare(`SELECT status, COUNT(*) AS n, SUM(bytes) AS b FROM jobs WHERE status IN ('queued', 'running') GROUP BY status`);
    const c = { queued: 0, running: 0, openBytes: 0 };
    for (const r of this.openCountsStmt.all() as Array<{ status: 'queued' | 'running'; n: number; b: number | null }>) {
      c[r.status] = r.n;
      c.openBytes += r.b ?? 0;
    }
    return c;
  }

  /** SQLite's `data_version`: changes when another connection (process) commits to the database. */
  dataVersion(): number {
    this.dataVersionStmt ??= this.db.prepare('PRAGMA data_version').pluck();
    return this.dataVersionStmt.get() as number;
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

  /** The kinds that have an open job: one index seek per kind (the open-jobs index leads with the kind, and there are few kinds). */
  openKinds(): string[] {
    const next = cachedStatements(this.db)<[string], string>(`SELECT kind FROM jobs INDEXED BY jobs_one_open WHERE status IN ('queued', 'running', 'paused') AND kind > ? ORDER BY kind LIMIT 1`).pluck();
    const kinds: string[] = [];
    for (let k = next.get(''); k !== undefined; k = next.get(k)) kinds.push(k);
    return kinds;
  }

  /** The open jobs of one kind for one content. */
  openFor(kind: string, contentUuid: string): JobRow[] {
    return cachedStatements(this.db)<[string, string], JobRow>(`SELECT * FROM jobs WHERE kind = ? AND content_uuid = ? AND status IN ('queued', 'running', 'paused')`).all(kind, contentUuid);
  }

  /** Whether a job of KIND for the content ended after SINCE (ms epoch). */
  endedSince(since: number, kind: string, contentUuid: string): boolean {
    return cachedStatements(this.db)<[number, string, string]>(
      `SELECT 1 FROM jobs INDEXED BY jobs_finished WHERE finished_at > ? AND status IN ('completed', 'failed', 'cancelled') AND kind = ? AND content_uuid = ? LIMIT 1`,
    ).get(since, kind, contentUuid) !== undefined;
  }
}

/** SELECT (over `jobs`) with FILTER's conditions, in id order, a page at a time. */
function listQuery(select: string, filter: JobListFilter): { sql: string; args: Array<string | number> } {
  const where: string[] = [];
  const args: Array<string | number> = [];
  if (filter.afterId !== undefined) { where.push('jobs.id > ?'); args.push(filter.afterId); }
  if (filter.status !== undefined) {
    if (!isJobStatus(filter.status)) throw new VssError('USAGE', `unknown job status ${JSON.stringify(filter.status)}`);
    // `+status`: walk by id; the queue's (status, priority, ...) index would sort every job of the status for each page.
    where.push('+jobs.status = ?');
    args.push(filter.status);
  }
  if (filter.kind !== undefined) { where.push('jobs.kind = ?'); args.push(filter.kind); }
  if (filter.contentUuid !== undefined) { where.push('jobs.content_uuid = ?'); args.push(filter.contentUuid); }
  args.push(filter.limit ?? -1);
  return { sql: `${select} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY jobs.id LIMIT ?`, args };
}

/** Statements prepared once per connection, for the methods above that run once per content. */
const statementsByDb = new WeakMap<Db, Prepared>();
function cachedStatements(db: Db): Prepared {
  let p = statementsByDb.get(db);
  if (!p) statementsByDb.set(db, (p = statementCache(db)));
  return p;
}
