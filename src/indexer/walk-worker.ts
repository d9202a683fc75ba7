/**
 * Worker-thread side of the threaded walk: lists directories ahead of the thread that writes
 * the database, in batches, pausing when it is more than a few batches ahead (bounded memory).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { once } from 'node:events';
import { walkLocation, type DirListing, type WalkOptions } from './walk.js';
import { encodeBatch } from './walk-wire.js';

const BATCH_ENTRIES = 2000;
const MAX_AHEAD = 4;
const port = parentPort!;
let credits = MAX_AHEAD;
port.on('message', () => { credits++; });

async function send(batch: DirListing[]): Promise<void> {
  while (credits <= 0) await once(port, 'message');
  credits--;
  port.postMessage(encodeBatch(batch));
}

let batch: DirListing[] = [];
let size = 0;
for (const listing of walkLocation(workerData as WalkOptions)) {
  batch.push(listing);
  size += listing.entries.length + 1;
  if (size >= BATCH_ENTRIES) {
    await send(batch);
    batch = [];
    size = 0;
  }
}
await send(batch);
port.postMessage(null);
