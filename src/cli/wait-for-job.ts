import type { LibraryEvents } from '../api/index.js';
import { warn } from './output.js';
import { attachTransferReporter } from './progress.js';
import { onStopSignal } from './signals.js';

/** What a job-backed call is given: the signal Ctrl-C aborts, and where the job's id is told once queued. */
export interface WaitedCall {
  signal: AbortSignal;
  onQueued: (id: number) => void;
}

/**
 * Run START (a call that queues a job and answers once it has ended) with a transfer bar titled
 * TITLE (none with `bar: false`). Ctrl-C stops waiting, not the job: STOPPED(id) is said, the exit
 * code is 130 and undefined is answered. Any other failure is thrown.
 */
export async function waitForJob<T>(events: LibraryEvents, title: string, start: (call: WaitedCall) => Promise<T>, stopped: (jobId: number) => string, opts: { bar?: boolean } = {}): Promise<T | undefined> {
  let jobId: number | undefined;
  const stopBar = opts.bar === false ? () => undefined : attachTransferReporter(events, title, () => jobId);
  const stopWaiting = new AbortController();
  const undoSignal = onStopSignal(() => stopWaiting.abort(new Error('stopped waiting')));
  try {
    return await start({ signal: stopWaiting.signal, onQueued: (id) => { jobId = id; } });
  } catch (err) {
    if (!stopWaiting.signal.aborted || jobId === undefined) throw err;
    stopBar();
    warn(`stopped waiting: ${stopped(jobId)}`);
    process.exitCode = 130;
    return undefined;
  } finally {
    undoSignal();
    stopBar();
  }
}
