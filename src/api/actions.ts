import { UsageError } from '../core/errors.js';
import type { Library } from '../library/library.js';
import type { ListedActionRecord } from '../store/actions.js';
import { KEEP_ACTIONS } from '../ops/action-log.js';
import type { ActionInfo } from '../wire/actions.js';
import { DEFAULT_ACTIONS_LIMIT } from './actions-limit.js';

export type { ActionInfo, ActionOp, ActionOutcome, ActionWhat } from '../wire/actions.js';
export { DEFAULT_ACTIONS_LIMIT };

/**
 * The action log (`vss actions`, issue 30): every user operation that changed files or copies
 * (copy, move, delete, send, content get, and the guardian's protect and repair), with the device
 * that performed it, what, when and how it ended; the newest 10 000 are kept.
 */
export class ActionsApi {
  constructor(private readonly lib: Library) {}

  /** The newest actions, newest first (LIMIT of them, default 100, at most all that are kept). */
  list(opts: { limit?: number } = {}): ActionInfo[] {
    const limit = opts.limit ?? DEFAULT_ACTIONS_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > KEEP_ACTIONS) throw new UsageError(`--limit must be a whole number from 1 to ${KEEP_ACTIONS}`);
    return this.lib.store.actions.list(limit).map(toInfo);
  }
}

function toInfo(r: ListedActionRecord): ActionInfo {
  return {
    id: r.id, device_id: r.device_uuid, device_name: r.device_name, op: r.op,
    what: { files: r.files, bytes: r.bytes, sources: JSON.parse(r.sources) as string[], source_count: r.source_count, target: r.target },
    job_id: r.job_id, started_at: r.started_at, finished_at: r.finished_at, outcome: r.outcome, reason: r.reason,
  };
}
