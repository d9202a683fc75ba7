import { Worker } from 'node:worker_threads';
import type { IdentifyOutcome, IdentifyRequest } from './identify-file.js';

interface Slot {
  worker: Worker;
  /** Each worker answers its batches in the order they were sent. */
  waiting: Array<{ resolve: (r: IdentifyOutcome[]) => void; reject: (e: Error) => void }>;
}

const WORKER_URL = new URL('./identify-worker.js', import.meta.url);

/**
 * Worker threads that read, hash and type files, so the thread that writes the database is
 * never waiting on the disk and the two overlap.
 */
export class IdentifyPool {
  private readonly slots: Slot[];

  constructor(threads: number) {
    this.slots = Array.from({ length: threads }, () => {
      const slot: Slot = { worker: new Worker(WORKER_URL), waiting: [] };
      slot.worker.on('message', (out: IdentifyOutcome[]) => slot.waiting.shift()?.resolve(out));
      const fail = (err: Error) => {
        for (const w of slot.waiting.splice(0)) w.reject(err);
      };
      slot.worker.on('error', fail);
      slot.worker.on('exit', (code) => fail(new Error(`identify worker exited with code ${code}`)));
      return slot;
    });
  }

  /** Batches not yet answered, over all workers. */
  get pending(): number {
    return this.slots.reduce((n, s) => n + s.waiting.length, 0);
  }

  run(files: IdentifyRequest[], thresholdBytes: number): Promise<IdentifyOutcome[]> {
    const slot = this.slots.reduce((a, b) => (b.waiting.length < a.waiting.length ? b : a));
    return new Promise((resolve, reject) => {
      slot.waiting.push({ resolve, reject });
      slot.worker.postMessage({ files, thresholdBytes });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
