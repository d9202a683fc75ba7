import type { Library } from '../library/library.js';
import { isSidecarKind } from '../sidecars/kinds.js';
import { SidecarManager, type SidecarRow } from '../sidecars/manager.js';
import type { JobRow } from './states.js';
import { JobStore } from './store.js';

/**
 * Cancel a job and what it was to make: its pending sidecars are marked failed ("cancelled by the
 * user"), so a rescan does not queue them again; `jobs retry` remakes them. A running job's
 * runner notices the cancel and stops it, killing its tools.
 */
export function cancelJob(lib: Library, id: number): JobRow {
  const job = new JobStore(lib.db).cancel(id);
  if (job.content_uuid && isSidecarKind(job.kind)) {
    const manager = new SidecarManager(lib);
    const rows = lib.db.prepare("SELECT * FROM sidecars WHERE content_uuid = ? AND kind = ? AND status = 'pending'").all(job.content_uuid, job.kind) as SidecarRow[];
    for (const r of rows) {
      manager.record({ contentUuid: r.content_uuid, kind: r.kind, variant: r.variant, format: r.format }, { status: 'failed', source: 'generated', size: null, checksum: null, sourceEntryId: null, error: 'cancelled by the user' });
    }
  }
  return job;
}

/**
 * Queue a failed or cancelled job again with fresh attempts (or give the job already open for the
 * same work), and its failed sidecars pending again with their attempts at 0: a failure is final
 * (no job remakes a failed sidecar) until this asks again.
 */
export function retryJob(lib: Library, id: number): JobRow {
  return lib.db.transaction(() => {
    const job = new JobStore(lib.db).retry(id);
    if (job.content_uuid && isSidecarKind(job.kind)) {
      const manager = new SidecarManager(lib);
      const rows = lib.db.prepare("SELECT * FROM sidecars WHERE content_uuid = ? AND kind = ? AND status = 'failed'").all(job.content_uuid, job.kind) as SidecarRow[];
      for (const r of rows) {
        manager.record({ contentUuid: r.content_uuid, kind: r.kind, variant: r.variant, format: r.format }, { status: 'pending', source: 'generated', size: null, checksum: null, sourceEntryId: null, error: null, attempts: 0 });
      }
    }
    return job;
  }).immediate();
}
