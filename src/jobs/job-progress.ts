import type { EventBus } from '../core/events.js';
import type { JobStore } from '../store/jobs.js';
import type { JobRow } from './states.js';

/** `job:progress` at most this often (a bar redraws smoothly enough, the event stream stays light). */
const EMIT_EVERY_MS = 250;
/** The row at most this often: another process (`jobs list`) sees it move, the database is not hammered. */
const STORE_EVERY_MS = 1000;
/** How a note says what a job waits for (a device, its drive, the network, disk space). */
const WAITING = 'waiting for ';

/**
 * One run's progress (JobRunContext.progress): the job says it as often as bytes arrive; this
 * thins it out into `job:progress` events and row updates, with the rate since the run started
 * (a resumed transfer's rate counts only what this run moved).
 */
export function jobProgressMeter(job: JobRow, events: EventBus, store: JobStore, now: () => number = Date.now): (done: number, total: number) => void {
  const startedAt = now();
  let firstDone: number | undefined;
  let emittedAt = -Infinity;
  let storedAt = -Infinity;
  // What the job waited for ("waiting for Laptop to connect") is said no more once its bytes arrive.
  let waited = job.note?.startsWith(WAITING) === true;
  // The end as last said: a job reports it again for each item it then confirms (a copy of 10,000
  // small files, for every file of its last batch), and it is written and sent once.
  let saidEnd: [number, number] | undefined;
  return (done, total) => {
    const t = now();
    firstDone ??= done;
    const finished = done >= total && (saidEnd?.[0] !== done || saidEnd[1] !== total);
    if (finished) saidEnd = [done, total];
    const arrived = waited && done > firstDone;
    if (t - storedAt >= STORE_EVERY_MS || finished || arrived) {
      storedAt = t;
      try {
        store.progress(job, done, total, arrived);
        if (arrived) {
          waited = false;
          events.emit('jobs:job', { id: job.id, kind: job.kind, contentUuid: job.content_uuid, status: 'running', note: null });
        }
      } catch {
        // A busy database must not fail a transfer: the next report writes it.
      }
    }
    if (t - emittedAt < EMIT_EVERY_MS && !finished) return;
    emittedAt = t;
    const seconds = (t - startedAt) / 1000;
    const rate = seconds > 0.2 ? Math.round((done - firstDone) / seconds) : 0;
    events.emit('job:progress', {
      id: job.id, kind: job.kind, contentUuid: job.content_uuid, doneBytes: done, totalBytes: total,
      rate, etaMs: rate > 0 ? Math.round(((total - done) / rate) * 1000) : null,
    });
  };
}
