import { IdentifyPool } from '../content/identify-pool.js';
import { BackgroundCheckpoints } from '../db/checkpointer.js';
import type { Db } from '../db/connection.js';

/** Below this many files, starting worker threads costs more than it saves. */
const MIN_FILES_FOR_WORKERS = 2000;
/**
 * One reading thread: on two cores a second one was no faster at 100k small files (3.3-3.9 s
 * against 3.3-3.6 s, issue 28): the database thread's writes are the floor, and it lost a core.
 */
const DEFAULT_THREADS = 1;

/**
 * The threads that help a large scan, started once it is known they will have work: by discovery
 * once it has listed enough new files (their start, ~0.1 s of loading modules, then overlaps the
 * walk instead of holding back the first page), else by identification. The reading threads read
 * and hash files (identification.ts); the checkpoints copy the database's WAL back on a thread of
 * their own (db/checkpointer.ts), so the thread that writes never waits on their fsyncs.
 */
export class ScanThreads {
  private pool: IdentifyPool | undefined;
  private checkpoints: BackgroundCheckpoints | undefined;
  private checkpointsTried = false;
  /** How many reading threads it starts. */
  readonly readers = Number(process.env.VSS_IDENTIFY_THREADS ?? DEFAULT_THREADS);

  /** DB: the library's database, checkpointed by a thread once the scan is large (none: not). */
  constructor(private readonly db?: Db) {}

  /** Whether FILES files to identify are read in threads (else on the calling thread). */
  worthFor(files: number): boolean {
    return this.readers > 0 && files >= MIN_FILES_FOR_WORKERS;
  }

  /** With FILES new files to write: the checkpoints started when they are many, and with READ, the reading threads. */
  startFor(files: number, read: boolean): void {
    if (files < MIN_FILES_FOR_WORKERS) return;
    if (this.db && !this.checkpointsTried) {
      this.checkpointsTried = true;
      this.checkpoints = BackgroundCheckpoints.start(this.db);
    }
    if (read && this.readers > 0) this.pool ??= new IdentifyPool(this.readers);
  }

  /** The reading threads, started now if they are not yet. */
  get started(): IdentifyPool {
    return (this.pool ??= new IdentifyPool(this.readers));
  }

  /** The reading threads ended (identification is over); the checkpoints go on until `close`. */
  async closeReading(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.close();
  }

  async close(): Promise<void> {
    const checkpoints = this.checkpoints;
    this.checkpoints = undefined;
    await Promise.all([this.closeReading(), checkpoints?.stop()]);
  }
}
