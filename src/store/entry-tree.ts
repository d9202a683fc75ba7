import { EntryReads } from './entry-reads.js';
import type { DirectFiles, EntryKind, EntryRecord, FolderFigures, IndexedFileAt, KeptListing, ListedRow, ScannedEntry } from './entry-types.js';

// The scan's statements as constants: one string each, so the statement cache finds them by a hash computed once.
const SCANNED = 'id, name, rel_path, kind, size, inode, mtime_ms, link_target, content_id, parent_id';
const CHILDREN = `SELECT ${SCANNED} FROM entries WHERE parent_id = ?`;
const LISTED_CHILDREN = 'SELECT id, name, kind, size, inode, mtime_ms, ctime_ms, link_target, rel_path = ? || name FROM entries WHERE parent_id = ?';
const BY_INODE = `SELECT ${SCANNED} FROM entries WHERE location_id = ? AND inode = ? LIMIT 8`;

type ListedTuple = [number, string, EntryKind, number, number | null, number | null, number | null, string | null, 0 | 1];

function listedRow(r: ListedTuple): ListedRow {
  return { id: r[0], name: r[1], kind: r[2], size: r[3], inode: r[4], mtime_ms: r[5], ctime_ms: r[6], link_target: r[7], at_place: r[8] === 1 };
}

type ScannedTuple = [number, string, string, EntryKind, number, number | null, number | null, string | null, number | null, number | null];

function scanned(r: ScannedTuple): ScannedEntry {
  return { id: r[0], name: r[1], rel_path: r[2], kind: r[3], size: r[4], inode: r[5], mtime_ms: r[6], link_target: r[7], content_id: r[8], parent_id: r[9] };
}

/**
 * The reads of the `entries` table down a location's tree: a folder's rows as a scan compares
 * them with its listing, the listing digests it keeps, the folders a peer or a sidecar pass asks
 * for, and the figures folders carry. The scan's statements run once per entry of a location (a
 * hundred thousand times in a scan): each is prepared once per connection and binds plain values.
 * EntryStore (store/entries.ts) is this, its files' links to contents and the writes of its rows.
 */
export class EntryTree extends EntryReads {
  byId(id: number): EntryRecord | undefined {
    return this.sql<[number], EntryRecord>('SELECT * FROM entries WHERE id = ?').get(id);
  }

  /** The id of a location's own row (its folder). */
  rootOf(locationId: number): number | undefined {
    return this.sql<[number], number>('SELECT id FROM entries WHERE location_id = ? AND parent_id IS NULL').pluck().get(locationId);
  }

  /** Rows in a location, all kinds. */
  count(locationId: number): number {
    return this.sql<[number], number>('SELECT COUNT(*) FROM entries WHERE location_id = ?').pluck().get(locationId)!;
  }

  /** Whether a location has any row beside its root (false until its first scan adds some). */
  hasChildren(locationId: number): boolean {
    return this.sql<[number], number>('SELECT 1 FROM entries WHERE location_id = ? AND parent_id IS NOT NULL LIMIT 1').pluck().get(locationId) !== undefined;
  }

  /**
   * A folder's rows: a scan reads every folder's. Read as arrays and made into records here,
   * which costs a third less than better-sqlite3 making the objects.
   */
  children(parentId: number): ScannedEntry[] {
    const st = this.sql<[number], ScannedTuple>(CHILDREN);
    st.raw(true);
    return st.all(parentId).map(scanned);
  }

  /**
   * The rows of folder PARENTID, whose path is REL ('' for a location's root), as a scan compares
   * them with its listing (ListedRow): every folder of a location is read once a scan.
   */
  listedChildren(parentId: number, rel: string): ListedRow[] {
    const st = this.sql<[string, number], ListedTuple>(LISTED_CHILDREN);
    st.raw(true);
    return st.all(rel === '' ? '' : `${rel}/`, parentId).map(listedRow);
  }

  /** Folder FOLDERID's rows are as the listing with DIGEST shows them (the indexer just made them so). */
  keepListing(folderId: number, digest: string): void {
    this.sql<[string, number]>('UPDATE entries SET listing_digest = ? WHERE id = ?').run(digest, folderId);
  }

  /** The listing digest kept for a folder, while its rows are still as that listing showed them. */
  keptListing(folderId: number): string | null {
    return this.sql<[number], string | null>('SELECT listing_digest FROM entries WHERE id = ?').pluck().get(folderId) ?? null;
  }

  /** A location's folders that keep a listing digest (from the digests' partial index). */
  keptListings(locationId: number): KeptListing[] {
    return this.sql<[number], KeptListing>(
      'SELECT id, parent_id, name, rel_path, listing_digest AS digest FROM entries WHERE location_id = ? AND listing_digest IS NOT NULL',
    ).all(locationId);
  }

  /** The subfolders of a folder, by name. */
  subfolders(parentId: number): Array<{ id: number; name: string }> {
    return this.sql<[number], { id: number; name: string }>("SELECT id, name FROM entries WHERE parent_id = ? AND kind = 'dir'").all(parentId);
  }

  /** Folders of LOCATIONID holding a file named `*.xmp` (any case): where XMP sidecars may be (DESIGN §16); with CHANGEDSINCE, only those whose listing changed after that change number. */
  foldersWithXmp(locationId: number, changedSince?: number): number[] {
    if (changedSince !== undefined) {
      return this.sql<[number, number], number>(
        `SELECT d.id FROM entries d WHERE d.sync_seq > ? AND d.location_id = ? AND d.kind = 'dir'
           AND EXISTS (SELECT 1 FROM entries e WHERE e.parent_id = d.id AND e.kind = 'file' AND e.name LIKE '%.xmp')
         ORDER BY d.id`,
      ).pluck().all(changedSince, locationId);
    }
    return this.sql<[number], number>(
      `SELECT DISTINCT parent_id FROM entries WHERE location_id = ? AND kind = 'file' AND name LIKE '%.xmp' AND parent_id IS NOT NULL ORDER BY parent_id`,
    ).pluck().all(locationId);
  }

  /** The folders of LOCATIONID whose listing changed after change number SEQ, by their path in the location ('' for its root). */
  foldersChangedSince(locationId: number, seq: number): string[] {
    return this.sql<[number, number], string>(
      `SELECT rel_path FROM entries WHERE sync_seq > ? AND location_id = ? AND kind = 'dir'`,
    ).pluck().all(seq, locationId);
  }

  /** The ids of LOCATIONID's folders whose listing changed after change number SEQ (null: every folder). */
  folderIdsChangedSince(locationId: number, seq: number | null): number[] {
    if (seq === null) return this.sql<[number], number>(`SELECT id FROM entries WHERE location_id = ? AND kind = 'dir' ORDER BY id`).pluck().all(locationId);
    return this.sql<[number, number], number>(`SELECT id FROM entries WHERE sync_seq > ? AND location_id = ? AND kind = 'dir' ORDER BY id`).pluck().all(seq, locationId);
  }

  /** The photos of folder PARENTID with their content's type and media metadata, by name: what the stack rules read (issue 45). */
  imagesIn(parentId: number): Array<{ name: string; mtime_ms: number | null; content_uuid: string; mime: string; media_metadata: string | null }> {
    return this.sql<[number], { name: string; mtime_ms: number | null; content_uuid: string; mime: string; media_metadata: string | null }>(
      `SELECT e.name, e.mtime_ms, c.uuid AS content_uuid, c.mime, c.media_metadata FROM entries e JOIN content_identities c ON c.id = e.content_id
       WHERE e.parent_id = ? AND e.kind = 'file' AND c.kind = 'image' ORDER BY e.name`,
    ).all(parentId);
  }

  /** The files of folder PARENTID with their content uuid (null while unidentified), by name. */
  filesWithContentIn(parentId: number): Array<{ id: number; name: string; rel_path: string; size: number; content_uuid: string | null }> {
    return this.sql<[number], { id: number; name: string; rel_path: string; size: number; content_uuid: string | null }>(
      `SELECT e.id, e.name, e.rel_path, e.size, c.uuid AS content_uuid FROM entries e LEFT JOIN content_identities c ON c.id = e.content_id
       WHERE e.parent_id = ? AND e.kind = 'file' ORDER BY e.name`,
    ).all(parentId);
  }

  /** A folder's child by name. */
  child(parentId: number, name: string): ScannedEntry | undefined {
    return this.sql<[number, string], ScannedEntry>(`SELECT ${SCANNED} FROM entries WHERE parent_id = ? AND name = ?`).get(parentId, name);
  }

  /** A folder's subfolder by name. */
  childDir(parentId: number, name: string): number | undefined {
    return this.sql<[number, string], number>("SELECT id FROM entries WHERE parent_id = ? AND name = ? AND kind = 'dir'").pluck().get(parentId, name);
  }

  /** The few rows of a location with this inode (a moved file, or hard links). */
  byInode(locationId: number, inode: number): ScannedEntry[] {
    return this.sql<[number, number], ScannedEntry>(BY_INODE).all(locationId, inode);
  }

  /**
   * The file at REL in a location, with its content's uuid (null before it is identified) and the
   * file as the index recorded it (what that content was read from: content/indexed-identity.ts).
   */
  fileAt(locationId: number, rel: string): IndexedFileAt | undefined {
    // Down the tree a name at a time on (parent_id, name): rel_path has no index of its own (a
    // scan would pay for one on every insert), and a location's rows by location_id are all of them.
    let at: number | undefined = this.rootOf(locationId);
    const names = rel.split('/');
    const child = this.sql<[number, string], IndexedFileAt & { kind: EntryKind }>(
      `SELECT e.id, e.kind, c.uuid AS content_uuid, e.size, e.mtime_ms, e.ctime_ms, e.inode FROM entries e LEFT JOIN content_identities c ON c.id = e.content_id WHERE e.parent_id = ? AND e.name = ?`,
    );
    for (const [i, name] of names.entries()) {
      if (at === undefined || name === '') return undefined;
      const row = child.get(at, name);
      if (!row) return undefined;
      if (i === names.length - 1) return row.kind === 'file' ? { id: row.id, content_uuid: row.content_uuid, size: row.size, mtime_ms: row.mtime_ms, ctime_ms: row.ctime_ms, inode: row.inode } : undefined;
      if (row.kind !== 'dir') return undefined;
      at = row.id;
    }
    return undefined;
  }

  /** The identified files beneath folder REL of a location (every depth), with their contents: what a folder's move carries. */
  contentFilesBeneath(locationId: number, rel: string): Array<{ rel_path: string; content_uuid: string }> {
    // '/' and '0' are neighbours in byte order: the range is every path under REL/ (one pass over the location's rows, once per folder moved).
    return this.sql<[number, string, string], { rel_path: string; content_uuid: string }>(
      `SELECT e.rel_path, c.uuid AS content_uuid FROM entries e JOIN content_identities c ON c.id = e.content_id
       WHERE e.location_id = ? AND e.rel_path >= ? AND e.rel_path < ? AND e.kind = 'file'`,
    ).all(locationId, `${rel}/`, `${rel}0`);
  }

  /** Files at and beneath an entry (itself, if a file). */
  filesBeneath(id: number): number {
    return this.sql<[number], number>(
      `WITH RECURSIVE sub(id) AS (SELECT ? UNION ALL SELECT e.id FROM entries e JOIN sub ON e.parent_id = sub.id)
       SELECT COUNT(*) FROM entries WHERE id IN sub AND kind = 'file'`,
    ).pluck().get(id)!;
  }

  /** A folder and every folder beneath it. */
  foldersBeneath(id: number): Array<Pick<EntryRecord, 'rel_path' | 'mtime_ms' | 'inode'>> {
    return this.sql<[number], Pick<EntryRecord, 'rel_path' | 'mtime_ms' | 'inode'>>(
      `WITH RECURSIVE sub(id) AS (SELECT ? UNION ALL SELECT e.id FROM entries e JOIN sub ON e.parent_id = sub.id WHERE e.kind = 'dir')
       SELECT e.rel_path, e.mtime_ms, e.inode FROM entries e JOIN sub ON sub.id = e.id`,
    ).all(id);
  }

  /**
   * A page of a location's ids after AFTERID, files or everything else. `+location_id` keeps
   * SQLite on the rowid range (one pass over the table) instead of the location index.
   */
  idPage(locationId: number, files: boolean, afterId: number, limit: number): Array<{ id: number; parent_id: number | null }> {
    const sql = files
      ? "SELECT id, parent_id FROM entries WHERE id > ? AND +location_id = ? AND kind = 'file' ORDER BY id LIMIT ?"
      : "SELECT id, parent_id FROM entries WHERE id > ? AND +location_id = ? AND kind <> 'file' ORDER BY id LIMIT ?";
    return this.sql<[number, number, number], { id: number; parent_id: number | null }>(sql).all(afterId, locationId, limit);
  }

  /** Every folder of a location with the figures it has now. */
  folders(locationId: number): FolderFigures[] {
    return this.sql<[number], FolderFigures>("SELECT id, parent_id, rel_path, agg_size, agg_files, agg_dirs FROM entries WHERE location_id = ? AND kind = 'dir'").all(locationId);
  }

  /** The files directly in each folder of a location, summed. */
  directFiles(locationId: number): DirectFiles[] {
    // `+location_id`: read the (parent_id, name) index in order, so the grouping needs no sort of every file.
    return this.sql<[number], DirectFiles>(
      "SELECT parent_id, SUM(size) AS size, COUNT(*) AS files FROM entries WHERE +location_id = ? AND kind = 'file' GROUP BY parent_id",
    ).all(locationId);
  }
}
