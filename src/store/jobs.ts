import type { Db } from '../db/connection.js';
import type { JobRow, JobStatus, NamedJobRow } from '../wire/jobs.js';
import { FIRST_NAME_SQL } from './contents.js';
import { statementCache, type Prepared } from './statements.js';

/** A `jobs` row: the wire's JobRow is the row as stored (DESIGN §7). */
export type JobRecord = JobRow;
/** A job with its content's name (its first copy's file name; null without content or copy). */
export type NamedJobRecord = NamedJobRow;

export interface EnqueueInput {
  kind: string;
  contentUuid: string | null;
  priority: number;
  maxAttempts: number;
  bytes?: number;
  /** What the user asked for, as JSON (jobs that are not a generator's). */
  params?: string;
}

export interface JobListFilter {
  status?: JobStatus;
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

/** Who hears of queue changes made through a connection (see `onJobsChanged`). */
const listeners = new WeakMap<Db, Set<() => void>>();

/**
 * Call FN after every change to the queue made through DB in this process (a job queued, raised,
 * retried, paused, resumed or cancelled), so a runner on the same connection starts (or stops)
 * work at once instead of at its next poll. FN runs synchronously, maybe inside the writer's
 * transaction: it must only take note (a runner acts on a later tick, after the commit).
 * Returns the unsubscribe.
 */
export function onJobsChanged(db: Db, fn: () => void): () => void {
  let set = listeners.get(db);
  if (!set) listeners.set(db, (set = new Set()));
  set.add(fn);
  return () => set.delete(fn);
}

/** A list as the SQL's `json_each` reads it. */
const jsonList = (xs: readonly unknown[]): string => JSON.stringify(xs);

/**
 * The `jobs` table: every state change of a job is one statement here, so the database is the
 * truth a crashed or cancelled run resumes from. Which change is allowed when, and what a
 * failure leads to, is the job queue's (src/jobs); a change that must hold only in some states
 * takes them (FROM) and answers whether it happened, checked in the same statement.
 */
export class JobStore {
  private readonly sql: Prepared;

  constructor(private readonly db: Db) {
    this.sql = statementCache(db);
  }

  private changed(): void {
    const set = listeners.get(this.db);
    if (set) for (const fn of set) fn();
  }

  /** Queue a job unless an open one for the same kind and content exists. Returns whether it queued. */
  enqueue(j: EnqueueInput, now = Date.now()): boolean {
    const r = this.sql<[string, string | null, number, number, number, string | null, number, number]>(
      `INSERT OR IGNORE INTO jobs (kind, content_uuid, priority, status, max_attempts, bytes, params, created_at, updated_at)
       VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?)`,
    ).run(j.kind, j.contentUuid, j.priority, j.maxAttempts, j.bytes ?? 0, j.params ?? null, now, now);
    if (r.changes > 0) this.changed();
    return r.changes > 0;
  }

  /**
   * Queue J, or raise the queued job already open for the same work to J's priority when that
   * is more urgent. Returns whether a job was queued (false when one was open, raised or not).
   */
  enqueueUrgent(j: EnqueueInput, now = Date.now()): boolean {
    if (this.enqueue(j, now)) return true;
    const r = this.sql<[number, number, string, string | null, number]>(
      `UPDATE jobs SET priority = ?, updated_at = ? WHERE kind = ? AND content_uuid IS ? AND status = 'queued' AND priority > ?`,
    ).run(j.priority, now, j.kind, j.contentUuid, j.priority);
    if (r.changes > 0) this.changed();
    return false;
  }

  /** `enqueue` for each of JOBS in one transaction; how many were queued. */
  enqueueMany(jobs: readonly EnqueueInput[], now = Date.now()): number {
    let n = 0;
    this.db.transaction(() => {
      for (const j of jobs) if (this.enqueue(j, now)) n++;
    })();
    return n;
  }

  /**
   * Queued jobs of KINDS runnable at NOW with a priority of at most MAXPRIORITY, the most urgent
   * first (one walk of the queue's index): the candidates of a claim.
   */
  runnable(kinds: readonly string[], maxPriority: number, now: number, limit: number): JobRecord[] {
    return this.sql<[number, number, string, number], JobRecord>(
      `SELECT * FROM jobs WHERE status = 'queued' AND priority <= ? AND run_after <= ? AND kind IN (SELECT value FROM json_each(?))
       ORDER BY priority, run_after, id LIMIT ?`,
    ).all(maxPriority, now, jsonList(kinds), limit);
  }

  /** A queued job taken by a run: running, its attempt counted, a new run token. Whether it was still queued. */
  markRunning(id: number, now = Date.now()): boolean {
    return this.sql<[number, number, number]>(
      `UPDATE jobs SET status = 'running', attempts = attempts + 1, run_token = run_token + 1, started_at = ?, updated_at = ?, error = NULL WHERE id = ? AND status = 'queued'`,
    ).run(now, now, id).changes > 0;
  }

  /**
   * A run's success, recorded only by the run holding the job's current token (see run_token):
   * also when the job was paused while the run finished anyway (its attempt, given back by the
   * pause, counts again). Whether it was recorded.
   */
  complete(job: Pick<JobRecord, 'id' | 'run_token'>, note: string | null, now = Date.now(), result: string | null = null): boolean {
    return this.sql<[string | null, string | null, number, number, number, number]>(
      `UPDATE jobs SET status = 'completed', attempts = attempts + (status = 'paused'), note = ?, result = ?, error = NULL, finished_at = ?, updated_at = ?
       WHERE id = ? AND status IN ('running', 'paused') AND run_token = ?`,
    ).run(note, result, now, now, job.id, job.run_token).changes > 0;
  }

  /** How far the run holding the job's current token has got: DONE of TOTAL bytes (WAITED: its note, what it waited for, said no more). Whether it was recorded. */
  progress(job: Pick<JobRecord, 'id' | 'run_token'>, done: number, total: number, waited = false): boolean {
    return this.sql<[number, number, number, number, number]>(
      `UPDATE jobs SET done_bytes = ?, bytes = ?, note = CASE WHEN ? THEN NULL ELSE note END WHERE id = ? AND status = 'running' AND run_token = ?`,
    ).run(done, total, waited ? 1 : 0, job.id, job.run_token).changes > 0;
  }

  /** A run's job back in the queue from RUNAFTER without spending its attempt (its process lived through the run). */
  requeue(job: Pick<JobRecord, 'id' | 'run_token'>, runAfter: number, note: string | null, now = Date.now()): boolean {
    return this.sql<[number, string | null, number, number, number]>(
      `UPDATE jobs SET status = 'queued', attempts = MAX(0, attempts - 1), interruptions = 0, run_after = ?, note = ?, updated_at = ? WHERE id = ? AND status = 'running' AND run_token = ?`,
    ).run(runAfter, note, now, job.id, job.run_token).changes > 0;
  }

  /**
   * Queued jobs that wait for something (no attempt spent: no error of a failed one) and say so in
   * a note LIKE NOTELIKE, made runnable now: what they waited for came (a paired device connected).
   * A job in its backoff after a failure keeps its backoff. How many.
   */
  wakeWaiting(noteLike: string, now = Date.now()): number {
    const n = this.sql<[number, number, number, string]>(
      `UPDATE jobs SET run_after = ?, updated_at = ? WHERE status = 'queued' AND run_after > ? AND error IS NULL AND note LIKE ?`,
    ).run(now, now, now, noteLike).changes;
    if (n > 0) this.changed();
    return n;
  }

  /** A run's failed attempt, to be tried again from RUNAFTER (its attempt spent). Whether it was recorded. */
  retryLater(job: Pick<JobRecord, 'id' | 'run_token'>, error: string, runAfter: number, now = Date.now()): boolean {
    return this.sql<[string, number, number, number, number]>(
      `UPDATE jobs SET status = 'queued', error = ?, run_after = ?, interruptions = 0, updated_at = ? WHERE id = ? AND status = 'running' AND run_token = ?`,
    ).run(error, runAfter, now, job.id, job.run_token).changes > 0;
  }

  /** A run's failure for good. Whether it was recorded. */
  fail(job: Pick<JobRecord, 'id' | 'run_token'>, error: string, now = Date.now()): boolean {
    return this.sql<[string, number, number, number, number]>(
      `UPDATE jobs SET status = 'failed', error = ?, finished_at = ?, updated_at = ? WHERE id = ? AND status = 'running' AND run_token = ?`,
    ).run(error, now, now, job.id, job.run_token).changes > 0;
  }

  /** Every job marked running (at a runner's start: what a dead process left). */
  running(): JobRecord[] {
    return this.sql<[], JobRecord>(`SELECT * FROM jobs WHERE status = 'running'`).all();
  }

  /** A job a dead run left `running`, queued again with NOTE: the attempt the run took is given back, the interruption counted. */
  requeueInterrupted(id: number, note: string, now = Date.now()): void {
    this.sql<[string, number, number]>(
      `UPDATE jobs SET status = 'queued', attempts = MAX(0, attempts - 1), interruptions = interruptions + 1, note = ?, updated_at = ? WHERE id = ? AND status = 'running'`,
    ).run(note, now, id);
  }

  /** A job a dead run left `running`, failed for good with ERROR (the interruption counted, the run's attempt given back). */
  failInterrupted(id: number, error: string, now = Date.now()): void {
    this.sql<[string, number, number, number]>(
      `UPDATE jobs SET status = 'failed', attempts = MAX(0, attempts - 1), interruptions = interruptions + 1, error = ?, finished_at = ?, updated_at = ? WHERE id = ? AND status = 'running'`,
    ).run(error, now, now, id);
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
    const page = this.sql<[number, number, number, number, number], { id: number; t: number }>(
      `SELECT id, finished_at AS t FROM jobs INDEXED BY jobs_finished
       WHERE status IN ('completed', 'failed', 'cancelled') AND finished_at >= ? AND finished_at < ? AND (finished_at > ? OR id > ?)
       ORDER BY finished_at, id LIMIT ?`,
    );
    // By id, and each job's sidecars by their (content, kind) index: the unary + keeps the planner
    // off the status indexes, which would make every batch walk all finished jobs or failed sidecars.
    const drop = this.sql<[string]>(
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
        const got = page.all(t, cutoff, t, id, batch);
        if (got.length > 0) deleted += drop.run(jsonList(got.map((r) => r.id))).changes;
        return got;
      }).immediate();
      if (rows.length === 0) break;
      ({ id, t } = rows[rows.length - 1]!);
      if (rows.length < batch) break;
    }
    return deleted;
  }

  get(id: number): JobRecord | undefined {
    return this.sql<[number], JobRecord>('SELECT * FROM jobs WHERE id = ?').get(id);
  }

  /** `get` with the job's content named as `listNamed` names it. */
  getNamed(id: number): NamedJobRecord | undefined {
    return this.sql<[number], NamedJobRecord>(`SELECT jobs.*, ${NAME_OF_JOB} AS name FROM jobs WHERE id = ?`).get(id);
  }

  /** The status of each of IDS now (a runner polls this to notice cancels and pauses from other processes). */
  statuses(ids: readonly number[]): Map<number, JobStatus> {
    const rows = this.sql<[string], { id: number; status: JobStatus }>('SELECT id, status FROM jobs WHERE id IN (SELECT value FROM json_each(?))').all(jsonList(ids));
    return new Map(rows.map((r) => [r.id, r.status]));
  }

  /** The last job of KIND for CONTENTUUID (the newest), if any. */
  latest(kind: string, contentUuid: string): JobRecord | undefined {
    return this.sql<[string, string], JobRecord>('SELECT * FROM jobs WHERE kind = ? AND content_uuid = ? ORDER BY id DESC LIMIT 1').get(kind, contentUuid);
  }

  /** The job other than EXCEPTID open (queued, running or paused) for the same KIND and content. */
  openFor(kind: string, contentUuid: string | null, exceptId: number): JobRecord | undefined {
    return this.sql<[string, string | null, number], JobRecord>(
      `SELECT * FROM jobs WHERE kind = ? AND content_uuid IS ? AND id <> ? AND status IN ('queued', 'running', 'paused')`,
    ).get(kind, contentUuid, exceptId);
  }

  /** Whether a job of CONTENTUUID of another kind than KIND is queued or running. */
  otherKindActive(contentUuid: string, kind: string): boolean {
    return this.sql<[string, string]>(`SELECT 1 FROM jobs WHERE content_uuid = ? AND kind <> ? AND status IN ('queued', 'running') LIMIT 1`).get(contentUuid, kind) !== undefined;
  }

  /** Job ID cancelled, if its status is one of FROM. Whether it was. */
  cancel(id: number, from: readonly JobStatus[], now = Date.now()): boolean {
    return this.changedIf(this.sql<[number, number, number, string]>(
      `UPDATE jobs SET status = 'cancelled', finished_at = ?, updated_at = ? WHERE id = ? AND status IN (SELECT value FROM json_each(?))`,
    ).run(now, now, id, jsonList(from)).changes);
  }

  /**
   * Each of IDS still open (queued, running or paused) cancelled, with NOTE saying why. Returns
   * the jobs cancelled, as they are now.
   */
  cancelMany(ids: readonly number[], note: string, now = Date.now()): JobRecord[] {
    if (ids.length === 0) return [];
    // By id (`+status`): the queue's status index would walk every open job for each call.
    const rows = this.sql<[string, number, number, string], JobRecord>(
      `UPDATE jobs SET status = 'cancelled', note = ?, finished_at = ?, updated_at = ?
       WHERE id IN (SELECT value FROM json_each(?)) AND +status IN ('queued', 'running', 'paused') RETURNING *`,
    ).all(note, now, now, jsonList(ids));
    if (rows.length > 0) this.changed();
    return rows;
  }

  /** Every open job (queued, running or paused) cancelled with NOTE (a database brought back from a snapshot); how many. */
  cancelAllOpen(note: string, now = Date.now()): number {
    const n = this.sql<[string, number, number]>(`UPDATE jobs SET status = 'cancelled', note = ?, finished_at = ?, updated_at = ? WHERE status IN ('queued', 'running', 'paused')`).run(note, now, now).changes;
    if (n > 0) this.changed();
    return n;
  }

  /** Job ID queued again with fresh attempts and NOTE, if its status is one of FROM. Whether it was. */
  requeueFresh(id: number, from: readonly JobStatus[], note: string, now = Date.now()): boolean {
    return this.changedIf(this.sql<[string, number, number, string]>(
      `UPDATE jobs SET status = 'queued', attempts = 0, interruptions = 0, run_after = 0, error = NULL, note = ?, finished_at = NULL, updated_at = ?
       WHERE id = ? AND status IN (SELECT value FROM json_each(?))`,
    ).run(note, now, id, jsonList(from)).changes);
  }

  /**
   * Job ID paused, if its status is one of FROM. A running one gets back the attempt its run
   * spent, with RUNNINGNOTE (its runner stops the run). Whether it was paused.
   */
  pause(id: number, from: readonly JobStatus[], runningNote: string, now = Date.now()): boolean {
    return this.changedIf(this.sql<[string, number, number, string]>(
      `UPDATE jobs SET attempts = CASE WHEN status = 'running' THEN MAX(0, attempts - 1) ELSE attempts END,
         note = CASE WHEN status = 'running' THEN ? ELSE note END, status = 'paused', updated_at = ?
       WHERE id = ? AND status IN (SELECT value FROM json_each(?))`,
    ).run(runningNote, now, id, jsonList(from)).changes);
  }

  /** Job ID queued again as it was, if its status is one of FROM. Whether it was. */
  resume(id: number, from: readonly JobStatus[], now = Date.now()): boolean {
    return this.changedIf(this.sql<[number, number, string]>(
      `UPDATE jobs SET status = 'queued', updated_at = ? WHERE id = ? AND status IN (SELECT value FROM json_each(?))`,
    ).run(now, id, jsonList(from)).changes);
  }

  private changedIf(changes: number): boolean {
    if (changes > 0) this.changed();
    return changes > 0;
  }

  /** Jobs in id order; AFTERID and LIMIT read them a page at a time. */
  list(filter: JobListFilter = {}): JobRecord[] {
    const { where, args } = listWhere(filter);
    return this.sql<Array<string | number>, JobRecord>(`SELECT * FROM jobs ${where} ORDER BY jobs.id LIMIT ?`).all(...args);
  }

  /**
   * `list` with each job's content named as the grid names it (its first copy's file name; null
   * without content or copy): two index lookups a row, on the page only.
   */
  listNamed(filter: JobListFilter = {}): NamedJobRecord[] {
    const { where, args } = listWhere(filter);
    return this.sql<Array<string | number>, NamedJobRecord>(`SELECT jobs.*, ${NAME_OF_JOB} AS name FROM jobs ${where} ORDER BY jobs.id LIMIT ?`).all(...args);
  }

  /** How many jobs of each status, and the input bytes of the open ones. */
  counts(): JobCounts {
    const c: JobCounts = { queued: 0, running: 0, completed: 0, failed: 0, cancelled: 0, paused: 0, openBytes: 0 };
    for (const r of this.sql<[], { status: JobStatus; n: number; b: number | null }>('SELECT status, COUNT(*) AS n, SUM(bytes) AS b FROM jobs GROUP BY status').all()) {
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
    const c = { queued: 0, running: 0, openBytes: 0 };
    const rows = this.sql<[], { status: 'queued' | 'running'; n: number; b: number | null }>(
      `SELECT status, COUNT(*) AS n, SUM(bytes) AS b FROM jobs WHERE status IN ('queued', 'running') GROUP BY status`,
    ).all();
    for (const r of rows) {
      c[r.status] = r.n;
      c.openBytes += r.b ?? 0;
    }
    return c;
  }

  /** SQLite's `data_version`: changes when another connection (process) commits to the database. */
  dataVersion(): number {
    return this.sql<[], number>('PRAGMA data_version').pluck().get()!;
  }

  /** When the next queued job of KINDS becomes runnable (ms epoch), or undefined when none is queued. */
  nextRunAfter(kinds: readonly string[], opts: { exceptNote?: string } = {}): number | undefined {
    if (opts.exceptNote !== undefined) {
      // Jobs waiting for an unplugged drive (their note says so) left out
      return this.sql<[string, string, string], number | null>(
        `SELECT MIN(run_after) FROM jobs WHERE status = 'queued' AND kind IN (SELECT value FROM json_each(?)) AND (note IS NULL OR substr(note, 1, length(?)) != ?)`,
      ).pluck().get(jsonList(kinds), opts.exceptNote, opts.exceptNote) ?? undefined;
    }
    return this.sql<[string], number | null>(`SELECT MIN(run_after) FROM jobs WHERE status = 'queued' AND kind IN (SELECT value FROM json_each(?))`).pluck().get(jsonList(kinds)) ?? undefined;
  }

  /** The kinds that have an open job: one index seek per kind (the open-jobs index leads with the kind, and there are few kinds). */
  openKinds(): string[] {
    const next = this.sql<[string], string>(`SELECT kind FROM jobs INDEXED BY jobs_one_open WHERE status IN ('queued', 'running', 'paused') AND kind > ? ORDER BY kind LIMIT 1`).pluck();
    const kinds: string[] = [];
    for (let k = next.get(''); k !== undefined; k = next.get(k)) kinds.push(k);
    return kinds;
  }

  /** The open jobs of one kind for one content. */
  openOf(kind: string, contentUuid: string): JobRecord[] {
    return this.sql<[string, string], JobRecord>(`SELECT * FROM jobs WHERE kind = ? AND content_uuid = ? AND status IN ('queued', 'running', 'paused')`).all(kind, contentUuid);
  }

  /** Whether a job of KIND for the content ended after SINCE (ms epoch). */
  endedSince(since: number, kind: string, contentUuid: string): boolean {
    return this.sql<[number, string, string]>(
      `SELECT 1 FROM jobs INDEXED BY jobs_finished WHERE finished_at > ? AND status IN ('completed', 'failed', 'cancelled') AND kind = ? AND content_uuid = ? LIMIT 1`,
    ).get(since, kind, contentUuid) !== undefined;
  }
}

/** A job's content's name, over the row aliased `jobs`. */
const NAME_OF_JOB = `(SELECT ${FIRST_NAME_SQL} FROM content_identities c WHERE c.uuid = jobs.content_uuid)`;

/** FILTER's conditions over `jobs` and their arguments, the LIMIT's last (-1: all). */
function listWhere(filter: JobListFilter): { where: string; args: Array<string | number> } {
  const where: string[] = [];
  const args: Array<string | number> = [];
  if (filter.afterId !== undefined) { where.push('jobs.id > ?'); args.push(filter.afterId); }
  // `+status`: walk by id; the queue's (status, priority, ...) index would sort every job of the status for each page.
  if (filter.status !== undefined) { where.push('+jobs.status = ?'); args.push(filter.status); }
  if (filter.kind !== undefined) { where.push('jobs.kind = ?'); args.push(filter.kind); }
  if (filter.contentUuid !== undefined) { where.push('jobs.content_uuid = ?'); args.push(filter.contentUuid); }
  args.push(filter.limit ?? -1);
  return { where: where.length ? `WHERE ${where.join(' AND ')}` : '', args };
}
