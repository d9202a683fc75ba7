import { SMALL_FILE_BYTES } from '../content/hash-file.js';
import type { EntryFacts } from '../store/entries.js';

/**
 * The small files a location's first scan lists, held back from the database until they are read
 * (issue 57): each row is then written once, with its content (`EntryStore.insertIdentified`),
 * instead of inserted by discovery, read back a page at a time and updated with its link — at
 * 100k small files, ~9 µs a file of the thread that writes, the floor of the index.
 *
 * Only files a scan reads in one step (up to SMALL_FILE_BYTES), and at most HELD_FILES of them:
 * a large file's row is written at once (its read is long, and a location on a slow disk shows
 * it meanwhile), and the facts held stay a bounded few tens of MB. The folders holding held
 * files keep no listing digest until their files are written: a scan killed before that leaves
 * them without one, and the next scan lists them again and adds what is missing.
 */
export class HeldFiles {
  readonly files: EntryFacts[] = [];
  bytes = 0;
  /** Folders (by entry id) whose listing digest waits for their held files' rows. */
  readonly digests = new Map<number, string>();

  constructor(private readonly limit = HELD_FILES) {}

  /** Hold FACTS (a new file of a first scan), unless it is large or enough are held: then false, and its row is written now. */
  take(facts: EntryFacts): boolean {
    if (facts.kind !== 'file' || facts.size > SMALL_FILE_BYTES || this.files.length >= this.limit) return false;
    this.files.push(facts);
    this.bytes += facts.size;
    return true;
  }
}

/** Files held at most by one scan (a few hundred bytes of facts each). */
export const HELD_FILES = 200_000;
