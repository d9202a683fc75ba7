import { log } from '../core/log.js';
import type { Library } from '../library/library.js';
import type { JobRow } from '../jobs/states.js';
import type { NewAction } from '../store/actions.js';
import type { ActionOp } from '../wire/actions.js';
import type { Asked, PlanSize } from './op.js';

/**
 * The action log keeps the newest 10 000 actions: years of a person's copies and deletes, a few
 * MB at most (a row holds at most SHOWN_SOURCES short paths and a bounded reason).
 */
export const KEEP_ACTIONS = 10_000;
/** Sources named in a row; `source_count` says how many there were. */
const SHOWN_SOURCES = 5;
/** A path or reason longer than this is cut (a path keeps its end: the names). */
const MAX_CHARS = 1000;

/**
 * How the facade records a durable operation (src/ops/facade.ts): its one hook into the action
 * log. An action with a job follows it from then on by itself (migration 025's trigger).
 */
export class ActionLog {
  constructor(private readonly lib: Library, private readonly op: ActionOp, private readonly asked: Asked) {}

  /** The plan refused with ERR before anything was touched: recorded, and ERR thrown on unchanged. */
  refused(err: unknown): void {
    const now = Date.now();
    // A log that cannot be written must not hide the refusal the user needs to read.
    try {
      this.lib.store.actions.add(this.row(null, null, now, 'refused', { finished_at: now, reason: cut(messageOf(err).replace(/^refused:\s*/i, '')) }), KEEP_ACTIONS);
    } catch (logErr) {
      log.warn({ err: logErr, op: this.op }, 'could not record a refused operation in the action log');
    }
  }

  /**
   * QUEUE's job, queued in one transaction with its action (a runner elsewhere cannot start it
   * unseen). A queue that refuses (a copy of the same content into another folder under way) is
   * a refusal like the plan's.
   */
  queued(size: PlanSize, queue: () => JobRow): JobRow {
    try {
      return this.lib.store.immediate(() => {
        const job = queue();
        this.lib.store.actions.add(this.row(size, job, Date.now(), job.status === 'completed' ? 'done' : job.status), KEEP_ACTIONS);
        return job;
      });
    } catch (err) {
      this.refused(err);
      throw err;
    }
  }

  /** RUN, the work done at once without a job, recorded running and then as it ended (aborted by SIGNAL: cancelled). */
  async now<R>(size: PlanSize, signal: AbortSignal | undefined, run: () => Promise<R>): Promise<R> {
    const id = this.lib.store.actions.add(this.row(size, null, Date.now(), 'running'), KEEP_ACTIONS);
    try {
      const result = await run();
      this.lib.store.actions.end(id, 'done', null);
      return result;
    } catch (err) {
      this.lib.store.actions.end(id, signal?.aborted ? 'cancelled' : 'failed', cut(messageOf(err)));
      throw err;
    }
  }

  private row(size: PlanSize | null, job: JobRow | null, at: number, outcome: NewAction['outcome'], more: Pick<NewAction, 'finished_at' | 'reason'> = {}): NewAction {
    return {
      device_id: this.lib.deviceId, op: this.op, files: size?.files ?? null, bytes: size?.bytes ?? null,
      sources: JSON.stringify(this.asked.sources.slice(0, SHOWN_SOURCES).map(cutPath)), source_count: this.asked.sources.length,
      target: this.asked.target === null ? null : cutPath(this.asked.target), job_id: job?.id ?? null, started_at: at, outcome, ...more,
    };
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function cut(text: string): string {
  return text.length <= MAX_CHARS ? text : `${text.slice(0, MAX_CHARS - 1)}…`;
}

function cutPath(path: string): string {
  return path.length <= MAX_CHARS ? path : `…${path.slice(path.length - MAX_CHARS + 1)}`;
}
