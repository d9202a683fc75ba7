/**
 * Worker-thread side of the threaded walk: lists directories ahead of the thread that writes
 * the database, in batches, pausing when it is more than a few batches ahead (bounded memory).
 * Its first message is the walk to do; each later one, a batch taken.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { once } from 'node:events';
import { walkLocation, type LocalWalkOptions as WalkOptions } from './local-walk.js';
import { encodeBatch, walkedWire } from './walk-wire.js';

const BATCH_ENTRIES = 2000;
const MAX_AHEAD = 4;
const port = parentPort!;
// Loaded and waiting: the walking thread may hand its folders over now.
Atomics.store((workerData as { ready: Int32Array }).ready, 0, 1);
const [opts] = (await once(port, 'message')) as [WalkOptions];
let credits = MAX_AHEAD;
port.on('message', () => { credits++; });

async function send(batch: string[]): Promise<void> {
  while (credits <= 0) await once(port, 'message');
  credits--;
  port.postMessage(encodeBatch(batch));
}

let batch: string[] = [];
let size = 0;
for (const listing of walkLocation(opts)) {
  batch.push(walkedWire(listing, opts.unchanged));
  size += listing.entries.length + 1;
  if (size >= BATCH_ENTRIES) {
    await send(batch);
    batch = [];
    size = 0;
  }
}
await send(batch);
port.postMessage(null);
