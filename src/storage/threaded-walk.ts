import { availableParallelism } from 'node:os';
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

/** Entries walked inline before the rest of a walk moves to worker threads. */
const INLINE_ENTRIES = 5000;
/** Entries walked inline before those workers are started, so their start-up overlaps the rest. */
const WORKER_AHEAD_ENTRIES = 1000;
/**
 * Walk threads for the rest of a large walk: listing is the floor of a scan (the database thread
 * waits half the time on a rescan), so a second core lists too, up to two.
 */
const WALK_THREADS = Math.max(1, Math.min(2, availableParallelism()));

/**
 * Small locations are walked right here (a worker thread costs ~50 ms to start); a walk still
 * going after a thousand entries starts its workers, and one still going after a few thousand
 * hands its stack to them, shared out, and carries on there, so the disk and the database overlap
 * for the large ones. Each folder's listing still comes after its parent's: the folders handed
 * out were all listed here, and each worker walks its own subtrees parents first. THREADED false
 * walks all of it here.
 */
export async function* hybridWalk(opts: WalkOptions, threaded: boolean): AsyncGenerator<DirListing[]> {
  const walker = new LocationWalker(opts);
  let workers: WalkWorker[] = [];
  let entries = 0;
  try {
    for (let listing = walker.next(); listing; listing = walker.next()) {
      yield [listing];
      entries += listing.entries.length;
      if (!threaded || walker.stack.length === 0) continue;
      if (entries >= WORKER_AHEAD_ENTRIES && workers.length === 0) workers = Array.from({ length: WALK_THREADS }, () => new WalkWorker());
      if (entries >= INLINE_ENTRIES) {
        const shares = shareOut(walker.stack, workers.length);
        yield* merged(shares.map((start, i) => workers[i]!.walk({ ...opts, start })));
        return;
      }
    }
  } finally {
    // Ended early or not, every worker ends here: a walk still waiting for its next batch ends with it.
    await Promise.all(workers.map((w) => w.close()));
  }
}

/** STACK dealt out into at most N non-empty shares, in turn (neighbouring folders are often alike in size). */
function shareOut<T>(stack: readonly T[], n: number): T[][] {
  const shares: T[][] = Array.from({ length: Math.min(n, stack.length) }, () => []);
  stack.forEach((item, i) => shares[i % shares.length]!.push(item));
  return shares;
}

/** The batches of WALKS as each comes (their threads are ended by the caller, however this ends). */
async function* merged<T>(walks: Array<AsyncGenerator<T>>): AsyncGenerator<T> {
  const next = new Map(walks.map((w) => [w, w.next().then((r) => ({ w, r }))] as const));
  try {
    while (next.size > 0) {
      const { w, r } = await Promise.race(next.values());
      if (r.done) {
        next.delete(w);
        continue;
      }
      next.set(w, w.next().then((r2) => ({ w, r: r2 })));
      yield r.value;
    }
  } finally {
    // A walk still waiting ends when its thread is ended: its last answer is not waited for here.
    for (const pending of next.values()) pending.catch(() => undefined);
  }
}
