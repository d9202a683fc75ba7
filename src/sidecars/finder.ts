import type { Library } from '../library/library.js';
import type { FoundKind } from './kinds.js';

/**
 * The contract between the indexer and a finder: a finder records, as `ready` reference sidecars
 * of KIND, the user's own files it finds beside the originals of a deep location (a Live Photo's
 * movie, another tool's XMP file); the files stay where they are. The indexer runs every finder
 * (`indexer/finders.ts`) after the location's media metadata is read, one after the other. A
 * finder commits its own work as it goes, in transactions of its choosing, and never deletes a
 * sidecar (reconcile does). A new finder is one module implementing `Finder` plus a line in
 * `indexer/finders.ts` (its kind's spec in `sidecars/kinds/` says a finder finds it).
 */
export interface Finder<K extends FoundKind = FoundKind> {
  kind: K;
  find(ctx: FinderContext): Promise<FinderResult>;
}

export interface FinderContext {
  lib: Library;
  locationId: number;
  /** A file passed over, with why: the scan lists it and goes on. */
  onSkip: (path: string, reason: string) => void;
  /**
   * Look only in the folders whose listing changed after this change number (the location's
   * `media_seq`: where the finders last looked), and at what they bear on; absent: everywhere.
   */
  changedSince?: number;
}

export interface FinderResult {
  /** Files found new or changed and read this time (the scan reports it). */
  read: number;
}
