import type { Library } from '../library/library.js';
import type { SidecarKind } from '../sidecars/kinds.js';

const PAGE = 500;

/**
 * The safety net under DESIGN §4's promise that a pending sidecar is being worked: queue a job
 * for every content with a sidecar of KIND `pending` and no open job of that kind, a page at a
 * time (memory stays flat, and a writer beside never waits long). Pending rows come from
 * queueing, `sidecars path`, a remake after a missing file, or a retry; a crash, an older vss,
 * or a request that raced a finishing job can leave one without its job. Returns jobs queued.
 */
export function queueStranded(lib: Library, kind: SidecarKind, job: { priority: number; maxAttempts: number }): number {
  const { sidecars, jobs } = lib.store;
  let queued = 0;
  let after = 0;
  for (;;) {
    const rows = sidecars.pendingWithoutJob(kind, after, PAGE);
    if (rows.length === 0) break;
    queued += jobs.enqueueMany(rows.map((r) => ({ kind, contentUuid: r.content_uuid, priority: job.priority, maxAttempts: job.maxAttempts, bytes: r.size ?? 0 })));
    after = rows[rows.length - 1]!.id;
    if (rows.length < PAGE) break;
  }
  return queued;
}
