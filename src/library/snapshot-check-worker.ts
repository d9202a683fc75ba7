/**
 * A snapshot made off the main thread (library/snapshot.ts): the library's database copied by a
 * connection of its own (the copy's commit flushes the whole file: on the main thread, every
 * write of the library would wait for it), then checked (SQLite's quick check reads the whole
 * copy: seconds for a gigabyte) and marked.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { copyDatabase, markSnapshot, type SnapshotFacts } from '../db/snapshot-file.js';

const { source, path, facts } = workerData as { source: string; path: string; facts: SnapshotFacts };
try {
  await copyDatabase(source, path);
  markSnapshot(path, facts);
  parentPort!.postMessage({ ok: true });
} catch (err) {
  parentPort!.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) });
}
