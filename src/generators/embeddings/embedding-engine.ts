import { Worker } from 'node:worker_threads';
import { abortReason } from '../tools/run-tool.js';
import { GeneratorError } from '../types.js';
import type { EmbedReply, EmbedRequest } from './embedding-protocol.js';

/**
 * The one embedding thread of this process.
 *
 * Model loading and inference block for a long time (onnxruntime-node 1.21 runs a session
 * synchronously inside a setImmediate), so they must not run on the job runner's thread. But
 * onnxruntime-node 1.21 can only ever live in ONE JavaScript thread per process: loading it in a
 * second thread after the first was terminated fails ("Module did not self-register"), and using
 * it from two threads aborts the whole process (a process-global N-API reference; seen here and in
 * microsoft/onnxruntime#24486). So, unlike `runInWorker`, this thread is started once, kept for
 * the life of the process and never terminated: a cancelled request is abandoned at once and the
 * thread stops it between two batches. Nothing else in vss may load onnxruntime-node.
 */

export type EmbedParams = Omit<EmbedRequest, 'type' | 'id'>;
export type EmbedResult = Extract<EmbedReply, { ok: true }>;

interface Pending {
  resolve: (r: EmbedResult) => void;
  reject: (e: Error) => void;
}

/** V8 heap of the thread: tokens and vectors only; model weights live in onnxruntime's memory. */
const MAX_HEAP_MB = 1024;

let worker: Worker | undefined;
/** Why the thread died, once it has: it cannot be started again in this process. */
let deadReason: string | undefined;
let nextId = 1;
const pending = new Map<number, Pending>();

export function embedInThread(params: EmbedParams, signal: AbortSignal): Promise<EmbedResult> {
  if (signal.aborted) return Promise.reject(new GeneratorError(`not started: ${abortReason(signal)}`, { permanent: true }));
  if (deadReason) {
    // Not permanent: a later run in a new process starts a fresh thread.
    return Promise.reject(new GeneratorError(`the embedding engine stopped in this process (${deadReason}); try again in a new run`, { permanent: false }));
  }
  const w = thread();
  const id = nextId++;
  return new Promise<EmbedResult>((resolve, reject) => {
    const onAbort = () => {
      if (!pending.delete(id)) return;
      w.postMessage({ type: 'cancel', id });
      idleCheck();
      reject(new GeneratorError(`stopped: ${abortReason(signal)}`, { permanent: true }));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const done = () => signal.removeEventListener('abort', onAbort);
    pending.set(id, {
      resolve: (r) => (done(), resolve(r)),
      reject: (e) => (done(), reject(e)),
    });
    // Keep the process alive while an answer is owed; an idle thread never holds it open.
    w.ref();
    w.postMessage({ ...params, type: 'embed', id } satisfies EmbedRequest);
  });
}

function thread(): Worker {
  if (worker) return worker;
  const w = new Worker(new URL('./embedding-worker.js', import.meta.url), {
    // No piped stdout/stderr: those streams would keep the process alive after its work is done.
    // The thread silences its own console instead.
    resourceLimits: { maxOldGenerationSizeMb: MAX_HEAP_MB },
  });
  w.on('message', (reply: EmbedReply) => {
    const p = pending.get(reply.id);
    if (!p) return; // abandoned after a cancel
    pending.delete(reply.id);
    idleCheck();
    if (reply.ok) p.resolve(reply);
    else p.reject(new GeneratorError(reply.message, { permanent: true }));
  });
  const die = (reason: string) => {
    deadReason ??= reason;
    worker = undefined;
    const owed = [...pending.values()];
    pending.clear();
    for (const p of owed) p.reject(new GeneratorError(`the embedding engine stopped: ${reason}`, { permanent: false }));
  };
  w.on('error', (err) => die(/heap|memory/i.test(err.message) ? `ran out of memory (limit ${MAX_HEAP_MB} MiB)` : err.message));
  w.on('exit', (code) => die(`its thread exited with code ${code}`));
  worker = w;
  return w;
}

function idleCheck(): void {
  if (pending.size === 0) worker?.unref();
}
