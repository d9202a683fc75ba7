import { WorkerPool } from '../core/worker-pool.js';
import type { IdentifyOutcome, IdentifyRequest } from './identify-file.js';

const WORKER_URL = new URL('./identify-worker.js', import.meta.url);

/**
 * Worker threads that read, hash and type files, so the thread that writes the database is
 * never waiting on the disk and the two overlap.
 */
export class IdentifyPool {
  private readonly pool: WorkerPool<{ files: IdentifyRequest[]; thresholdBytes: number }, IdentifyOutcome[]>;

  constructor(threads: number) {
    this.pool = new WorkerPool(WORKER_URL, threads, 'identify');
  }

  run(files: IdentifyRequest[], thresholdBytes: number): Promise<IdentifyOutcome[]> {
    return this.pool.run({ files, thresholdBytes });
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
