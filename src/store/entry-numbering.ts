/*
 * A folder's `sync_seq` (migration 012): the number of the last change to its direct listing, which
 * peers pull. Every write that changes what a listing shows numbers the folder it shows in. A peer
 * also keeps each folder itself (its path, id and number, signed: peer_folders), which a full copy
 * sends for every folder and a delta for those numbered since: so a folder is numbered too when it
 * is made (an empty one is otherwise never numbered) and when its path changes, else a delta
 * leaves out what a full copy brings. These are the statements that number folders, shared by the
 * writes of rows (store/entries.ts) and of their links to contents (store/entry-links.ts).
 */
export const NUMBER_PARENT_OF = 'UPDATE entries SET sync_seq = ? WHERE id = (SELECT parent_id FROM entries WHERE id = ?)';
/*
 * A write that changes a folder's rows themselves (added, removed, renamed, facts rewritten) also
 * forgets the listing digest the indexer kept for it (migration 023): a digest still there always
 * describes the rows as they are, so a rescan may trust it without reading them.
 */
export const FOLDER_CHANGED = 'UPDATE entries SET sync_seq = ?, listing_digest = NULL WHERE id = ?';
export const PARENT_CHANGED = 'UPDATE entries SET sync_seq = ?, listing_digest = NULL WHERE id = (SELECT parent_id FROM entries WHERE id = ?)';
export const NUMBER_PARENTS_OF = `UPDATE entries SET sync_seq = ? WHERE id IN
  (SELECT parent_id FROM entries WHERE id IN (SELECT value FROM json_each(?)))`;
/** A folder's own number when the path it is at changes (before its row is rewritten). */
export const FOLDER_MOVED = 'UPDATE entries SET sync_seq = ? WHERE id = ? AND rel_path IS NOT ?';
export const NUMBER_FOLDERS_OF_CONTENT = 'UPDATE entries SET sync_seq = ? WHERE id IN (SELECT parent_id FROM entries WHERE content_id = ?)';
