/**
 * Worker-thread side of the threaded walk: lists directories ahead of the thread that writes
 * the database, in batches, pausing when it is more than a few batches ahead (bounded memory).
 * Its first message is the walk to do; each later one, a batch taken.
 */
import { parentPort } from 'node:worker_threads';
import { once } from 'node:events';
import type { DirListing } from './port.js';
import { walkLocation, type LocalWalkOptions as WalkOptions } from './local-walk.js';
import { encodeBatch } from './walk-wire.js';

const BATCH_ENTRIES = 2000;
const MAX_AHEAD = 4;
const port = parentPort!;
const [opts] = (await once(port, 'message')) as [WalkOptions];
let credits = MAX_AHEAD;
port.on('message', () => { credits++; });

async function send(batch: DirListing[]): Promise<void> {
  while (credits <= 0) await once(port, 'message');
  credits--;
  port.postMessage(encodeBatch(batch));
}

let batch: DirListing[] = [];
let size = 0;
for (const listing of walkLocation(opts)) {
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
