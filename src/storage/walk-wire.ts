import { createHash } from 'node:crypto';
import type { DirListing, ListedEntry as WalkEntry, UnchangedListing, WalkedListing } from './port.js';

/**
 * A walked folder as text: the walk worker's wire format, and what a listing's digest is taken
 * of. A batch of them crosses to the database thread as one JSON string, as cloning one string
 * is far cheaper than cloning thousands of small objects; tuples keep it short.
 */
type WireEntry =
  | [name: string, kind: 0 | 1 | 2, size: number, inode: number, mtimeMs: number, ctimeMs: number, linkTarget: string | null]
  | [name: string, skip: string, lossy: 0 | 1];
type WireListing =
  | [rel: string, error: string | null, entries: WireEntry[], digest: string]
  | [rel: string, entries: number, files: number, dirs: number, bytes: number, digest: string];

const KINDS = ['file', 'dir', 'symlink'] as const;

/** ENTRIES as the JSON text of their tuples. */
function encodeEntries(entries: readonly WalkEntry[]): string {
  return JSON.stringify(entries.map((e): WireEntry => ('skip' in e
    ? [e.name, e.skip, e.lossy ? 1 : 0]
    : [e.name, KINDS.indexOf(e.kind) as 0 | 1 | 2, e.size, e.inode, e.mtimeMs, e.ctimeMs, e.linkTarget])));
}

const digestOfText = (text: string) => createHash('sha1').update(text).digest('base64');

/**
 * A fingerprint of a folder's entries, names and facts as listed (not its path): two listings
 * with the same digest hold the same names with the same kinds, sizes, inodes, times (mtime and
 * ctime: a file edited with its mtime put back is not the same) and links.
 */
export function listingDigest(entries: readonly WalkEntry[]): string {
  return digestOfText(encodeEntries(entries));
}

/**
 * LISTING as a walk hands it on, as wire text: unchanged when UNCHANGED names its folder with the
 * digest it has, else whole with its digest.
 */
export function walkedWire(listing: DirListing, unchanged: ReadonlyMap<string, string> | undefined): string {
  const rel = JSON.stringify(listing.rel);
  if (listing.error !== undefined) return `[${rel},${JSON.stringify(listing.error)},[],""]`;
  const entries = encodeEntries(listing.entries);
  const digest = digestOfText(entries);
  if (unchanged?.get(listing.rel) === digest) {
    const sum = { entries: listing.entries.length, files: 0, dirs: 0, bytes: 0 };
    for (const e of listing.entries) {
      if ('skip' in e) continue;
      if (e.kind === 'file') { sum.files++; sum.bytes += e.size; } else if (e.kind === 'dir') sum.dirs++;
    }
    return `[${rel},${sum.entries},${sum.files},${sum.dirs},${sum.bytes},"${digest}"]`;
  }
  return `[${rel},null,${entries},"${digest}"]`;
}

/** Wire texts of several walked folders as one batch. */
export const encodeBatch = (walked: readonly string[]): string => `[${walked.join(',')}]`;

export function decodeBatch(text: string): WalkedListing[] {
  return (JSON.parse(text) as WireListing[]).map((w): WalkedListing => {
    if (w.length === 6) {
      const [rel, entries, files, dirs, bytes, digest] = w;
      return { rel, digest, unchanged: { entries, files, dirs, bytes } } satisfies UnchangedListing;
    }
    const [rel, error, entries, digest] = w;
    const listing: DirListing = {
      rel,
      entries: entries.map((e): WalkEntry => (e.length === 3
        ? (e[2] === 1 ? { name: e[0], skip: e[1], lossy: true } : { name: e[0], skip: e[1] })
        : { name: e[0], kind: KINDS[e[1]], size: e[2], inode: e[3], mtimeMs: e[4], ctimeMs: e[5], linkTarget: e[6] })),
    };
    if (error !== null) listing.error = error;
    else listing.digest = digest;
    return listing;
  });
}

/** One walked folder on this side, as the worker would have sent it. */
export const walkedHere = (listing: DirListing, unchanged: ReadonlyMap<string, string> | undefined): WalkedListing =>
  decodeBatch(encodeBatch([walkedWire(listing, unchanged)]))[0]!;
