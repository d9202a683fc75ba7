/**
 * The thread snapshots are made in, off the main thread (library/snapshot.ts): each asked for is
 * the library's database copied by a connection of its own (the copy's commit flushes the whole
 * file: on the main thread, every write of the library would wait for it), then checked (SQLite's
 * quick check reads the whole copy: seconds for a gigabyte) and marked. The thread stays for the
 * next one while the process keeps it (its start and module load cost more than a small copy).
 */
import { parentPort } from 'node:worker_threads';
import { copyDatabase, markSnapshot, type SnapshotFacts } from '../db/snapshot-file.js';

export interface SnapshotRequest {
  id: number;
  source: string;
  path: string;
  facts: SnapshotFacts;
}

export type SnapshotAnswer = { id: number; ok: true } | { id: number; ok: false; message: string };

parentPort!.on('message', (req: SnapshotRequest) => {
  void (async () => {
    let answer: SnapshotAnswer;
    try {
      await copyDatabase(req.source, req.path);
      markSnapshot(req.path, req.facts);
      answer = { id: req.id, ok: true };
    } catch (err) {
      answer = { id: req.id, ok: false, message: err instanceof Error ? err.message : String(err) };
    }
    parentPort!.postMessage(answer);
  })();
});
