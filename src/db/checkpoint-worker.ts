/** Thread side of BackgroundCheckpoints: a connection of its own that checkpoints the WAL now and then, until told to stop. */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

const { path, everyMs } = workerData as { path: string; everyMs: number };
const db = new Database(path, { fileMustExist: true });
// Fsyncs the WAL, then the database, at each checkpoint that copied pages (as the writer's own would).
db.pragma('synchronous = NORMAL');
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or closed under it: the next tick, or the writer's own bound, does it.
  }
};
const timer = setInterval(checkpoint, everyMs);
parentPort!.on('message', (msg) => {
  if (msg !== 'stop') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort!.close();
});
