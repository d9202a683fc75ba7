/**
 * How the thread that writes a scan's identities keeps the reading thread busy (identification.ts).
 * The identities are gathered and made in one synchronous batch (store/batch-writer.ts: no
 * transaction is held while a file is read), and while a batch is made this thread hands the
 * reading thread nothing. With only a couple of pages handed out, the reading thread stood idle
 * through every batch, and this thread through the reading of the next: the two ran one after the
 * other instead of side by side (the content index went from 2.50× to 3.48× a bare read+BLAKE3).
 * So the reading thread is kept as many pages ahead as wait to be written (it reads on through the
 * batch), and a batch is made as soon as this thread would only wait for the reading one (its
 * writes fill that wait), once enough is gathered that commits stay few. read-ahead.test.ts holds
 * the pair to the pace of the busier thread.
 */

/**
 * Pages gathered before a batch is made early (10,000 files): commits stay few (each writes every
 * page of the content index it touched, its keys being random), and the last batch, made once the
 * reading is done, stays short.
 */
export const EARLY_BATCH_PAGES = 40;

/** Pages to keep handed out to THREADS reading threads while PENDING pages wait to be written. */
export function pagesAhead(pending: number, threads: number): number {
  return threads * 2 + pending;
}

/**
 * Whether to make the PENDING pages gathered now, before waiting for the oldest page handed out
 * (OLDESTREAD: its answer is in). Once every page is handed out (LAST), whatever is gathered is
 * made while the last pages are read: left to the end, the last batch was made with the reading
 * thread done and idle (~0.25 s of a 2 s content phase at 100k files).
 */
export function batchEarly(pending: number, oldestRead: boolean, last = false): boolean {
  return !oldestRead && pending >= (last ? 1 : EARLY_BATCH_PAGES);
}
