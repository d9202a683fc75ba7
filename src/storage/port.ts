import type { Stats } from 'node:fs';
import type { Landing, LandingOptions } from '../core/landing.js';
import type { ConfinedRoot } from '../library/confine.js';
import type { LocationKind } from '../wire/locations.js';

/**
 * What holds a location's files: recorded with the location (`locations.kind`), never read from
 * its path. The names are the wire's (wire/locations.ts), which the web app reads; each has one
 * line in the factory (storage/storages.ts).
 */
export type StorageKind = LocationKind;

/**
 * What a kind of storage can do, for the callers that decide by it (a scan, the watcher, the
 * Guardian, a copy's target): they ask these, never which class or which address form it is.
 */
export interface StorageCaps {
  /** A rename within the storage, in one step (a move within one filesystem). */
  rename: boolean;
  /** Its files have local paths that tools (ffmpeg, ExifTool) may read. */
  localPath: boolean;
  /** Files keep an identity across renames (an inode): a scan follows a move by it, and a folder listed as before is confirmed by its digest. */
  inodes: boolean;
  /** A walk may list it in a worker thread. */
  threadedWalk: boolean;
  /** vss may write into it (land, rename, remove): a bucket location is only read. */
  writable: boolean;
  /** How changes are heard of: folder watches, or a rescan on a schedule. */
  watch: 'events' | 'poll';
}

/**
 * What only a storage on a disk here answers at once, for the hot paths: a scan's loop that must
 * not yield (a synchronous lstat and listing), and hashing by local path in worker threads (the
 * confined root the paths are made from). Offered by such a storage as `local`, null elsewhere.
 */
export interface LocalAccess {
  readonly root: ConfinedRoot;
  /** What is at REL now, never following a symlink; undefined when nothing is. */
  statNow(rel: string): Stats | undefined;
  /** The folder REL listed now. */
  listNow(rel: string, opts?: ListOptions): DirListing;
}

/**
 * What a location's storage does, whatever holds it: the indexer, hashing, file operations and
 * originals reach a location's files only through this port, so a bucket or a network share can
 * become a volume without touching them (docs/architecture.md, "A storage seam"). Paths are the
 * indexer's relative paths ('/'-separated, '' for the root), checked by the storage to stay inside
 * it; nothing is ever reached through a symlink.
 */
export interface LocationStorage {
  readonly kind: StorageKind;
  readonly caps: StorageCaps;
  /** The disk's own fast paths where the storage is a disk here, else null. */
  readonly local: LocalAccess | null;
  /** How the storage is named to a user (a folder's path, a bucket's URL). */
  readonly describe: string;
  /** REL as a user is shown it: a folder's path joined, a bucket's URL and key as stored (never normalised). */
  shown(rel: string): string;
  /** The local path of REL where the storage has one (a local disk), else null: tools that need a path (ffmpeg, ExifTool) read from it. */
  localPath(rel: string): string | null;
  /** What is at REL, never following a symlink; null when nothing is. */
  stat(rel: string): Promise<NodeFacts | null>;
  /** One folder's listing. */
  list(rel: string, opts?: ListOptions): Promise<DirListing>;
  /** The whole tree below the root (or carrying on from START), parents before children, in batches. */
  walk(opts: WalkOptions): AsyncGenerator<WalkedListing[]>;
  /** A file opened to read ranges of; refused when REL is not a regular file. */
  openRead(rel: string): Promise<RangeReader>;
  /** A landing (core/landing.ts) for bytes that will become REL: its partial sits beside it, keyed by KEY. */
  land(rel: string, key: string, opts?: LandingOptions): Promise<Landing>;
  /**
   * Give FROM the name TO (both inside this storage) in one step: a kill leaves it under one name
   * or the other. Refused when TO is taken, unless REPLACE (the file there is replaced at once).
   */
  rename(from: string, to: string, opts?: { replace?: boolean }): Promise<void>;
  /** Remove the file, symlink or empty folder at REL; nothing there is not an error. */
  remove(rel: string): Promise<void>;
  /** Hear of changes in the folders asked for (one watch per folder, not per file). */
  watch(onChange: (rel: string) => void): FolderWatches;
  /** Let go of what it holds (a bucket's client); a disk's storage holds nothing. */
  close(): void;
}

/** The kinds of thing a listing holds; a device, FIFO or socket is `other` (never indexed). */
export type NodeKind = 'file' | 'dir' | 'symlink' | 'other';

/** What a storage says of one name, never following a symlink. */
export interface NodeFacts {
  kind: NodeKind;
  size: number;
  /** The file's identity on its storage (inode; a stable id elsewhere) and the device holding it. */
  inode: number;
  dev: number;
  mode: number;
  nlink: number;
  atimeMs: number;
  mtimeMs: number;
  ctimeMs: number;
}

/**
 * One entry as the storage shows it, or the reason it cannot be indexed. `ctimeMs`: when its inode
 * last changed (bytes, mode, links, a rename), which no tool can set back; a bucket's object has
 * none and gives its last-modified time, as its facts do.
 */
export type ListedEntry =
  | { name: string; kind: 'file' | 'dir' | 'symlink'; size: number; inode: number; mtimeMs: number; ctimeMs: number; linkTarget: string | null }
  | { name: string; skip: string; lossy?: true };

/** One folder's listing; `error` when the folder itself cannot be read. */
export interface DirListing {
  rel: string;
  error?: string;
  entries: ListedEntry[];
  /** Its fingerprint (`listingDigest` in storage/walk-wire.ts), when a walk made it. */
  digest?: string;
}

/**
 * A folder a walk found exactly as the caller last saw it (its listing has the digest the caller
 * named in `WalkOptions.unchanged`): its entries are not sent, only what they add up to.
 */
export interface UnchangedListing {
  rel: string;
  digest: string;
  unchanged: { entries: number; files: number; dirs: number; bytes: number };
}

/** What a walk gives for each folder. */
export type WalkedListing = DirListing | UnchangedListing;

export interface ListOptions {
  /** Ignore rules (indexer syntax, `storage/ignore-rules.ts`): matching names are left out. */
  ignoreRules?: readonly string[];
  /** Local paths never to list (the library folder, when it lies inside the location). */
  exclude?: readonly string[];
}

/** A folder a walk still has to visit. */
export interface PendingDir {
  abs: string;
  rel: string;
}

export interface WalkOptions extends ListOptions {
  ignoreRules: readonly string[];
  exclude: readonly string[];
  /** Carry on a walk begun elsewhere: the folders it still had to visit. */
  start?: readonly PendingDir[];
  /**
   * Listings the caller already holds, rel → digest: a folder listed with that digest comes as an
   * UnchangedListing (the walk still descends into its subfolders).
   */
  unchanged?: ReadonlyMap<string, string>;
  /** The caller expects a large tree (its last walk was): threads, where the storage uses them, start at once. */
  expectLarge?: boolean;
  /** False: no worker thread, all listed in this one (where the storage uses threads: `caps.threadedWalk`). */
  threaded?: boolean;
}

/** A file open for reading ranges; its facts as opened (a file replaced since is another file). */
export interface RangeReader {
  readonly facts: NodeFacts;
  /** Read up to LENGTH bytes at POSITION into BUF at OFFSET; 0 at the end. */
  read(buf: Uint8Array, offset: number, length: number, position: number): Promise<number>;
  /** The facts again (a file that changed while it was read is refused by its reader). */
  refresh(): Promise<NodeFacts>;
  close(): Promise<void>;
}

/** The folders watched for one storage. */
export interface FolderWatches {
  /** Folders that could not be watched (polled instead): rel → why. */
  readonly unwatched: ReadonlyMap<string, WatchFailure>;
  readonly size: number;
  /** Watch exactly DIRS at and beneath TOP: new ones watched, those gone let go. */
  sync(top: string, dirs: ReadonlyArray<{ rel: string; inode: number | null }>): { added: string[]; failed: WatchFailure[] };
  closeAll(): void;
}

export interface WatchFailure {
  rel: string;
  reason: string;
  /** The OS watch limit, rather than something about this folder. */
  limit: boolean;
}
