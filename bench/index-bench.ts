/**
 * Indexing a tree of many small files, each figure a ratio against a no-database anchor measured
 * in the same process on the same (page-cache warm) tree:
 *   anchor A  walk + lstat of every entry          vs  shallow index
 *   anchor B  readFileSync + BLAKE3 of every file  vs  content-mode index
 *   anchor A again                                 vs  rescan of the unchanged tree
 * Every index runs in a fresh library; each measured thing runs `runs` times and the median counts.
 */
import type { TreeInfo } from './tree.js';
import { disposeRun, indexFresh, timedScan } from './fresh-index.js';
import { fdirWalkLstat, handWalkLstat, listFiles, readAndHashAll, type WalkCounts } from './walk.js';
import { collectGarbage, kilo, median, num, ratio, secs, timeSync, type Summary } from './util.js';

export interface IndexBenchOptions {
  tree: TreeInfo;
  workDir: string;
  runs: number;
  keep: boolean;
  summary: Summary;
}

export interface IndexBenchResult {
  anchorA: number;
  shallow: number;
  anchorB: number;
  content: number;
  rescan: number;
}

const fmtRuns = (xs: number[]) => xs.map((x) => secs(x)).join(' / ');

/** The phase breakdown of the run whose time is nearest the median. */
function medianPhases(runs: Array<{ s: number; phases: Record<string, number> }>): Record<string, number> {
  const m = median(runs.map((r) => r.s));
  let best = runs[0];
  for (const r of runs) if (best && Math.abs(r.s - m) < Math.abs(best.s - m)) best = r;
  return best?.phases ?? {};
}

function phaseLine(phases: Record<string, number>): string {
  return Object.entries(phases).map(([k, v]) => `${k} ${secs(v)}`).join(', ');
}

function check(label: string, problems: string[]): void {
  if (problems.length > 0) console.log(`    !! ${label}: ${problems.join('; ')}`);
}

function checkCounts(label: string, got: WalkCounts, tree: TreeInfo): void {
  const p: string[] = [];
  if (got.files !== tree.files) p.push(`${got.files} files, expected ${tree.files}`);
  if (got.dirs !== tree.dirs) p.push(`${got.dirs} dirs, expected ${tree.dirs}`);
  if (got.bytes !== tree.bytes) p.push(`${got.bytes} bytes, expected ${tree.bytes}`);
  check(label, p);
}

export async function runIndexBench(o: IndexBenchOptions): Promise<IndexBenchResult> {
  const { tree, workDir, runs, summary } = o;
  const n = tree.files;
  console.log(`\n== Indexing ${n} small files (${tree.dirs} folders, ${num(tree.bytes / 1024 / 1024)} MiB, ${tree.duplicates} duplicates); median of ${runs} runs ==`);

  // --- anchor A: walk + lstat -------------------------------------------------------------
  checkCounts('hand walk', handWalkLstat(tree.root), tree); // warms the dentry/inode caches
  checkCounts('fdir walk', fdirWalkLstat(tree.root), tree);
  const hand: number[] = [];
  const fd: number[] = [];
  for (let r = 0; r < runs; r++) {
    hand.push(timeSync(() => handWalkLstat(tree.root)).s);
    fd.push(timeSync(() => fdirWalkLstat(tree.root)).s);
  }
  const handS = median(hand);
  const fdirS = median(fd);
  const anchorA = Math.min(handS, fdirS);
  const anchorName = handS <= fdirS ? 'readdirSync(withFileTypes)+lstatSync hand loop' : 'fdir(withFullPaths, withDirs)+lstatSync';
  console.log(`  anchor A, walk+lstat: hand loop ${secs(handS)} [${fmtRuns(hand)}], fdir ${secs(fdirS)} [${fmtRuns(fd)}]`);
  console.log(`    -> anchor A = ${anchorName}: ${secs(anchorA)} (${kilo(n / anchorA)} files/s)`);

  // --- shallow index ----------------------------------------------------------------------
  const shallowRuns: number[] = [];
  const shallowDetail: Array<{ s: number; phases: Record<string, number> }> = [];
  for (let r = 0; r < runs; r++) {
    collectGarbage();
    const run = await indexFresh(workDir, tree.root, 'shallow');
    const res = run.result;
    const p: string[] = [];
    if (res.files !== n || res.dirs !== tree.dirs || res.bytes !== tree.bytes) p.push(`indexed ${res.files} files / ${res.dirs} dirs / ${res.bytes} B`);
    if (res.hashed !== 0) p.push(`hashed ${res.hashed} in shallow mode`);
    if (res.skipped_total !== 0) p.push(`${res.skipped_total} skipped, e.g. ${JSON.stringify(res.skipped[0])}`);
    check(`shallow run ${r + 1}`, p);
    shallowRuns.push(run.s);
    shallowDetail.push({ s: run.s, phases: run.phases });
    disposeRun(run, o.keep);
  }
  const shallow = median(shallowRuns);
  const shallowPhases = medianPhases(shallowDetail);
  const shallowSpeed = anchorA / shallow;
  console.log(`  shallow index: ${secs(shallow)}  (${ratio(shallowSpeed)} the speed of walk+lstat ${secs(anchorA)}; target ≥ 0.5×)  [${fmtRuns(shallowRuns)}]`);
  console.log(`    phases: ${phaseLine(shallowPhases)}; ${kilo(n / shallow)} files/s`);
  summary.add({ what: `shallow index, ${n} files`, value: secs(shallow), ratio: `${ratio(shallowSpeed)} speed`, target: '≥ 0.5× walk+lstat speed', ok: shallowSpeed >= 0.5 });

  // --- anchor B: read + hash every file ---------------------------------------------------
  const paths = listFiles(tree.root); // not timed: the anchor is the reading and hashing alone
  if (paths.length !== n) console.log(`    !! listed ${paths.length} files, expected ${n}`);
  readAndHashAll(paths); // warm the page cache with every byte
  const bRuns: number[] = [];
  for (let r = 0; r < runs; r++) bRuns.push(timeSync(() => readAndHashAll(paths)).s);
  const anchorB = median(bRuns);
  console.log(`  anchor B, readFileSync+blake3 of every file (path list precomputed): ${secs(anchorB)}  [${fmtRuns(bRuns)}]`);

  // --- content-mode index, then a rescan of the unchanged tree in the same library --------
  const contentRuns: number[] = [];
  const rescanRuns: number[] = [];
  const contentDetail: Array<{ s: number; phases: Record<string, number> }> = [];
  const rescanDetail: Array<{ s: number; phases: Record<string, number> }> = [];
  for (let r = 0; r < runs; r++) {
    collectGarbage();
    const run = await indexFresh(workDir, tree.root, 'content');
    const res = run.result;
    const p: string[] = [];
    if (res.files !== n || res.hashed !== n) p.push(`indexed ${res.files} files, hashed ${res.hashed}, expected ${n}`);
    if (res.contents !== tree.uniqueContents) p.push(`${res.contents} distinct contents, expected ${tree.uniqueContents}`);
    if (res.skipped_total !== 0) p.push(`${res.skipped_total} skipped, e.g. ${JSON.stringify(res.skipped[0])}`);
    check(`content run ${r + 1}`, p);
    contentRuns.push(run.s);
    contentDetail.push({ s: run.s, phases: run.phases });

    collectGarbage();
    const again = await timedScan(run.lib, run.locationId);
    const a = again.result;
    const q: string[] = [];
    if (a.added || a.changed || a.moved || a.removed || a.hashed) {
      q.push(`added ${a.added}, changed ${a.changed}, moved ${a.moved}, removed ${a.removed}, hashed ${a.hashed} (expected all 0)`);
    }
    if (a.files !== n || a.contents !== tree.uniqueContents) q.push(`${a.files} files / ${a.contents} contents after rescan`);
    check(`rescan run ${r + 1}`, q);
    rescanRuns.push(again.s);
    rescanDetail.push(again);
    disposeRun(run, o.keep);
  }
  const content = median(contentRuns);
  const rescan = median(rescanRuns);
  const contentPhases = medianPhases(contentDetail);
  const rescanPhases = medianPhases(rescanDetail);

  const total = content / anchorB;
  const ident = (content - shallow) / anchorB;
  console.log(`  content index: ${secs(content)}  (${ratio(total)} read+hash ${secs(anchorB)}; target ≤ 2.0× (issue 18))  [${fmtRuns(contentRuns)}]`);
  console.log(`    beyond the shallow index (content − shallow = ${secs(content - shallow)}): ${ratio(ident)} read+hash`);
  console.log(`    phases: ${phaseLine(contentPhases)}; ${kilo(n / content)} files/s`);
  summary.add({ what: `content index, ${n} files`, value: secs(content), ratio: `${ratio(total)} r+h`, target: '≤ 2.0× read+hash', ok: total <= 2.0 });
  summary.add({ what: '  of which beyond shallow', value: secs(content - shallow), ratio: `${ratio(ident)} r+h`, target: '≤ 1.5× read+hash', ok: ident <= 1.5 });

  const rescanGain = content / rescan;
  const rescanRatio = rescan / anchorA;
  console.log(`  rescan, unchanged tree: ${secs(rescan)}  (${ratio(rescanRatio)} walk+lstat ${secs(anchorA)}; target ≤ 1.3× (issue 28); ` +
    `first content index ${ratio(rescanGain)} slower; first shallow index ${ratio(shallow / rescan)} slower)  [${fmtRuns(rescanRuns)}]`);
  console.log(`    phases: ${phaseLine(rescanPhases)}`);
  summary.add({ what: `rescan, unchanged, ${n} files`, value: secs(rescan), ratio: `${ratio(rescanRatio)} walk+lstat`, target: '≤ 1.3× walk+lstat', ok: rescanRatio <= 1.3 });
  summary.add({ what: '  vs first shallow index', value: '', ratio: `${ratio(shallow / rescan)} faster`, target: '', ok: null });

  return { anchorA, shallow, anchorB, content, rescan };
}
