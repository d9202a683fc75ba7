import { sameTime } from '../content/indexed-identity.js';
/**
 * What one scrubbed file is (issue 30 item 5): its bytes hashed whole now, against what the index
 * says of it. Only a file whose size, time and inode did not change, read whole, can be rot: a
 * changed one is an edit (the indexer's business), a missing one is gone (the watcher's).
 */
export type ScrubVerdict =
  /** Its bytes are what its content should be: verified now. */
  | { is: 'verified' }
  /** A content whose id is sampled, never read whole before: its sampled id matched, and this whole BLAKE3 is learnt. */
  | { is: 'learnt'; blake3: string }
  | { is: 'rot'; expected: string; found: string }
  | { is: 'edited' }
  | { is: 'gone' };

/** A file's facts as the index or the disk says them. */
export interface FileFacts {
  size: number;
  mtimeMs: number;
  inode: number;
}

/** What the index says the file is, and what its content's bytes hash to. */
export interface IndexedFile {
  size: number;
  mtimeMs: number | null;
  inode: number | null;
  /** Its content's id: the whole BLAKE3 when CASWHOLE, else a sampled id. */
  casId: string;
  casWhole: boolean;
  /** The content's whole BLAKE3 where known (a sampled content's, learnt by an earlier scrub). */
  blake3: string | null;
}

/** What reading the file found: its facts before and after the read, its whole BLAKE3, and (for a sampled content) its sampled id now. */
export interface ReadFile {
  before: FileFacts | null;
  after: FileFacts | null;
  blake3: string | null;
  /** Its sampled id computed now (asked only where a sampled content has no whole BLAKE3 yet). */
  sampledId?: string | null;
}

/** Whether FACTS are still the file the index knows: its size, time and (where known) inode. */
export function unchanged(file: Pick<IndexedFile, 'size' | 'mtimeMs' | 'inode'>, facts: FileFacts | null): boolean {
  return facts !== null && facts.size === file.size && sameTime(file.mtimeMs, facts.mtimeMs) && (file.inode === null || file.inode === facts.inode);
}

/** What the file whose index row is FILE is, after READ. */
export function judge(file: IndexedFile, read: ReadFile): ScrubVerdict {
  if (read.before === null) return { is: 'gone' };
  if (!unchanged(file, read.before) || !unchanged(file, read.after) || read.blake3 === null) return read.after === null ? { is: 'gone' } : { is: 'edited' };
  const expected = file.casWhole ? file.casId : file.blake3;
  if (expected !== null) return read.blake3 === expected ? { is: 'verified' } : { is: 'rot', expected, found: read.blake3 };
  // A sampled content read whole for the first time: its sampled ranges say whether it rotted there.
  if (read.sampledId === undefined || read.sampledId === null) return { is: 'edited' };
  if (read.sampledId !== file.casId) return { is: 'rot', expected: file.casId, found: read.sampledId };
  return { is: 'learnt', blake3: read.blake3 };
}
