import type { KnownBytes } from '../../../indexer/identification.js';
import type { JobOutcome } from '../../../jobs/job-kind.js';
import type { FileOpItemRecord } from '../../../store/file-op-items.js';

/*
 * The contract between the one item loop and where bytes land (issue 57): a target only puts a
 * batch and confirms its items; everything every way needs is the loop's, written once (what it
 * does: run-transfer.ts's `runTransfer`).
 */

/** One batch a target puts: items in plan order (the target groups them: one folder there, one kind of step here). */
export interface Batch {
  items: FileOpItemRecord[];
}

/** How an item ended where it landed, as its target says it. */
export interface Landed {
  /** Where it is now, as the user names it (a path here, `DEVICE:/…`, `s3://…`); null: nowhere (a folder removed, a file deleted). */
  final: string | null;
  /** The full BLAKE3 its bytes were verified by there, when known. */
  blake3?: string | null;
  /** Not done: its name was taken and skipped, or it was there already as something else. */
  skipped?: boolean;
  /** Why it was skipped, or what of it was not kept. */
  note?: string | null;
  /** The landed file here as proved (the index links it by this BLAKE3 instead of reading it again). */
  known?: KnownBytes;
  /** A folder this run made (nothing was there): nothing is in it but what the run puts there, so the index need not list it. */
  made?: boolean;
  /** A rename within one location (its paths there): the index moves the entry in one write instead of listing both folders again. */
  renamed?: { locationId: number; from: string; to: string };
}

/** What the loop offers a target while it puts a batch. */
export interface PutContext {
  readonly signal: AbortSignal;
  /** Bytes of this batch moved so far (progress; items that end count their size instead). */
  moved(bytes: number): void;
  /**
   * ITEMS landed, verified and durable THERE: the loop removes each move's source that is still
   * the file read (else keeps it, saying so), finishes their rows, and counts them. Answered items
   * that ended before (a journal answering again) are ignored.
   */
  confirm(items: ReadonlyArray<{ it: FileOpItemRecord; landed: Landed }>): Promise<void>;
  /** IT is left out, with why (a source gone or changed; a refusal of the target's): the rest goes on. */
  leaveOut(it: FileOpItemRecord, note: string): void;
  /**
   * IT's bytes, read now, hash to FOUND and not to its content's EXPECTED: rot (recorded as a scrub
   * would, where the index says which content it holds), or an edit the index has not seen; left
   * out, saying so and what the target kept of it (NOTHINGKEPT).
   */
  leaveOutRotten(it: FileOpItemRecord, found: string, expected: string, nothingKept: string): void;
  /** Before anything is replaced or removed: the witnesses the Guardian leaned on still hold, or this throws (the run is tried again). */
  stillGuarded(): void;
  /** IT's row as this run sees it now (its state after what ended meanwhile). */
  stateOf(it: FileOpItemRecord): FileOpItemRecord['state'];
}

/** Where a job's items land: a drive here, a paired device, a bucket. */
export interface TransferTarget {
  /** The job's rows as this target finds them now (a drive mounted elsewhere since: its paths followed). */
  load?(rows: FileOpItemRecord[]): FileOpItemRecord[];
  /** Before anything moves: throws where the target is away now (`explain` makes it the job's wait). */
  ready?(): Promise<void>;
  /** The batches TODO is put in, in order. */
  batches(todo: readonly FileOpItemRecord[]): Batch[];
  /** Batches put at once. */
  readonly inFlight: number;
  /** Put BATCH: each item confirmed or left out through CTX; a wait where the target went away meanwhile. */
  put(batch: Batch, ctx: PutContext): Promise<JobOutcome | undefined>;
  /** After the last batch is put: what is still landing ends (FAILED: what did not land is dropped). */
  settle?(failed: boolean): Promise<void>;
  /** Whether what lands is on this device (the loop indexes it); a device's or a bucket's is not. */
  readonly landsHere: boolean;
  /** Whether the index may be told now (never while a drive of the job is away: its empty mount point would read as emptied). */
  indexable?(): boolean;
  /** The folder a source in no location lies in, as this machine's user named it (issue 59: a move's source removed beneath it); undefined: none. */
  outsideRoot?(src: string): string | undefined;
  /** A failure the target turns into a wait or into an error of its own words; undefined: as it was. */
  explain?(err: unknown): JobOutcome | undefined;
  /** Anything held while the run lasted, let go (always called once). */
  close?(): void;
}
