import type { GuardianBelowPolicy } from './guardian.js';

/**
 * A file operation's plan, shown and not run (`--dry-run`, the API's `files.preview`): what it
 * would touch, the names it would meet at the target, the room it needs, and the contents it
 * would leave below their policy. `files copy|move|delete` (to a folder here, a paired device's
 * folder or a bucket's), `content get` (`get`) and `files send` (`send`: the receiver's free space
 * is not known here, null). Types only.
 */
export interface OpPreview {
  op: 'copy' | 'move' | 'delete' | 'get' | 'send';
  /** Files it covers (folders' files counted) and their bytes. */
  files: number;
  bytes: number;
  /** What a taken name gets (`--on-conflict`); null for a delete. */
  on_conflict: 'skip' | 'keep-both' | 'replace' | null;
  /** Names taken at the target: the first 1000; `conflict_count` is all of them. */
  conflicts: Array<{ source: string; target: string }>;
  conflict_count: number;
  /** Free bytes where it writes, and the bytes it would write there (0: a rename or a delete writes none); null: it writes nowhere. */
  free_bytes: number | null;
  needed_bytes: number;
  below_policy: GuardianBelowPolicy[];
  /** A delete into the trash: BELOW_POLICY is said, not refused (the Guardian weighs them when the trash is emptied). */
  trash?: true;
  /** Contents named (by uuid) that have no file on this device now: left out. */
  not_here?: string[];
  /** Contents named (by uuid) a copy or move leaves alone: a file of each is in the destination already. */
  already_there?: string[];
  /**
   * Where the names taken at the target were looked up when it is not this device's disk: another
   * device's index as it last told this one (that device decides at the time; whether it is
   * online now), or a listing of the bucket's folder made for this plan.
   */
  looked_up?: { in: 'device-index'; device: string; online: boolean } | { in: 'bucket-listing'; url: string };
  /** A move to another device: the files it removes here (the first 1000), each once that device confirmed its copy verified. */
  removes_here?: string[];
}
