/**
 * `npm run bench:rescan-subtree [-- --files N] [--runs R]` (issue 59 item 4)
 *
 * `vss location rescan PATH/SUB` of a 1,000-file folder in a location of N (100,000) more files,
 * content mode, page cache warm, in this process. Anchors measured in the same run: a bare walk
 * of the subtree (readdir + lstat of each entry, no database) and a rescan of the whole location.
 * Each subtree rescan follows a change in it (a few files appended to, a few added), so it has
 * something to find; the unchanged case is measured too. Target: ≤ 1 s for the 1,000-file subtree.
 */
import { appendFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Vss } from '../src/index.js';
import { albumDir, generateTree } from './tree.js';
import { handWalkLstat } from './walk.js';
import { benchArgs, freshDir, median, num, rmrf, secs, timeAsync, timeSync } from './util.js';

const SUBTREE_FILES = 1000;
const args = benchArgs('node dist/bench/rescan-subtree-bench.js [--files N] [--runs R]', { files: { default: 100_000, min: 1000 }, runs: { default: 5, min: 1 } }, []);
const work = freshDir(tmpdir(), 'vss-subtree-bench-');
try {
  const root = join(work, 'photos');
  const { s: genS, value: tree } = timeSync(() => generateTree(root, args.files));
  const sub = generateTree(join(root, 'zz-subtree'), SUBTREE_FILES, 7);
  console.log(`generated ${num(tree.files + sub.files)} files (${num(sub.files)} of them in zz-subtree, ${sub.dirs} folders there) in ${secs(genS)}`);
  const vss = new Vss({ dataDir: join(work, 'data') });
  const libPath = vss.libraries.create('Bench', { dir: join(work, 'libs') }).path;
  await vss.withLibrary({ path: libPath }, async (lib) => {
    const { s: addS, value: added } = await timeAsync(() => lib.locations.add(root, { mode: 'content' }));
    console.log(`content index of the location: ${num(added.files)} files in ${secs(addS)}`);
    const id = added.location_id;
    const walk: number[] = [];
    const unchanged: number[] = [];
    const changed: number[] = [];
    for (let r = 0; r < args.runs; r++) {
      walk.push(timeSync(() => handWalkLstat(join(root, 'zz-subtree'))).s);
      unchanged.push((await timeAsync(() => lib.locations.rescan(id, { folder: 'zz-subtree' }))).s);
      // A change to find: three files grown, two new ones.
      const album = albumDir(join(root, 'zz-subtree'), 0);
      for (const name of readdirSync(album).sort().slice(0, 3)) appendFileSync(join(album, name), `run ${r}`);
      for (let i = 0; i < 2; i++) writeFileSync(join(album, `new-${r}-${i}.jpg`), `a new file of run ${r}, ${i}`);
      const { s, value } = await timeAsync(() => lib.locations.rescan(id, { folder: 'zz-subtree' }));
      if (value.scanned_files < SUBTREE_FILES || value.added !== 2) console.log(`  !! the rescan listed ${value.scanned_files} files and added ${value.added} (expected ≥ ${SUBTREE_FILES} and 2)`);
      changed.push(s);
    }
    const whole = (await timeAsync(() => lib.locations.rescan(id))).s;
    const w = median(walk);
    const c = median(changed);
    console.log(`\nrescan of the ${num(SUBTREE_FILES)}-file folder in a ${num(added.files)}-file location (median of ${args.runs}):`);
    console.log(`  bare walk + lstat of the folder: ${secs(w)}`);
    console.log(`  rescan, nothing changed:         ${secs(median(unchanged))} = ${(median(unchanged) / w).toFixed(1)}× the walk`);
    console.log(`  rescan, 5 files changed/new:     ${secs(c)} = ${(c / w).toFixed(1)}× the walk; target ≤ 1 s: ${c <= 1 ? 'OK' : 'MISSED'}`);
    console.log(`  the whole location's rescan:     ${secs(whole)} (the folder alone: ${(c / whole).toFixed(3)}× of it)`);
  });
} finally {
  rmrf(work);
}
