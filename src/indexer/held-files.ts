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
 *
 * Identification reads them while discovery still lists (indexer.ts): discovery leaves a core
 * idle (its walk is one thread, its writes few), which the reading thread and the rows' writes
 * fill. It takes only files discovery has *published*: those whose folders' rows are committed
 * (a held file's row is written under its folder's id; a batch rolled back would leave that id
 * to be given to another row).
 */
export class HeldFiles {
  readonly files: EntryFacts[] = [];
  bytes = 0;
  /** Folders (by entry id) whose listing digest waits for their held files' rows. */
  readonly digests = new Map<number, string>();
  /** How many of `files` may be written: their folders' rows are committed. */
  published = 0;
  /** Discovery is over: every file held is published, none will come. */
  closed = false;
  /** Discovery failed: nothing more is to be read or written. */
  abandoned = false;
  private waiting: Array<() => void> = [];

  constructor(private readonly limit = HELD_FILES) {}

  /** Hold FACTS (a new file of a first scan), unless it is large or enough are held: then false, and its row is written now. */
  take(facts: EntryFacts): boolean {
    if (facts.kind !== 'file' || facts.size > SMALL_FILE_BYTES || this.files.length >= this.limit || this.closed) return false;
    this.files.push(facts);
    this.bytes += facts.size;
    return true;
  }

  /** The files held so far may be written: the batch that listed them is committed. */
  publish(): void {
    if (this.closed || this.published === this.files.length) return;
    this.published = this.files.length;
    this.wake();
  }

  /** Discovery ended and its last batch is committed. */
  close(): void {
    this.publish();
    this.closed = true;
    this.wake();
  }

  /** Discovery failed: the files not published are dropped (their folders' rows may not exist). */
  abandon(): void {
    this.files.length = this.published;
    this.abandoned = true;
    this.closed = true;
    this.wake();
  }

  /** Resolves once more files are published, or discovery is over. */
  more(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Resolves once N files are published, or discovery is over. */
  async atLeast(n: number): Promise<void> {
    while (!this.closed && this.published < n) await this.more();
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve();
  }
}

/** Files held at most by one scan (a few hundred bytes of facts each). */
export const HELD_FILES = 200_000;
