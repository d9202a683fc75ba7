/**
 * Rows per multi-row statement, largest first: a batch of any size is written in a few
 * statements, from four prepared shapes (one per size) rather than one per batch length.
 */
const CHUNKS = [64, 16, 4, 1] as const;

/** The statement text for each chunk size: SQL(values) gets N copies of ROW, comma-separated. */
export function multiRowSql(row: string, sql: (values: string) => string): ReadonlyMap<number, string> {
  return new Map(CHUNKS.map((n) => [n, sql(Array(n).fill(row).join(', '))]));
}

/** Call RUN for consecutive chunks that cover COUNT items (from AT, N of them), largest chunks first. */
export function forEachChunk(count: number, run: (at: number, n: number) => void): void {
  let at = 0;
  for (const n of CHUNKS) {
    for (; count - at >= n; at += n) run(at, n);
  }
}
