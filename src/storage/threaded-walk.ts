import { Worker } from 'node:worker_threads';
import type { DirListing } from './port.js';
import { LocationWalker, type LocalWalkOptions as WalkOptions } from './local-walk.js';
import { decodeBatch } from './walk-wire.js';

const WORKER_URL = new URL('./walk-worker.js', import.meta.url);

/**
 * A worker thread that walks a location, read here as batches of listings in walk order, so
 * listing the disk and writing the database overlap. It starts when made and waits for its
 * walk: made ahead, its start-up (tens of milliseconds) overlaps other work.
 */
export class WalkWorker {
  private readonly worker = new Worker(WORKER_URL);
  private readonly queue: Array<DirListing[] | null> = [];
  private failure: Error | null = null;
  private wake: (() => void) | null = null;

  constructor() {
    const notify = () => { this.wake?.(); this.wake = null; };
    this.worker.on('message', (batch: string | null) => { this.queue.push(batch === null ? null : decodeBatch(batch)); notify(); });
    this.worker.on('error', (err) => { this.failure = err; notify(); });
    this.worker.on('exit', (code) => { if (code !== 0 && !this.failure) this.failure = new Error(`walk worker exited with code ${code}`); notify(); });
  }

  /** Walk OPTS there (once per worker); the worker ends with the walk. */
  async *walk(opts: WalkOptions): AsyncGenerator<DirListing[]> {
    this.worker.postMessage(opts);
    try {
      for (;;) {
        while (this.queue.length === 0 && !this.failure) await new Promise<void>((r) => (this.wake = r));
        if (this.queue.length === 0 && this.failure) throw this.failure;
        const batch = this.queue.shift()!;
        if (batch === null) return;
        yield batch;
        this.worker.postMessage('more');
      }
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

/** The walk of OPTS in a worker thread of its own. */
export function threadedWalk(opts: WalkOptions): AsyncGenerator<DirListing[]> {
  return new WalkWorker().walk(opts);
}

/** Entries walked inline before the rest of a walk moves to a worker thread. */
const INLINE_ENTRIES = 5000;
/** Entries walked inline before that worker is started, so its start-up overlaps the rest. */
const WORKER_AHEAD_ENTRIES = 1000;

/**
 * Small locations are walked right here (a worker thread costs ~50 ms to start); a walk still
 * going after a thousand entries starts a worker, and one still going after a few thousand hands
 * its stack to it and carries on there, so the disk and the database overlap for the large ones.
 * Order stays parents-before-children. THREADED false walks all of it here.
 */
export async function* hybridWalk(opts: WalkOptions, threaded: boolean): AsyncGenerator<DirListing[]> {
  const walker = new LocationWalker(opts);
  let worker: WalkWorker | undefined;
  let entries = 0;
  try {
    for (let listing = walker.next(); listing; listing = walker.next()) {
      yield [listing];
      entries += listing.entries.length;
      if (!threaded || walker.stack.length === 0) continue;
      if (entries >= WORKER_AHEAD_ENTRIES) worker ??= new WalkWorker();
      if (entries >= INLINE_ENTRIES) {
        const w = worker!;
        worker = undefined;
        yield* w.walk({ ...opts, start: walker.stack });
        return;
      }
    }
  } finally {
    await worker?.close();
  }
}
