import { Worker } from 'node:worker_threads';
import { GeneratorError } from '../types.js';
import { abortReason } from './run-tool.js';

export interface WorkerCallOptions {
  signal: AbortSignal;
  /** Terminate the thread after this long: the failure is permanent. */
  timeoutMs: number;
  /** V8 heap limit of the thread, so a hostile input cannot take the machine's memory. */
  maxHeapMb?: number;
}

/**
 * Call `exportName(arg)` from MODULE in a fresh worker thread that is terminated on timeout or
 * abort. For engines that block the event loop (PDF parsing, whisper.cpp) or may loop forever
 * on hostile input: the job runner stays responsive and a stuck call can always be stopped.
 * The function's result must be structured-cloneable.
 */
export function runInWorker<T>(module: URL, exportName: string, arg: unknown, options: WorkerCallOptions): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (options.signal.aborted) {
      reject(new GeneratorError(`not started: ${abortReason(options.signal)}`, { permanent: true }));
      return;
    }
    const worker = new Worker(new URL('./worker-entry.js', import.meta.url), {
      workerData: { module: module.href, exportName, arg },
      resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb ?? 1024 },
      stdout: true,
      stderr: true,
    });
    // Engines print warnings on their own; keep them off the CLI's output but never let them pile up.
    worker.stdout.resume();
    worker.stderr.resume();
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      fn();
      void worker.terminate();
    };
    const timer = setTimeout(() => finish(() => reject(new GeneratorError(`took longer than ${Math.round(options.timeoutMs / 1000)} s`, { permanent: true }))), options.timeoutMs);
    const onAbort = () => finish(() => reject(new GeneratorError(`stopped: ${abortReason(options.signal)}`, { permanent: true })));
    options.signal.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (msg: { ok: true; value: T } | { ok: false; message: string; permanent: boolean }) => {
      if (msg.ok) finish(() => resolve(msg.value));
      else finish(() => reject(new GeneratorError(msg.message, { permanent: msg.permanent })));
    });
    worker.on('error', (err) => {
      const oom = /heap|memory/i.test(err.message) || (err as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY';
      finish(() => reject(new GeneratorError(oom ? `ran out of memory (limit ${options.maxHeapMb ?? 1024} MiB)` : err.message, { permanent: true, cause: err })));
    });
    worker.on('exit', (code) => finish(() => reject(new GeneratorError(`worker exited with code ${code}`, { permanent: true }))));
  });
}

/**
 * The time a decoder in our own threads gets out of a job's time: clearly less, so that on an
 * input that keeps it busy forever its own (permanent) limit fires before the job's (which is
 * retried, as a tool's may be the machine's fault). Counted to the job's DEADLINE, not from the
 * decoder's start: on a loaded machine the run may have spent a second before the decoder starts
 * (a worker's start, a fetch), and a budget from then ran past the job's and was retried. MARGIN
 * leaves the failure time to reach the runner (the scratch folder's removal, the rows).
 */
export function decoderBudget(job: { timeoutMs: number; deadline?: number }, now = Date.now()): number {
  const margin = Math.max(500, job.timeoutMs * 0.2);
  const left = (job.deadline ?? now + job.timeoutMs) - now;
  return Math.max(250, Math.floor(Math.min(job.timeoutMs * 0.8, left - margin)));
}
