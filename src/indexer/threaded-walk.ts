import { Worker } from 'node:worker_threads';
import type { DirListing, WalkOptions } from './walk.js';
import { decodeBatch } from './walk-wire.js';

const WORKER_URL = new URL('./walk-worker.js', import.meta.url);

/**
 * The walk of a location run in a worker thread, read here as batches of listings in walk order,
 * so listing the disk and writing the database overlap.
 */
export async function* threadedWalk(opts: WalkOptions): AsyncGenerator<DirListing[]> {
  const worker = new Worker(WORKER_URL, { workerData: opts });
  const queue: Array<DirListing[] | null> = [];
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const notify = () => { wake?.(); wake = null; };
  worker.on('message', (batch: string | null) => { queue.push(batch === null ? null : decodeBatch(batch)); notify(); });
  worker.on('error', (err) => { failure = err; notify(); });
  worker.on('exit', (code) => { if (code !== 0 && !failure) failure = new Error(`walk worker exited with code ${code}`); notify(); });
  try {
    for (;;) {
      while (queue.length === 0 && !failure) await new Promise<void>((r) => (wake = r));
      if (queue.length === 0 && failure) throw failure;
      const batch = queue.shift()!;
      if (batch === null) return;
      yield batch;
      worker.postMessage('more');
    }
  } finally {
    await worker.terminate();
  }
}
