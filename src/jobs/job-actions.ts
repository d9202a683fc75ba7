import { VssError } from '../core/errors.js';
import type { Library } from '../library/library.js';
import { isSidecarKind } from '../sidecars/kinds.js';
import { SidecarManager } from '../sidecars/manager.js';
import type { JobRow, JobStatus } from './states.js';

/** A user's actions on one job (`vss jobs cancel|retry|pause|resume`), and the states each is allowed from. */
const FROM = {
  cancelled: ['queued', 'running', 'paused'],
  retried: ['failed', 'cancelled'],
  paused: ['queued', 'running'],
  resumed: ['paused'],
} as const satisfies Record<string, readonly JobStatus[]>;

/**
 * Cancel a job and what it was to make: its pending sidecars are marked failed ("cancelled by the
 * user"), so a rescan does not queue them again; `jobs retry` remakes them. A running job's
 * runner notices the cancel and stops it, killing its tools.
 */
export function cancelJob(lib: Library, id: number): JobRow {
  const job = acted(lib, id, 'cancelled', lib.store.jobs.cancel(id, FROM.cancelled));
  if (job.content_uuid && isSidecarKind(job.kind)) {
    const manager = new SidecarManager(lib);
    for (const r of lib.store.sidecars.ofContentKindIn(job.content_uuid, job.kind, ['pending'])) {
      manager.record({ contentUuid: r.content_uuid, kind: r.kind, variant: r.variant, format: r.format }, { status: 'failed', source: 'generated', size: null, checksum: null, sourceEntryId: null, error: 'cancelled by the user' });
    }
  }
  return job;
}

/**
 * Queue a failed or cancelled job again with fresh attempts (or give the job already open for the
 * same work: `sidecars path` queued one meanwhile), and its failed sidecars pending again with
 * their attempts at 0: a failure is final (no job remakes a failed sidecar) until this asks again.
 */
export function retryJob(lib: Library, id: number): JobRow {
  return lib.store.immediate(() => {
    const jobs = lib.store.jobs;
    const was = mustGet(lib, id);
    const open = jobs.openFor(was.kind, was.content_uuid, id);
    if (open && (was.status === 'failed' || was.status === 'cancelled')) return open;
    const job = acted(lib, id, 'retried', jobs.requeueFresh(id, FROM.retried, 'retried'));
    if (job.content_uuid && isSidecarKind(job.kind)) {
      const manager = new SidecarManager(lib);
      for (const r of lib.store.sidecars.ofContentKindIn(job.content_uuid, job.kind, ['failed'])) {
        manager.record({ contentUuid: r.content_uuid, kind: r.kind, variant: r.variant, format: r.format }, { status: 'pending', source: 'generated', size: null, checksum: null, sourceEntryId: null, error: null, attempts: 0 });
      }
    }
    return job;
  });
}

/**
 * Hold a job until it is resumed: a queued one is not taken; a running one is stopped by its
 * runner (its tools killed, as for a cancel), its sidecars left pending, and the attempt its run
 * spent given back. Resumed, it runs again from the start.
 */
export function pauseJob(lib: Library, id: number): JobRow {
  return acted(lib, id, 'paused', lib.store.jobs.pause(id, FROM.paused, PAUSED_RUNNING));
}

/** Queue a paused job again. */
export function resumeJob(lib: Library, id: number): JobRow {
  return acted(lib, id, 'resumed', lib.store.jobs.resume(id, FROM.resumed));
}

/** The note of a job paused while it ran. */
const PAUSED_RUNNING = 'paused while it ran; starts again from the beginning when resumed';

/** Job ID as it is now, when the action (VERB) happened (DONE); else why it could not. */
function acted(lib: Library, id: number, verb: keyof typeof FROM, done: boolean): JobRow {
  const job = mustGet(lib, id);
  if (!done) {
    const from: readonly JobStatus[] = FROM[verb];
    const states = from.length > 1 ? `${from.slice(0, -1).join(', ')} or ${from.at(-1)}` : from[0];
    throw new VssError('WRONG_STATE', `job ${id} is ${job.status}; only ${states} jobs can be ${verb}`);
  }
  return job;
}

function mustGet(lib: Library, id: number): JobRow {
  const job = lib.store.jobs.get(id);
  if (!job) throw new VssError('NOT_FOUND', `no job ${id}`);
  return job;
}
