/** A source that reads items after a numeric key, in key order, at most LIMIT at a time. */
export type KeyedReader<T> = (afterKey: number, limit: number) => Array<{ key: number; item: T }>;

/** The same, keyed by text (a content uuid: contents of the whole library, on every device). */
export type TextKeyedReader<T> = (afterKey: string, limit: number) => Array<{ key: string; item: T }>;

/** Every item of a text-keyed READ, a page at a time. */
export function* streamTextKeyed<T>(read: TextKeyedReader<T>, pageSize = 500): Generator<T> {
  let after = '';
  for (;;) {
    const rows = read(after, pageSize);
    for (const r of rows) yield r.item;
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1]!.key;
  }
}

/** Every item of READ, a page at a time, so memory is bounded by a page, not by the table. */
export function* streamKeyed<T>(read: KeyedReader<T>, pageSize = 500): Generator<T> {
  let after = 0;
  for (;;) {
    const rows = read(after, pageSize);
    for (const r of rows) yield r.item;
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1]!.key;
  }
}
