/**
 * Worker-thread side of the threaded walk: lists directories ahead of the thread that writes
 * the database, in batches, pausing when it is more than a few batches ahead (bounded memory).
 * Batches go out on the port it was given, each followed by a tick of the shared counter (so the
 * other side may take them between its own folders, or wait for one); its first message is the
 * walk to do, each later one a batch taken.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { once } from 'node:events';
import { walkLocation, type LocalWalkOptions as WalkOptions } from './local-walk.js';
import { encodeBatch, walkedWire } from './walk-wire.js';

const BATCH_ENTRIES = 2000;
const MAX_AHEAD = 4;
const control = parentPort!;
const { flags, batches } = workerData as { flags: Int32Array; batches: MessagePort };
// Loaded and waiting: the walking thread may hand its folders over now.
Atomics.store(flags, 0, 1);
const [opts] = (await once(control, 'message')) as [WalkOptions];
let credits = MAX_AHEAD;
control.on('message', () => { credits++; });

async function send(batch: string | null): Promise<void> {
  while (credits <= 0) await once(control, 'message');
  credits--;
  batches.postMessage(batch);
  Atomics.add(flags, 1, 1);
  Atomics.notify(flags, 1);
}

let batch: string[] = [];
let size = 0;
for (const listing of walkLocation(opts)) {
  batch.push(walkedWire(listing, opts.unchanged));
  size += listing.entries.length + 1;
  if (size >= BATCH_ENTRIES) {
    await send(encodeBatch(batch));
    batch = [];
    size = 0;
  }
}
if (batch.length > 0) await send(encodeBatch(batch));
await send(null);
