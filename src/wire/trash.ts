/** The trash (issue 45): files a delete moved aside on their own drive, restorable for 30 days. */

/** A file in the trash, as `vss trash list --json` shows it. */
export interface TrashItem {
  trash_id: string;
  /** Where it was (and goes back to). */
  path: string;
  /** The content its bytes are (null: a file never identified). */
  content_uuid: string | null;
  size: number;
  /** When it was deleted (ms since the epoch). */
  deleted_at: number;
  /** Its location's name. */
  location: string;
  /** Where it is now, in the trash folder of its location. */
  in_trash_at: string;
  /** From when the trash's upkeep empties it (when the Guardian lets it go). */
  expires_at: number;
}

export interface TrashRestoreResult {
  /** Each file put back, where (`renamed`: its path was taken, so it is beside it under a free name). */
  restored: Array<{ trash_id: string; path: string; renamed?: true }>;
  /** What was named and not put back, and why. */
  not_restored: Array<{ ref: string; reason: string }>;
}

export interface TrashEmptyResult {
  /** Files removed for good, and their bytes. */
  files: number;
  bytes: number;
  /** Left in the trash: the contents the Guardian refused to let go (their only bytes), with why. */
  kept: Array<{ trash_id: string; path: string; content_uuid: string | null; reason: string }>;
}

/** The trash's totals, as the Guardian's status gives them (trashed files are no copies). */
export interface TrashTotals {
  files: number;
  bytes: number;
}
