/**
 * Child process for the peak-RSS measurement: `node dist/bench/rss-child.js <tree> <dataDir>`.
 * Indexes TREE in content mode in a new library under DATADIR and prints one JSON line with the
 * peak RSS (KiB) before and after the index:
 *   maxRssKB  process.resourceUsage().maxRSS (getrusage ru_maxrss). On Linux this high-water mark
 *             survives fork+exec, so a child of a big parent starts out at the parent's RSS.
 *   hwmKB     VmHWM from /proc/self/status: the peak of this process image only (Linux); the figure
 *             reported when present.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Vss, addLocation, scanLocation } from '../test/internals.js';

function vmHwmKB(): number | null {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const [tree, dataDir] = process.argv.slice(2);
  if (!tree || !dataDir) {
    console.error('usage: node dist/bench/rss-child.js <tree> <dataDir>');
    process.exit(2);
  }
  const vss = new Vss({ dataDir });
  const lib = vss.createLibrary('rss', join(dataDir, 'libraries'));
  const loc = addLocation(lib, tree, { mode: 'content' });
  const baselineKB = process.resourceUsage().maxRSS;
  const baselineHwmKB = vmHwmKB();
  const t0 = performance.now();
  const res = await scanLocation(lib, loc.id);
  const s = (performance.now() - t0) / 1000;
  lib.close();
  const maxRssKB = process.resourceUsage().maxRSS;
  const hwmKB = vmHwmKB();
  console.log(JSON.stringify({ maxRssKB, baselineKB, hwmKB, baselineHwmKB, s, files: res.files, hashed: res.hashed, contents: res.contents, skipped: res.skipped_total }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
