/*
 * Whether a file on disk is still the one the index recorded (DESIGN §19): its size, mtime, ctime
 * and inode. What the evidence rule (guardian/evidence.ts) counts a copy by, and what a plan asks
 * before it trusts the index's word on a file's content.
 */

/** What the index recorded of a file. */
export interface IndexedIdentity {
  size: number;
  mtime_ms: number | null;
  /** Null where the index has not recorded it yet (a row from before it was kept): not compared. */
  ctime_ms?: number | null;
  inode: number | null;
}

/** The file as the disk has it now. */
export interface IdentityFacts {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  inode: number;
}

/** The same; or, first found: its size or mtime changed, its inode (another file now), its ctime (touched). */
export type IdentityChange = 'same' | 'changed' | 'replaced' | 'touched';

/**
 * Times within a millisecond are the same time: a time set back by a tool (touch, a copy keeping
 * times, Node's utimes) keeps the millisecond, not always the nanoseconds.
 */
export function sameTime(indexed: number | null, now: number): boolean {
  return indexed !== null && Math.abs(indexed - now) < 1;
}

export function identityNow(indexed: IndexedIdentity, facts: IdentityFacts): IdentityChange {
  if (facts.size !== indexed.size || !sameTime(indexed.mtime_ms, facts.mtimeMs)) return 'changed';
  if (indexed.inode !== null && indexed.inode !== facts.inode) return 'replaced';
  if (indexed.ctime_ms !== undefined && indexed.ctime_ms !== null && !sameTime(indexed.ctime_ms, facts.ctimeMs)) return 'touched';
  return 'same';
}
