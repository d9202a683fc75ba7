import type { DirListing, ListedEntry as WalkEntry } from './port.js';

/**
 * The walk worker's wire format: a batch of listings as one JSON string of tuples. Cloning one
 * string is far cheaper than cloning thousands of small objects, and tuples keep it short.
 */
type WireEntry =
  | [name: string, kind: 0 | 1 | 2, size: number, inode: number, mtimeMs: number, linkTarget: string | null]
  | [name: string, skip: string, lossy: 0 | 1];
type WireListing = [rel: string, error: string | null, entries: WireEntry[]];

const KINDS = ['file', 'dir', 'symlink'] as const;

export function encodeBatch(batch: DirListing[]): string {
  const wire: WireListing[] = batch.map((l) => [
    l.rel,
    l.error ?? null,
    l.entries.map((e): WireEntry => ('skip' in e
      ? [e.name, e.skip, e.lossy ? 1 : 0]
      : [e.name, KINDS.indexOf(e.kind) as 0 | 1 | 2, e.size, e.inode, e.mtimeMs, e.linkTarget])),
  ]);
  return JSON.stringify(wire);
}

export function decodeBatch(text: string): DirListing[] {
  return (JSON.parse(text) as WireListing[]).map(([rel, error, entries]) => {
    const listing: DirListing = {
      rel,
      entries: entries.map((w): WalkEntry => (w.length === 3
        ? (w[2] === 1 ? { name: w[0], skip: w[1], lossy: true } : { name: w[0], skip: w[1] })
        : { name: w[0], kind: KINDS[w[1]], size: w[2], inode: w[3], mtimeMs: w[4], linkTarget: w[5] })),
    };
    if (error !== null) listing.error = error;
    return listing;
  });
}
