import type { ContentRecord } from './contents.js';

// The shapes of the `entries` table's rows and reads (store/entries.ts, store/entry-reads.ts).

export type EntryKind = 'file' | 'dir' | 'symlink';

/** An `entries` row: a file, folder or symlink of a location, as the last scan saw it (DESIGN §3). */
export interface EntryRecord {
  id: number;
  location_id: number;
  /** Null for the location's own row (its root). */
  parent_id: number | null;
  name: string;
  /** Relative to the location, '/'-separated; '' for the root. */
  rel_path: string;
  kind: EntryKind;
  size: number;
  inode: number | null;
  mtime_ms: number | null;
  /**
   * When its inode last changed as the last scan saw it (ms, fractional; migration 032): bytes,
   * mode, links or a rename, which no tool can set back. Null: not known yet.
   */
  ctime_ms: number | null;
  link_target: string | null;
  /** Its content identity, once identified (files only). */
  content_id: number | null;
  /** A folder's figures, rolled up from the files beneath it. */
  agg_size: number | null;
  agg_files: number | null;
  agg_dirs: number | null;
  created_at: number;
  updated_at: number;
  /** When its bytes were last hashed whole and matched (ms; migration 024), null: never. */
  verified_at: number | null;
}

/** What a scan compares with the disk: an entry without its figures and times. */
export type ScannedEntry = Pick<EntryRecord, 'id' | 'name' | 'rel_path' | 'kind' | 'size' | 'inode' | 'mtime_ms' | 'link_target' | 'content_id' | 'parent_id'>;

/**
 * A folder's row as a scan's listing meets it: what is compared with the disk, and whether its
 * path is still its folder's path and its name (false once its folder moved and it has not been
 * renamed with it yet) instead of the path itself, a string a scan would read a hundred thousand
 * times to compare once.
 */
export type ListedRow = Pick<EntryRecord, 'id' | 'name' | 'kind' | 'size' | 'inode' | 'mtime_ms' | 'ctime_ms' | 'link_target'> & { at_place: boolean };

/** A file's facts with the content its bytes were found to be (its uuid; null: not identified), written in one row (`insertIdentified`). */
export interface IdentifiedFacts {
  facts: EntryFacts;
  uuid: string | null;
  /** Hashed whole (not sampled): the row is verified as it is written. */
  verified: boolean;
}

/** What the disk says of an entry: the columns a scan writes. */
export interface EntryFacts extends Pick<EntryRecord, 'parent_id' | 'name' | 'rel_path' | 'kind' | 'size' | 'link_target'> {
  inode: number;
  mtime_ms: number;
  /** Absent or null: not known (the row's ctime is forgotten, to be recorded by the next scan). */
  ctime_ms?: number | null;
}

/**
 * A file still to identify, and the facts its hash must still match (a ctime absent or null: one
 * not known, which the row must not know either).
 */
export type UnidentifiedFile = Pick<EntryRecord, 'id' | 'name' | 'rel_path' | 'size'> & { inode: number; mtime_ms: number; ctime_ms?: number | null };

/** A file to identify again (`--force`), with the content it is linked to now. */
/** A file's row found by its path: its content, and the file as the index recorded it. */
export type IndexedFileAt = Pick<EntryRecord, 'id' | 'size' | 'inode' | 'mtime_ms' | 'ctime_ms'> & { content_uuid: string | null };

export type IdentifiedFile = UnidentifiedFile & Pick<EntryRecord, 'content_id'>;

/** A folder with the figures it has now. */
export type FolderFigures = Pick<EntryRecord, 'id' | 'parent_id' | 'rel_path' | 'agg_size' | 'agg_files' | 'agg_dirs'>;

/** The files directly in one folder, summed. */
export interface DirectFiles {
  parent_id: number;
  size: number;
  files: number;
}

/**
 * A file to link to its content: the facts the hash was made of, the content's uuid, and the
 * content it was linked to when read (null or absent: none).
 */
export interface ContentLink {
  /** The file as it was read (the link is guarded by these facts), with the content it was linked to then. */
  file: Pick<UnidentifiedFile, 'id' | 'size' | 'inode' | 'mtime_ms' | 'ctime_ms'> & { content_id?: number | null };
  uuid: string;
  /** Its bytes were hashed whole and matched now (not a sampled hash): the link marks the copy verified. */
  verified?: boolean;
}

/**
 * What a link from no content to one must also write (migration 011 took it off the per-row
 * triggers): the contents queued for search, and the grid's order version moved. Made by the
 * search and browse stores, in the caller's transaction.
 */
export interface LinkEffects {
  queueForSearch(uuids: readonly string[]): void;
  /** Contents added with their first links, by id: they wait above search's mark unless their id is not above it. */
  queueAddedForSearch(contents: ReadonlyArray<{ id: number; uuid: string }>): void;
  /** Contents (by uuid) of files just written with them: those not above search's mark are queued. */
  queueUnmarkedForSearch(uuids: readonly string[]): void;
  queueForSearchById(contentId: number): void;
  moveGridVersion(): void;
  /** The next number of this database's change counter (sync_meta), in the caller's transaction. */
  nextSeq(): number;
}

/** A folder whose listing digest is kept (see `keepListing`). */
export interface KeptListing {
  id: number;
  parent_id: number | null;
  name: string;
  rel_path: string;
  digest: string;
}

/** A copy of a content: which location holds it, where. */
export type ContentCopy = Pick<EntryRecord, 'location_id' | 'rel_path'> & { content_id: number };

/** Where one copy of a content is: its location and its path there. */
export interface CopyPlace {
  location_id: number;
  rel_path: string;
}

/** A file of this device found by its name: its content and where it is. */
export interface NamedFile {
  content_uuid: string;
  /** As the file is named (the name asked may differ in case). */
  name: string;
  location_id: number;
  location_name: string;
  rel_path: string;
}

/** A deep location a content has a file in, with the location's own generation policy. */
export interface DeepPlace {
  /** The content's row id. */
  content_id: number;
  location_id: number;
  generation: string | null;
}

/** A deep location of one device (bound: the device's row id), over the location aliased `l`. */
export const IN_DEEP = "l.device_id = ? AND l.index_mode = 'deep'";

/** A file entry with what its content is: what Live Photo pairing reads of each still and movie. */
export type EntryMedia = { entry_id: number } & Pick<EntryRecord, 'rel_path' | 'size' | 'inode' | 'mtime_ms'>
  & Pick<ContentRecord, 'uuid' | 'kind' | 'mime' | 'cas_id' | 'cas_version' | 'media_metadata'>;

/** A folder of this device to send a peer: where it is, and its change number (0: none since migration 012). */
export interface SyncFolder {
  id: number;
  location_id: number;
  rel_path: string;
  seq: number;
}

/**
 * One row of a folder's listing as sent (`.raw()`): name, kind, size, mtime, then its content's
 * uuid, kind, mime, size, media metadata, cas id and cas version (null for a folder or a file not
 * yet identified), then when the file was last verified (null: never).
 */
export type SyncListingRow = [string, EntryKind, number, number | null, string | null, string | null, string | null, number | null, string | null, string | null, number | null, number | null];
