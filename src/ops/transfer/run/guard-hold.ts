import type { VssError } from '../../../core/errors.js';
import type { LeavingFile } from '../../../files/plan.js';

/**
 * The Guardian's weighing of what a run takes away (given by the operation, ops/file-ops.ts): the
 * files LEAVING weighed now (FORCED: only the other devices' locks on them are respected). What it
 * answers is held while the run deletes, moves or replaces them.
 */
export type DropGuard = (leaving: readonly LeavingFile[], forced: boolean, signal: AbortSignal) => Promise<GuardedDrop>;

export interface GuardedDrop {
  /** Why the drop may not go on (nothing of it is done); null: it may. */
  refusal: VssError | null;
  /** Another device counts on one of its files now: the job waits, saying so. */
  wait?: string;
  /** Whether the witnesses it leaned on still hold (another device's lock): asked before each file goes. */
  holds(): boolean;
  release(): Promise<void>;
}
