/**
 * A snapshot's copy checked and marked off the main thread (library/snapshot.ts): SQLite's quick
 * check reads the whole copy (seconds for a gigabyte), which on the main thread would hold every
 * write of the library that long.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { markSnapshot, type SnapshotFacts } from '../db/snapshot-file.js';

const { path, facts } = workerData as { path: string; facts: SnapshotFacts };
try {
  markSnapshot(path, facts);
  parentPort!.postMessage({ ok: true });
} catch (err) {
  parentPort!.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) });
}
