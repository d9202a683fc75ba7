/** One entry of `vss browse PATH` (a folder read without adding it to the library). */
export interface FolderEntry {
  /** Its own name (the last part of `path`). */
  name: string;
  /** Relative to the folder browsed, `/`-separated on POSIX. */
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'other';
  /** Bytes (files only; 0 otherwise). */
  size: number;
  /** ISO time of the last change, or null when it could not be read. */
  modified: string | null;
  /** A file's content kind: from its bytes when identified, else from its extension. */
  kind: string | null;
  mime: string | null;
  /** The content's identity (DESIGN §1), for the files identified (small ones, or all with `content`). */
  content_uuid: string | null;
  cas_id: string | null;
  /** Whether the library knows this content (here or on a paired device); absent when not identified. */
  in_library?: boolean;
  /** Why it could not be read, when it could not. */
  error?: string;
}

export interface FolderListing {
  path: string;
  entries: FolderEntry[];
  /** More entries were there than the limit allowed. */
  truncated: boolean;
}

/** The folders in no location that a device lets this one browse (issue 59): `vss device browsable list` there. */
export interface BrowseRoots {
  device_id: string;
  /** The device's name, as this library knows it. */
  device: string;
  /** This device's own roots (true), or a paired device's. */
  here: boolean;
  roots: string[];
}
