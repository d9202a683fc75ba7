import { Worker } from 'node:worker_threads';
import type { WalkedListing } from './port.js';
import { LocationWalker, type LocalWalkOptions as WalkOptions } from './local-walk.js';
import { decodeBatch, walkedHere } from './walk-wire.js';

const WORKER_URL = new URL('./walk-worker.js', import.meta.url);

/**
 * A worker thread that walks part of a location, read here as batches of listings in walk order,
 * so listing the disk and writing the database overlap. It starts when made and waits for its
 * walk: made ahead, its start-up (tens of milliseconds) overlaps other work.
 */
export class WalkWorker {
  /** Set to 1 by the worker once its code is loaded and it waits for its walk. */
  private readonly readyFlag = new Int32Array(new SharedArrayBuffer(4));
  private readonly worker = new Worker(WORKER_URL, { workerData: { ready: this.readyFlag } });
  private readonly queue: Array<WalkedListing[] | null> = [];
  private failure: Error | null = null;
  private wake: (() => void) | null = null;

  constructor() {
    const notify = () => { this.wake?.(); this.wake = null; };
    this.worker.on('message', (batch: string | null) => { this.queue.push(batch === null ? null : decodeBatch(batch)); notify(); });
    this.worker.on('error', (err) => { this.failure = err; notify(); });
    this.worker.on('exit', (code) => { if (code !== 0 && !this.failure) this.failure = new Error(`walk worker exited with code ${code}`); notify(); });
  }

  /** Begin walking OPTS there (once per worker); the worker ends with the walk. */
  start(opts: WalkOptions): void {
    this.worker.postMessage(opts);
  }

  /** The next batch, or null when this worker's walk is complete. */
  async take(): Promise<WalkedListing[] | null> {
    while (this.queue.length === 0 && !this.failure) await new Promise<void>((r) => (this.wake = r));
    if (this.queue.length === 0 && this.failure) throw this.failure;
    const batch = this.queue.shift()!;
    if (batch !== null) this.worker.postMessage('more');
    return batch;
  }

  /** Whether it has started up (read without waiting for a message: a walk in progress checks it between folders). */
  get ready(): boolean {
    return Atomics.load(this.readyFlag, 0) === 1;
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

/**
 * Batches from WORKERS as each comes, whichever worker it is from. Each worker walks whole
 * subtrees whose parents were listed before, so parents still come before their children.
 */
async function* merged(workers: WalkWorker[]): AsyncGenerator<WalkedListing[]> {
  const pending = new Map<WalkWorker, Promise<[WalkWorker, WalkedListing[] | null]>>();
  const ask = (w: WalkWorker) => pending.set(w, w.take().then((b) => [w, b]));
  for (const w of workers) ask(w);
  while (pending.size > 0) {
    const [w, batch] = await Promise.race(pending.values());
    if (batch === null) {
      pending.delete(w);
      continue;
    }
    ask(w);
    yield batch;
  }
}

/** Entries walked inline before worker threads are started: a smaller walk is over before they would be. */
const WORKER_AHEAD_ENTRIES = 1000;

/**
 * Small locations are walked right here (a worker thread costs tens of milliseconds to start); a
 * walk still going after a thousand entries, or one expected to be large, starts THREADS workers
 * and goes on here while they start up, then deals the folders still to visit out to them, so the
 * disk and the database overlap for the large ones. Order stays parents-before-children. THREADS
 * 0 walks all of it here.
 */
export async function* hybridWalk(opts: WalkOptions, threads: number): AsyncGenerator<WalkedListing[]> {
  const walker = new LocationWalker(opts);
  let workers: WalkWorker[] = [];
  let entries = 0;
  const { expectLarge, ...walkOpts } = opts;
  try {
    if (threads > 0 && expectLarge) workers = Array.from({ length: threads }, () => new WalkWorker());
    for (let listing = walker.next(); listing; listing = walker.next()) {
      yield [walkedHere(listing, opts.unchanged)];
      entries += listing.entries.length;
      if (threads <= 0 || walker.stack.length === 0) continue;
      if (entries >= WORKER_AHEAD_ENTRIES && workers.length === 0) workers = Array.from({ length: threads }, () => new WalkWorker());
      if (workers.length > 0 && workers.every((w) => w.ready)) {
        const shares = deal(walker.stack, workers.length).filter((share) => share.length > 0);
        for (const w of workers.slice(shares.length)) void w.close();
        workers = workers.slice(0, shares.length);
        workers.forEach((w, i) => w.start({ ...walkOpts, start: shares[i]! }));
        yield* merged(workers);
        return;
      }
    }
  } finally {
    await Promise.all(workers.map((w) => w.close()));
  }
}

/** STACK dealt into N shares, round robin from the top (the next to visit). */
function deal<T>(stack: readonly T[], n: number): T[][] {
  const shares: T[][] = Array.from({ length: n }, () => []);
  for (let i = stack.length - 1, k = 0; i >= 0; i--, k++) shares[k % n]!.push(stack[i]!);
  // Each share is a stack too: its next to visit last.
  return shares.map((share) => share.reverse());
}
