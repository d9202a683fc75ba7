import type { Db } from '../db/connection.js';
import { statementCache } from '../db/statement-cache.js';

/** One day of the grid: its contents are a run of the order. Undated contents are one run, `day: null`, last. */
export interface GridDay {
  day: string | null;
  count: number;
}

/** The browse order: content ids, and the days as runs of it. */
export interface GridOrder {
  /** grid_version.n when this was read: a change since makes it stale. */
  version: number;
  ids: Int32Array;
  days: GridDay[];
}

/**
 * The web UI's grid order (migration 009): contents by capture day, newest first, then capture
 * instant, newest first, then the file name, then id. Undated contents (no capture time in the
 * file: documents, screenshots without EXIF) come last, by name: their mtime is when they were
 * copied, not taken, and would scatter them among real days. A Live Photo's movie is its
 * still's sidecar, not an item of its own.
 *
 * The order is read once into memory (4 bytes a content) and kept until grid_version moves,
 * so a page at any offset is a slice, not an OFFSET scan; reading it is one pass over the
 * capture index plus each content's first name.
 */
export class GridOrderCache {
  private order: GridOrder | undefined;
  private readonly stmt: ReturnType<typeof statementCache>;

  constructor(private readonly db: Db) {
    this.stmt = statementCache(db);
  }

  /** The current order, read again only when something moved since. */
  current(): GridOrder {
    const version = (this.stmt('SELECT n FROM grid_version WHERE id = 1').get() as { n: number } | undefined)?.n ?? 0;
    if (this.order?.version !== version) this.order = readOrder(this.db, version);
    return this.order;
  }
}

/** The first copy's name stands for the content: the copy this device found first. */
export const FIRST_NAME_SQL = `(SELECT e.name FROM entries e WHERE e.content_id = c.id AND e.kind = 'file' ORDER BY e.id LIMIT 1)`;

function readOrder(db: Db, version: number): GridOrder {
  // A movie recorded as a Live Photo still's sidecar is shown through its still.
  const hidden = new Set((db.prepare(
    `SELECT DISTINCT e.content_id AS id FROM sidecars s JOIN entries e ON e.id = s.source_entry_id
     WHERE s.kind = 'live_photo_video' AND s.status = 'ready' AND e.content_id IS NOT NULL`,
  ).pluck().all() as number[]));
  // Each content's first copy's name (SQLite's min() picks the row's other columns), by the content index.
  const names = new Map<number, string>();
  for (const [id, name] of db.prepare(
    `SELECT content_id, name, min(id) FROM entries INDEXED BY entries_by_content WHERE content_id IS NOT NULL AND kind = 'file' GROUP BY content_id`,
  ).raw().iterate() as IterableIterator<[number, string]>) names.set(id, name);
  // Already in day and instant order from the capture index; only runs of equal instants need the name order.
  const rows: Array<{ id: number; day: string | null; ms: number | null; name: string }> = [];
  for (const [id, day, ms] of db.prepare(
    'SELECT id, capture_day, captured_ms FROM content_identities INDEXED BY content_by_capture ORDER BY capture_day DESC, captured_ms DESC',
  ).raw().iterate() as IterableIterator<[number, string | null, number | null]>) {
    const name = names.get(id);
    if (name !== undefined && !hidden.has(id)) rows.push({ id, day, ms, name });
  }
  sortTies(rows);
  const ids = new Int32Array(rows.length);
  const days: GridDay[] = [];
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    ids[i] = r.id;
    const last = days[days.length - 1];
    if (last && last.day === r.day) last.count++;
    else days.push({ day: r.day, count: 1 });
  }
  return { version, ids, days };
}

/** Order each run of equal (day, instant) by name, then id: a burst, or every undated content. */
function sortTies(rows: Array<{ id: number; day: string | null; ms: number | null; name: string }>): void {
  const byName = (a: { id: number; name: string }, b: { id: number; name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id - b.id);
  let start = 0;
  for (let i = 1; i <= rows.length; i++) {
    if (i < rows.length && rows[i]!.day === rows[start]!.day && rows[i]!.ms === rows[start]!.ms) continue;
    if (i - start > 1) {
      const run = rows.slice(start, i).sort(byName);
      for (let k = 0; k < run.length; k++) rows[start + k] = run[k]!;
    }
    start = i;
  }
}
