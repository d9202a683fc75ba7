import { WorkerPool } from '../core/worker-pool.js';
import { finishIdentitySoon, type IdentifyOutcome, type IdentifyRequest, type ReadOutcome } from './identify-file.js';

const WORKER_URL = new URL('./identify-worker.js', import.meta.url);

/**
 * Worker threads that read, hash and type files, so the thread that writes the database is
 * never waiting on the disk and the two overlap. The workers read and hash; each identity is
 * finished (its uuid, its type where the first bytes did not settle it) on the calling thread as
 * the batch comes back: the reading thread is a scan's floor, the database thread waits on it.
 */
export class IdentifyPool {
  private readonly pool: WorkerPool<{ files: IdentifyRequest[]; thresholdBytes: number }, ReadOutcome[]>;

  constructor(threads: number) {
    this.pool = new WorkerPool(WORKER_URL, threads, 'identify');
  }

  async run(files: IdentifyRequest[], thresholdBytes: number): Promise<IdentifyOutcome[]> {
    const read = await this.pool.run({ files, thresholdBytes });
    if (read.length !== files.length) throw new Error(`identify worker answered ${read.length} files of ${files.length} (a bug)`);
    const out: IdentifyOutcome[] = new Array(read.length);
    let parses: Array<Promise<void>> | undefined;
    read.forEach((r, i) => {
      const f = files[i]!;
      // Answers are matched to names by position: an answer for another file would take its name's type.
      if (r.id !== f.id) throw new Error(`identify worker answered file ${r.id} for file ${f.id} (a bug)`);
      const done = finishIdentitySoon(r, f.name);
      if (done instanceof Promise) (parses ??= []).push(done.then((d) => { out[i] = d; }));
      else out[i] = done;
    });
    if (parses) await Promise.all(parses);
    return out;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
