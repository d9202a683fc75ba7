/**
 * `npm run bench:tags [-- --taggings N] [--tags T] [--runs R] [--changes C] [--contents M] [--query-runs Q] [--no-sync] [--no-daemons] [--no-search]`
 *
 * Tags and user metadata as shared data (DESIGN §15, §16), issue 20's targets, each against an
 * anchor measured in the same run:
 *   (a) N tag assignments (default 100k) made on device A synced to device B over the shared-data feed,
 *       two PeerNodes on loopback, A its own process (bench/tags-sync.ts)            target < 5 s
 *       Anchor: the same page bytes over a bare stream + plain INSERTs of the same rows.
 *   (b) a metadata change (`meta set`, tag add) made on A through its daemon's API, visible in B's
 *       database: two real daemons paired over loopback, C changes (bench/tags-propagation.ts)
 *                                                                                     target p99 < 2 s
 *       Anchor: the same change visible in A's own database, seen by the same poller.
 *   (c) `tag:` (a tag and its descendants) and `is:favorite` over M contents (default 100k)
 *       through the API's search, against the bare SQL that answers the same question
 *       (bench/tags-search.ts)                                                 target p99 < 20 ms, ≤ 1.5× bare
 * The XMP sidecar figures are `npm run bench:xmp`.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchTagSync } from './tags-sync.js';
import { benchPropagation } from './tags-propagation.js';
import { benchTagSearch } from './tags-search.js';
import { Summary, benchArgs, freshDir, rmrf, runMain } from './util.js';

async function main(): Promise<void> {
  const o = benchArgs('tags-bench [--taggings N] [--tags T] [--runs R] [--changes C] [--contents M] [--query-runs Q] [--no-sync] [--no-daemons] [--no-search] [--keep]', {
    taggings: { default: 100_000, min: 1 }, tags: { default: 1000, min: 1 }, runs: { default: 3, min: 1 },
    changes: { default: 300, min: 4 }, contents: { default: 100_000, min: 1000 }, 'query-runs': { default: 30, min: 1 },
  }, ['no-sync', 'no-daemons', 'no-search', 'keep']);
  const dir = freshDir(tmpdir(), 'vss-tagbench-');
  const summary = new Summary();
  try {
    if (!o['no-sync']) await benchTagSync(o, join(dir, 'sync'), summary);
    if (!o['no-daemons']) await benchPropagation(o, join(dir, 'daemons'), summary);
    if (!o['no-search']) await benchTagSearch(o, join(dir, 'search'), summary);
    console.log('');
    summary.print();
  } finally {
    if (o.keep) console.log(`kept ${dir}`);
    else rmrf(dir);
  }
}

runMain(import.meta.url, main);
