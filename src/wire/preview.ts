import type { GuardianBelowPolicy } from './guardian.js';

/**
 * A file operation's plan, shown and not run (`--dry-run`, the API's `files.preview`): what it
 * would touch, the names it would meet at the target, the room it needs, and the contents it
 * would leave below their policy. `files copy|move|delete`, `content get` (`get`) and `files send`
 * (`send`: the receiver's free space is not known here, null). Types only.
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
  /** Contents named (by uuid) that have no file on this device now: left out. */
  not_here?: string[];
  /** Contents named (by uuid) a copy or move leaves alone: a file of each is in the destination already. */
  already_there?: string[];
}
