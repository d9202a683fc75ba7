import { Worker } from 'node:worker_threads';
import { CHECKPOINT_PAGES, type Db } from './connection.js';

/** How often the thread checkpoints what was committed meanwhile. */
const EVERY_MS = 100;
/**
 * The writing connection's own bound while the thread runs (160 MB of WAL at 4 KiB pages): should
 * the thread fall behind or die, the writer checkpoints as before, only later.
 */
const FAR_PAGES = 40_000;
/** Longest a stop waits for the thread's last checkpoint before ending it. */
const STOP_MS = 5_000;

/**
 * A database's checkpoints made by a thread of their own while a bulk write runs (a large scan).
 * A checkpoint copies the WAL's pages into the database and fsyncs both, and at SQLite's own
 * bound (1000 pages) each batch of a scan made one on the thread that writes, which then waited:
 * 132 fsyncs, 0.9 s of a 100k-file content index on the thread that is its floor (strace,
 * 2026-11-28). The thread makes them PASSIVE (it never waits for the writer, nor holds it up),
 * as often as before or more, so what is committed is on disk as soon as before.
 */
export class BackgroundCheckpoints {
  private constructor(private readonly db: Db, private readonly worker: Worker, private readonly exited: Promise<void>) {}

  /** Checkpoints of DB by a thread from now until `stop`; undefined for a database in memory. */
  static start(db: Db): BackgroundCheckpoints | undefined {
    if (db.memory || !db.open) return undefined;
    const worker = new Worker(new URL('./checkpoint-worker.js', import.meta.url), { workerData: { path: db.name, everyMs: EVERY_MS } });
    // A thread that cannot open or checkpoint leaves the writer's own bound to do it: never an error of the scan.
    worker.on('error', () => undefined);
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    db.pragma(`wal_autocheckpoint = ${FAR_PAGES}`);
    return new BackgroundCheckpoints(db, worker, exited);
  }

  /** The thread's last checkpoint made and the thread ended; the writer checkpoints at SQLite's bound again. */
  async stop(): Promise<void> {
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${CHECKPOINT_PAGES}`);
    this.worker.postMessage('stop');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.exited, new Promise<void>((resolve) => { timer = setTimeout(resolve, STOP_MS); })]);
    clearTimeout(timer);
    await this.worker.terminate();
  }
}
