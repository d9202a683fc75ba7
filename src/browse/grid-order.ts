import type { GridDay } from '../wire/browse.js';
import type { Db } from '../db/connection.js';
import { statementCache } from '../store/statements.js';

export type { GridDay };

/** The browse order: content ids, and the days as runs of it. */
export interface GridOrder {
  /** grid_version.n when this was read: the order's identity (pages of one version are slices of one order). */
  version: number;
  ids: Int32Array;
  days: GridDay[];
}

export interface GridOrderOptions {
  /** While changes keep coming, the order is read again at most this often; between, the last one is served. */
  minRebuildMs?: number;
  now?: () => number;
}

/** A scan bumps the version with every file: reading the order again once every two seconds is enough to follow it. */
export const GRID_REBUILD_MIN_MS = 2000;

/**
 * The web UI's grid order (migration 009): contents by capture day, newest first, then capture
 * instant, newest first, then the file name, then id. Undated contents (no capture time in the
 * file: documents, screenshots without EXIF) come last, by name: their mtime is when they were
 * copied, not taken, and would scatter them among real days. A Live Photo's movie is its
 * still's sidecar, not an item of its own.
 *
 * The order is read once into memory (4 bytes a content) and kept until grid_version moves,
 * so a page at any offset is a slice, not an OFFSET scan. Reading it blocks the daemon (tens of
 * milliseconds at 100k contents, bench/grid-bench.ts), and during a scan every file moves the
 * version: so it is read again at most every GRID_REBUILD_MIN_MS, and the answers say which
 * order (`version`) they are slices of.
 */
export class GridOrderCache {
  private order: GridOrder | undefined;
  private builtAt = 0;
  private readonly stmt: ReturnType<typeof statementCache>;
  private readonly minRebuildMs: number;
  private readonly now: () => number;

  constructor(private readonly db: Db, options: GridOrderOptions = {}) {
    this.stmt = statementCache(db);
    this.minRebuildMs = options.minRebuildMs ?? GRID_REBUILD_MIN_MS;
    this.now = options.now ?? Date.now;
  }

  /** The current order; read again when something moved since and the last read is old enough. */
  current(): GridOrder {
    if (this.order !== undefined && this.now() - this.builtAt < this.minRebuildMs) return this.order;
    const version = (this.stmt('SELECT n FROM grid_version WHERE id = 1').get() as { n: number } | undefined)?.n ?? 0;
    if (this.order?.version !== version) {
      this.order = readOrder(this.db);
      this.builtAt = this.now();
    }
    return this.order;
  }
}

export { FIRST_NAME_SQL } from '../store/contents.js';

const BY_CAPTURE = 'FROM content_identities INDEXED BY content_by_capture ORDER BY capture_day DESC, captured_ms DESC';

/**
 * One snapshot: the ids and instants in index order (two single-column reads: a row as an array
 * costs more than the read), the days' counts from the same index, which contents have a file
 * copy, and the first names only of the contents that tie on their instant (a burst, or the
 * undated ones), the only ones the name orders.
 */
function readOrder(db: Db): GridOrder {
  return db.transaction(() => {
    const version = (db.prepare('SELECT n FROM grid_version WHERE id = 1').pluck().get() as number | undefined) ?? 0;
    // A movie recorded as a Live Photo still's sidecar is shown through its still.
    const hidden = new Set(db.prepare(
      `SELECT DISTINCT e.content_id AS id FROM sidecars s JOIN entries e ON e.id = s.source_entry_id
       WHERE s.kind = 'live_photo_video' AND s.status = 'ready' AND e.content_id IS NOT NULL`,
    ).pluck().all() as number[]);
    const all = db.prepare(`SELECT id ${BY_CAPTURE}`).pluck().all() as number[];
    const instants = db.prepare(`SELECT captured_ms ${BY_CAPTURE}`).pluck().all() as Array<number | null>;
    const dayRuns = db.prepare('SELECT capture_day, count(*) FROM content_identities INDEXED BY content_by_capture GROUP BY capture_day ORDER BY capture_day DESC')
      .raw().all() as Array<[string | null, number]>;
    let maxId = 0;
    for (const id of all) if (id > maxId) maxId = id;
    const shown = new Uint8Array(maxId + 1);
    for (const id of db.prepare("SELECT content_id FROM entries WHERE content_id IS NOT NULL AND kind = 'file'").pluck().all() as number[]) {
      if (id <= maxId && !hidden.has(id)) shown[id] = 1;
    }

    const ids = new Int32Array(all.length);
    const days: GridDay[] = [];
    /** [start, end) of ids that tie on day and instant. */
    const ties: Array<[number, number]> = [];
    let n = 0;
    let at = 0;
    for (const [day, count] of dayRuns) {
      const dayStart = n;
      let tieStart = n;
      for (const end = Math.min(at + count, all.length); at < end; at++) {
        if (at > 0 && n > dayStart && instants[at] !== instants[at - 1]) {
          if (n - tieStart > 1) ties.push([tieStart, n]);
          tieStart = n;
        }
        const id = all[at]!;
        if (shown[id] === 1) ids[n++] = id;
      }
      if (n - tieStart > 1) ties.push([tieStart, n]);
      if (n > dayStart) days.push({ day, count: n - dayStart });
    }
    if (ties.length > 0) sortTies(db, ids, ties);
    return { version, ids: ids.slice(0, n), days };
  }).deferred();
}

/** Order each run of ids that tie on their instant by first name, then id. */
function sortTies(db: Db, ids: Int32Array, ties: Array<[number, number]>): void {
  const names = firstNames(db, ids, ties);
  const byName = (a: number, b: number) => {
    const x = names.get(a) ?? '';
    const y = names.get(b) ?? '';
    return x < y ? -1 : x > y ? 1 : a - b;
  };
  for (const [start, end] of ties) ids.subarray(start, end).sort(byName);
}

/** The first copy's name of each tied content: of those alone when they are few, else of all in one pass. */
function firstNames(db: Db, ids: Int32Array, ties: Array<[number, number]>): Map<number, string> {
  const tied: number[] = [];
  for (const [start, end] of ties) for (let i = start; i < end; i++) tied.push(ids[i]!);
  // Looking one up by the content index costs about two rows of the whole table's pass.
  const rows = tied.length * 2 < ids.length
    ? db.prepare("SELECT content_id, name FROM entries WHERE content_id IN (SELECT value FROM json_each(?)) AND kind = 'file' ORDER BY id").raw().all(JSON.stringify(tied))
    : db.prepare("SELECT content_id, name FROM entries NOT INDEXED WHERE content_id IS NOT NULL AND kind = 'file' ORDER BY id").raw().all();
  const names = new Map<number, string>();
  // In id order: the first row of a content is its first copy.
  for (const [id, name] of rows as Array<[number, string]>) if (!names.has(id)) names.set(id, name);
  return names;
}
