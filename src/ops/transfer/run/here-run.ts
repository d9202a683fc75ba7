import { dirname } from 'node:path';
import { timeoutForBytes, type JobOutcome, type JobRunContext } from '../../../jobs/job-kind.js';
import type { JobRow } from '../../../jobs/states.js';
import type { Library } from '../../../library/library.js';
import { dropPartial } from '../../../storage/local-copy.js';
import { partialFor } from './here-copies.js';
import { HereTarget } from './here-target.js';
import { runTransfer, type DropGuard } from './run-transfer.js';

/** Partials removed at once, at most. */
const DISCARD_IN_FLIGHT = 64;
/** How soon a delete that found another one running asks again (a wait spends no attempt). */
const DELETE_BEHIND_MS = 500;

/** How long a file operation job may run: long enough for its bytes at 4 MiB/s, the slowest speed expected. */
export function fileOpTimeoutMs(job: JobRow): number {
  return timeoutForBytes(job.bytes, 4 * 1024 * 1024);
}

/**
 * The libraries with a delete running: a library's deletes run one at a time, each weighed by the
 * Guardian as it starts, since two at once would each count the other's files as still there. A
 * library is open in one process only (its lock), so this is every delete of it.
 */
const deleting = new WeakSet<Library>();

/**
 * Run JOB of LIB here (a copy, move or delete on this device's drives; a protect's copies onto a
 * drive, ASCONTENT: each held to its content's BLAKE3) through the one item loop: GUARD weighs
 * what it takes away.
 */
export async function runHere(lib: Library, job: JobRow, ctx: JobRunContext, guard?: DropGuard, opts: { asContent?: boolean } = {}): Promise<JobOutcome> {
  const target = new HereTarget(lib, job, opts.asContent === true);
  const p = target.p;
  const run = () => runTransfer(lib, job, target, ctx, { op: p.op, onConflict: p.on_conflict, forced: p.forced === true, ...(guard ? { guard } : {}), said: (rows) => target.said(rows) });
  if (p.op !== 'delete') return run();
  // Not queued behind it in this process: a wait neither runs out the job's time nor ignores a cancel.
  if (deleting.has(lib)) return { state: 'wait', reason: 'another delete of this library is running: this one follows it', delayMs: DELETE_BEHIND_MS };
  deleting.add(lib);
  try {
    return await run();
  } finally {
    deleting.delete(lib);
  }
}

/**
 * What the cancelled job JOB here leaves, removed: the partial of each file it had not placed. A
 * run drops its own partials as it ends, whatever ends it; one killed mid-way leaves them for the
 * next run, which the cancel means will not come.
 */
export async function discardHere(lib: Library, job: JobRow): Promise<void> {
  // Where a run finds them: on a drive mounted elsewhere since, followed there.
  const rows = new HereTarget(lib, job).load(lib.store.fileOpItems.of(job.id));
  const left = rows.filter((it) => it.kind === 'file' && it.state === 'todo' && it.dst !== null);
  for (let i = 0; i < left.length; i += DISCARD_IN_FLIGHT) {
    await Promise.all(left.slice(i, i + DISCARD_IN_FLIGHT).map((it) => dropPartial(partialFor(dirname(it.dst!), job.id, it.idx))));
  }
}
