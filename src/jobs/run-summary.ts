import type { DiskFullPause } from './disk-full.js';
import type { JobRow } from './states.js';

export interface RunSummary {
  completed: number;
  failed: number;
  cancelled: number;
  resumed: number;
  durationMs: number;
  /** Notes of completed jobs (e.g. "not made: no speech model installed"), counted once each. */
  notes: Record<string, number>;
  errors: Array<{ id: number; kind: string; contentUuid: string | null; error: string }>;
  /** Jobs queued for pending sidecars that had none (the safety net; see JobKind.queueStranded). */
  requeued: number;
  /**
   * Set when generation paused because a disk is full (which folder, how much is free): the jobs
   * went back to the queue without spending an attempt. With `untilIdle` the run then stopped.
   */
  paused: DiskFullPause | null;
}

/** Where a run's summary stood at a moment (`mark`), to tell what finished since (`since`). */
export interface SummaryMark {
  at: number;
  completed: number;
  failed: number;
  cancelled: number;
  requeued: number;
  errors: number;
  notes: Record<string, number>;
}

/** How long a window the progress rate (and ETA) is measured over. */
const RATE_WINDOW_MS = 60_000;

/**
 * What a run did, counted as its jobs end: its summary, what finished since a mark (for those
 * who follow the run), and the rate of recent work.
 */
export class RunTally {
  readonly summary: RunSummary = { completed: 0, failed: 0, cancelled: 0, resumed: 0, durationMs: 0, notes: {}, errors: [], requeued: 0, paused: null };
  /** Input bytes of the jobs that ended (completed or failed for good). */
  doneBytes = 0;
  /** When each job of the last minute ended: the rate and ETA follow recent work. */
  private readonly recent: number[] = [];

  completed(job: JobRow, note: string | undefined): void {
    this.summary.completed++;
    this.doneBytes += job.bytes;
    this.recent.push(Date.now());
    if (note) this.summary.notes[note] = (this.summary.notes[note] ?? 0) + 1;
  }

  /** JOB failed for good with ERROR. */
  failed(job: JobRow, error: string): void {
    this.gaveUp(job, error);
    this.doneBytes += job.bytes;
    this.recent.push(Date.now());
  }

  /** JOB was given up before it ran (interrupted too often): listed and counted like any failure. */
  gaveUp(job: JobRow, error: string): void {
    this.summary.failed++;
    this.summary.errors.push({ id: job.id, kind: job.kind, contentUuid: job.content_uuid, error });
  }

  /** A job's row moved on without its run (cancelled meanwhile). */
  cancelled(): void {
    this.summary.cancelled++;
    this.recent.push(Date.now());
  }

  requeued(n: number): void {
    this.summary.requeued += n;
  }

  /** Where the summary stands now. */
  mark(): SummaryMark {
    const s = this.summary;
    return { at: Date.now(), completed: s.completed, failed: s.failed, cancelled: s.cancelled, requeued: s.requeued, errors: s.errors.length, notes: { ...s.notes } };
  }

  /** What finished since FROM (a `mark()` of this tally), with the space pause in force now. */
  since(from: SummaryMark, paused: DiskFullPause | null): RunSummary {
    const s = this.summary;
    const notes: Record<string, number> = {};
    for (const [note, n] of Object.entries(s.notes)) if (n > (from.notes[note] ?? 0)) notes[note] = n - (from.notes[note] ?? 0);
    return {
      completed: s.completed - from.completed, failed: s.failed - from.failed, cancelled: s.cancelled - from.cancelled,
      resumed: 0, durationMs: Date.now() - from.at, notes, errors: s.errors.slice(from.errors),
      requeued: s.requeued - from.requeued, paused,
    };
  }

  /** Jobs ended per second over the last minute, or since SINCE when that is later (at least a second). */
  recentRate(since: number): number {
    const now = Date.now();
    let old = 0;
    while (old < this.recent.length && this.recent[old]! < now - RATE_WINDOW_MS) old++;
    if (old > 0) this.recent.splice(0, old);
    const from = Math.max(since, now - RATE_WINDOW_MS);
    let n = 0;
    for (const t of this.recent) if (t >= from) n++;
    return n / (Math.max(1000, now - from) / 1000);
  }
}
