import type { JobStore } from '../store/jobs.js';
import type { Stores } from '../store/stores.js';
import type { JobRow } from './states.js';

/** Backoff before retry N (1-based): 2 s, 8 s, 32 s … capped at 10 minutes. */
export function backoffMs(attempt: number, baseMs = 2000): number {
  return Math.min(baseMs * 4 ** Math.max(0, attempt - 1), 10 * 60_000);
}

/** Where a claim may take jobs: free slots per kind, jobs still winding down, the least urgent priority. */
export interface ClaimRoom {
  /** Kind → free slots. */
  room: ReadonlyMap<string, number>;
  /** Jobs whose earlier run is still winding down (cancelled and retried meanwhile): they wait for it. */
  busy?: ReadonlySet<number>;
  maxPriority?: number;
  /** Kind → the kind it is made from when ready (KindSchedule.after). */
  after?: ReadonlyMap<string, string>;
}

/**
 * Take up to LIMIT runnable jobs, highest priority first, skipping kinds that are at their
 * concurrency limit. Marks them running and counts the attempt.
 */
export function claimJobs(stores: Stores, limit: number, { room, busy = new Set(), maxPriority = Number.MAX_SAFE_INTEGER, after }: ClaimRoom): JobRow[] {
  if (limit <= 0) return [];
  const kinds = [...room].filter(([, free]) => free > 0).map(([k]) => k);
  if (kinds.length === 0) return [];
  const store = stores.jobs;
  const now = Date.now();
  // IMMEDIATE: read and mark under one write lock, so another connection's commit in between
  // cannot make the marking fail (WAL snapshot) or take the same job.
  return stores.immediate(() => {
    const left = new Map(room);
    const taken: JobRow[] = [];
    const takenIds = new Set<number>();
    // Made from another kind's output: it waits while its content's job of that kind runs here
    // (or was just taken) or is runnable here now (its turn comes with a slot of this runner).
    // Only this runner's work is waited on, so a job is never held by one that cannot run here.
    const waits = (r: Pick<JobRow, 'id' | 'kind' | 'content_uuid'>): boolean => {
      const from = after?.get(r.kind);
      if (from === undefined || r.content_uuid === null) return false;
      const open = store.openFor(from, r.content_uuid, r.id);
      if (!open) return false;
      if (open.status === 'running') return busy.has(open.id) || takenIds.has(open.id);
      return open.status === 'queued' && open.run_after <= now && room.has(from);
    };
    for (const r of store.runnable(kinds, maxPriority, now, limit * 8)) {
      if (taken.length >= limit) break;
      if (busy.has(r.id)) continue;
      const free = left.get(r.kind) ?? 0;
      if (free <= 0) continue;
      if (waits(r)) continue;
      if (!store.markRunning(r.id, now)) continue;
      left.set(r.kind, free - 1);
      takenIds.add(r.id);
      taken.push({ ...r, status: 'running', attempts: r.attempts + 1, run_token: r.run_token + 1, started_at: now, updated_at: now, error: null });
    }
    return taken;
  });
}

/**
 * A failed attempt: retried after backoff while attempts remain and the failure is not
 * permanent; otherwise `failed` for good. Returns the job's new status, or `superseded` when
 * the row has moved on without this run (cancelled or paused, and perhaps retried, meanwhile).
 */
export function recordFailure(store: JobStore, job: JobRow, error: string, permanent: boolean, backoffBaseMs = 2000): 'queued' | 'failed' | 'superseded' {
  const now = Date.now();
  if (!permanent && job.attempts < job.max_attempts) {
    return store.retryLater(job, error, now + backoffMs(job.attempts, backoffBaseMs), now) ? 'queued' : 'superseded';
  }
  return store.fail(job, error, now) ? 'failed' : 'superseded';
}

/**
 * Runs in a row a job may have cut off by its process dying before it is given up: a job whose
 * every run ends the process (a file that crashes a decoder in-process) must not loop forever,
 * while a daemon killed from outside a few times during a long scrub or copy must not fail it.
 */
export const MAX_INTERRUPTIONS = 5;

/**
 * Jobs left `running` by a process that died (a kill -9, a crash, a power cut): the run was cut
 * off, it did not fail, so it spends no attempt of the job's (as a graceful stop spends none) and
 * the job is queued again; once its runs were cut off MAX_INTERRUPTIONS times in a row, failed.
 * Returns them as they are now.
 */
export function recoverInterrupted(stores: Stores): JobRow[] {
  const store = stores.jobs;
  const rows = store.running();
  const now = Date.now();
  stores.transaction(() => {
    for (const r of rows) {
      const times = r.interruptions + 1;
      if (times >= MAX_INTERRUPTIONS) store.failInterrupted(r.id, `interrupted ${times} times in a row (the process stopped while it ran)`, now);
      else store.requeueInterrupted(r.id, 'resumed after an interrupted run (no attempt spent)', now);
    }
  });
  return rows.map((r) => store.get(r.id)!);
}
