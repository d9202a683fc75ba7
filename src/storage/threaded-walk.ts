import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { WalkedListing } from './port.js';
import { LocationWalker, type LocalWalkOptions as WalkOptions } from './local-walk.js';
import { decodeBatch, walkedHere } from './walk-wire.js';

const WORKER_URL = new URL('./walk-worker.js', import.meta.url);
/** How long a wait for the next batch goes before it looks whether the worker failed. */
const WAIT_SLICE_MS = 100;
/** Atomics.waitAsync: in Node since 16, not yet in TypeScript's ES2022 library. */
const waitAsync = (Atomics as unknown as {
  waitAsync(array: Int32Array, index: number, value: number, timeoutMs: number): { value: Promise<string> | string };
}).waitAsync;

/**
 * A worker thread that walks part of a location, read here as batches of listings in walk order,
 * so listing the disk and writing the database overlap. It starts when made and waits for its
 * walk: made ahead, its start-up (tens of milliseconds) overlaps other work. Its batches can be
 * taken at once, between this thread's own folders (`takeNow`), or waited for (`take`).
 */
export class WalkWorker {
  /** [0]: 1 once the worker's code is loaded and it waits for its walk; [1]: batches sent. */
  private readonly flags = new Int32Array(new SharedArrayBuffer(8));
  private readonly channel = new MessageChannel();
  private readonly worker: Worker;
  private failure: Error | null = null;
  private ended = false;

  constructor() {
    this.worker = new Worker(WORKER_URL, { workerData: { flags: this.flags, batches: this.channel.port2 }, transferList: [this.channel.port2] });
    this.worker.on('error', (err) => { this.failure = err; });
    this.worker.on('exit', (code) => { if (code !== 0 && !this.failure) this.failure = new Error(`walk worker exited with code ${code}`); });
  }

  /** Begin walking OPTS there (once per worker); the worker ends with the walk. */
  start(opts: WalkOptions): void {
    this.worker.postMessage(opts);
  }

  /** Whether it has started up (read without waiting for a message: a walk in progress checks it between folders). */
  get ready(): boolean {
    return Atomics.load(this.flags, 0) === 1;
  }

  /** A batch that has come, without waiting: null when none has; `done` once the walk is complete. */
  takeNow(): WalkedListing[] | null | 'done' {
    if (this.ended) return 'done';
    const m = receiveMessageOnPort(this.channel.port1) as { message: string | null } | undefined;
    if (m === undefined) return null;
    if (m.message === null) {
      this.ended = true;
      return 'done';
    }
    this.worker.postMessage('more');
    return decodeBatch(m.message);
  }

  /** The next batch, or null when this worker's walk is complete. */
  async take(): Promise<WalkedListing[] | null> {
    for (;;) {
      const sent = Atomics.load(this.flags, 1);
      const got = this.takeNow();
      if (got === 'done') return null;
      if (got !== null) return got;
      if (this.failure) throw this.failure;
      await waitAsync(this.flags, 1, sent, WAIT_SLICE_MS).value;
    }
  }

  async close(): Promise<void> {
    this.channel.port1.close();
    await this.worker.terminate();
  }
}

/** Entries walked inline before a worker thread is started: a smaller walk is over before it would be. */
const WORKER_AHEAD_ENTRIES = 1000;

/**
 * Small locations are walked right here (a worker thread costs tens of milliseconds to start); a
 * walk still going after a thousand entries, or one expected to be large, starts a worker and goes
 * on here while it starts up, then hands it the folders still to visit, so the disk and the
 * database overlap for the large ones. A rescan (the caller named unchanged listings: this thread
 * will have little to write) hands it only half of them and walks the rest here, taking the
 * worker's batches between its own folders. Order stays parents-before-children: each side walks
 * whole subtrees whose parents came before. THREADED false walks all of it here.
 */
export async function* hybridWalk(opts: WalkOptions, threaded: boolean): AsyncGenerator<WalkedListing[]> {
  const walker = new LocationWalker(opts);
  const { expectLarge, ...walkOpts } = opts;
  const share = (opts.unchanged?.size ?? 0) > 0;
  let worker: WalkWorker | undefined;
  let handed = false;
  let entries = 0;
  try {
    if (threaded && expectLarge) worker = new WalkWorker();
    for (let listing = walker.next(); listing; listing = walker.next()) {
      yield [walkedHere(listing, opts.unchanged)];
      entries += listing.entries.length;
      if (handed) {
        for (let b = worker!.takeNow(); b !== null && b !== 'done'; b = worker!.takeNow()) yield b;
        continue;
      }
      if (!threaded || walker.stack.length < (share ? 2 : 1)) continue;
      if (entries >= WORKER_AHEAD_ENTRIES) worker ??= new WalkWorker();
      if (worker?.ready) {
        const theirs = share ? dealHalf(walker.stack) : walker.stack.splice(0);
        worker.start({ ...walkOpts, start: theirs });
        handed = true;
      }
    }
    if (handed) for (let b = await worker!.take(); b; b = await worker!.take()) yield b;
  } finally {
    await worker?.close();
  }
}

/** Every other folder of STACK, taken out of it (a stack too: its next to visit last). */
function dealHalf<T>(stack: T[]): T[] {
  const theirs: T[] = [];
  const mine: T[] = [];
  stack.forEach((d, i) => ((stack.length - 1 - i) % 2 === 1 ? theirs : mine).push(d));
  stack.splice(0, stack.length, ...mine);
  return theirs;
}
