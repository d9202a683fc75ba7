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
  const rows = db.prepare(
    `SELECT id, day FROM (SELECT c.id, c.capture_day AS day, c.captured_ms AS ms, ${FIRST_NAME_SQL} AS name
       FROM content_identities c INDEXED BY content_by_capture)
     WHERE name IS NOT NULL ORDER BY day DESC, ms DESC, name, id`,
  ).raw().iterate() as IterableIterator<[number, string | null]>;
  let out = new Int32Array(1024);
  let n = 0;
  const days: GridDay[] = [];
  for (const [id, day] of rows) {
    if (hidden.has(id)) continue;
    if (n === out.length) {
      const bigger = new Int32Array(out.length * 2);
      bigger.set(out);
      out = bigger;
    }
    out[n++] = id;
    const last = days[days.length - 1];
    if (last && last.day === day) last.count++;
    else days.push({ day, count: 1 });
  }
  return { version, ids: out.slice(0, n), days };
}
