/**
 * `node dist/bench/similar-bench.js [--runs R] [--synthetic N] [--keep]`
 *
 * The near-duplicate finder (src/similar/perceptual-hash.ts) against a bare 64-bit DCT pHash
 * with one fixed Hamming threshold, on a labelled set made at run time from the real photos and
 * videos in ../shared/fixtures (bench/similar-set.ts; skipped with a message when absent):
 *   - pair precision / recall / F1 of ours and of the bare pHash at its best threshold and at 10;
 *     targets: ours precision ≥ 0.98, recall ≥ 0.90;
 *   - the same, with each fingerprint made as the phash generator makes it: from the detail@1x
 *     thumbnail (a 1024-px WebP), not from the original;
 *   - cost: time per photo of the phash generator (from the ready thumbnail) against the thumb
 *     generator on the same photo (the anchor, what the deep index makes anyway), median of R
 *     runs; target ≤ 0.1×;
 *   - `groupSimilar` on the labelled set (pairs its candidate search misses) and on N synthetic
 *     fingerprints (default 100k) with planted near-duplicates: time; target a few seconds.
 */
import { cpus, tmpdir, totalmem } from 'node:os';
import sharp from 'sharp';
import { configureSharp } from '../src/generators/tools/sharp-input.js';
import { fingerprintImage, fingerprintFromGrid, hamming64, matchFingerprints, ENCODED_BYTES, SIDE, type Fingerprint } from '../src/similar/perceptual-hash.js';
import { groupSimilar } from '../src/similar/group-similar.js';
import { thumbGenerator } from '../src/generators/thumb/thumb-generator.js';
import { thumbVariant } from '../src/generators/thumb/thumb-variants.js';
import { phashGenerator } from '../src/generators/phash/phash-generator.js';
import { generatorContext } from '../test/generator-context.js';
import { buildSet, FIXTURES } from './similar-set.js';
import { labelledPairs, score, type Score } from './similar-eval.js';
import { mulberry32 } from './mulberry32.js';
import { Summary, benchArgs, freshDir, kilo, median, num, ratio, rmrf, secs, timeAsync, timeSync, runMain } from './util.js';

function line(name: string, s: Score): string {
  return `${name}: precision ${s.precision.toFixed(3)}, recall ${s.recall.toFixed(3)}, F1 ${s.f1.toFixed(3)} (TP ${s.tp}, FP ${s.fp} of which same-scene ${s.hardFp}, FN ${s.fn})`;
}

async function accuracy(workDir: string, runs: number, summary: Summary): Promise<void> {
  console.log(`\n== Accuracy: labelled set from ${FIXTURES} ==`);
  const built = await timeAsync(() => buildSet(workDir));
  const set = built.value;
  if (typeof set === 'string') {
    console.log(`  skipped: ${set}`);
    return;
  }
  for (const n of set.notes) console.log(`  note: ${n}`);
  const families = new Set(set.images.map((i) => i.family));
  console.log(`  made ${set.images.length} images in ${families.size} families in ${secs(built.s)}`);
  const fps: Fingerprint[] = [];
  for (const im of set.images) fps.push(await fingerprintImage(im.path));
  const pairs = labelledPairs(set);
  const pos = pairs.filter((p) => p.positive).length;
  const hard = pairs.filter((p) => p.hard).length;
  console.log(`  pairs: ${pairs.length} labelled = ${pos} positive + ${pairs.length - pos} negative (${hard} of them same-scene: video frames ≥ 0.5 s apart, crops offset ≥ 30 %, text pages); ${set.unlabelled.size} family pairs unlabelled`);
  console.log(`  fingerprint: ${ENCODED_BYTES} bytes encoded (${SIDE}×${SIDE} grey grid + pHash + aspect)`);

  const ours = score(pairs, (p) => matchFingerprints(fps[p.i]!, fps[p.j]!).similar);
  const ham = pairs.map((p) => hamming64(fps[p.i]!.phash, fps[p.j]!.phash));
  const idx = new Map(pairs.map((p, k) => [p, k]));
  const byT = (t: number) => score(pairs, (p) => ham[idx.get(p)!]! <= t);
  let bestT = 0;
  let best = byT(0);
  for (let t = 1; t <= 32; t++) {
    const s = byT(t);
    if (s.f1 > best.f1) [best, bestT] = [s, t];
  }
  const ten = byT(10);
  console.log(`  ${line('ours', ours)}`);
  console.log(`  ${line(`anchor, bare pHash, best threshold ≤ ${bestT}`, best)}`);
  console.log(`  ${line('anchor, bare pHash, threshold ≤ 10', ten)}`);
  // The anchor's best precision at our recall, so "it only needs another threshold" is answered too.
  let atRecall: { t: number; s: Score } | null = null;
  for (let t = 32; t >= 0; t--) {
    const s = byT(t);
    if (s.recall >= 0.9) atRecall = { t, s };
  }
  if (atRecall) console.log(`  anchor at the smallest threshold with recall ≥ 0.90 (≤ ${atRecall.t}): precision ${atRecall.s.precision.toFixed(3)}`);
  summary.add({ what: 'near-dup precision, ours', value: ours.precision.toFixed(3), ratio: `pHash ${best.precision.toFixed(3)}`, target: '≥ 0.98', ok: ours.precision >= 0.98 });
  summary.add({ what: 'near-dup recall, ours', value: ours.recall.toFixed(3), ratio: `pHash ${best.recall.toFixed(3)}`, target: '≥ 0.90', ok: ours.recall >= 0.9 });

  // groupSimilar on the same set: what its candidate search and chaining guard lose.
  const groups = groupSimilar(fps.map((fp, i) => ({ id: String(i), fp })));
  const groupOf = new Map<number, number>();
  groups.forEach((g, k) => g.forEach((id) => groupOf.set(Number(id), k)));
  const together = (i: number, j: number) => groupOf.has(i) && groupOf.get(i) === groupOf.get(j);
  const grouped = score(pairs, (p) => together(p.i, p.j));
  const mixed = groups.filter((g) => new Set(g.map((id) => set.images[Number(id)]!.family)).size > 1).length;
  console.log(`  ${line('groupSimilar, pairs in one group', grouped)}; ${groups.length} groups, ${mixed} holding more than one family`);

  // As the deep index makes them: the phash generator reads the detail@1x thumbnail (1024-px WebP), not the original.
  const detail = thumbVariant('detail@1x')!;
  const asThumb = async (p: string) => sharp(p, { failOn: 'none' }).rotate().resize(detail.size, detail.size, { fit: 'inside', withoutEnlargement: true }).webp({ quality: detail.quality }).toBuffer();
  const fromThumbs: Fingerprint[] = [];
  for (const im of set.images) fromThumbs.push(await fingerprintImage(await asThumb(im.path)));
  const oursThumb = score(pairs, (p) => matchFingerprints(fromThumbs[p.i]!, fromThumbs[p.j]!).similar);
  console.log(`  ${line('ours, from the detail@1x thumbnail (as the phash generator makes it)', oursThumb)}`);
  summary.add({ what: 'near-dup precision, from thumbnails', value: oursThumb.precision.toFixed(3), ratio: `pHash ${best.precision.toFixed(3)}`, target: '≥ 0.98', ok: oursThumb.precision >= 0.98 });
  summary.add({ what: 'near-dup recall, from thumbnails', value: oursThumb.recall.toFixed(3), ratio: `pHash ${best.recall.toFixed(3)}`, target: '≥ 0.90', ok: oursThumb.recall >= 0.9 });

  // Cost in a deep index: the phash generator (from the ready thumbnail) against the thumb
  // generator on the same photo (its desktop variants), both as the job runner calls them.
  const sources = [...new Set(set.images.filter((i) => i.variant === 'source' && !i.family.includes('@')).map((i) => i.path))];
  const made = new Map<string, Buffer>();
  const thumbs = async (p: string) => {
    const ctx = generatorContext({ path: p, kind: 'image', mime: 'image/jpeg', variants: ['grid@1x', 'grid@2x', 'detail@1x'] });
    try {
      const out = await thumbGenerator.generate(ctx);
      const d = out.find((o) => o.variant === 'detail@1x');
      if (d && 'data' in d) made.set(p, d.data);
    } finally {
      ctx.cleanup();
    }
  };
  const fingerprint = async (p: string) => {
    const ctx = generatorContext({ path: p, kind: 'image', mime: 'image/jpeg', variants: ['default'], sidecars: { 'thumb/detail@1x': made.get(p)! } });
    try {
      await phashGenerator.generate(ctx);
    } finally {
      ctx.cleanup();
    }
  };
  for (const p of sources) await thumbs(p);
  await fingerprint(sources[0]!);
  const fpTimes: number[] = [];
  const thTimes: number[] = [];
  for (let r = 0; r < runs; r++) {
    const b = await timeAsync(async () => { for (const p of sources) await thumbs(p); });
    const a = await timeAsync(async () => { for (const p of sources) await fingerprint(p); });
    fpTimes.push(a.s);
    thTimes.push(b.s);
  }
  const fpS = median(fpTimes) / sources.length;
  const thS = median(thTimes) / sources.length;
  console.log(`  cost on ${sources.length} source photos (up to 6000×4000): the phash generator ${num(fpS * 1000)} ms/photo, the thumb generator ${num(thS * 1000)} ms/photo: ${ratio(fpS / thS)} (a deep index makes more than thumbnails: this bounds its share)`);
  const direct = await timeAsync(async () => { for (const p of sources) await fingerprintImage(p); });
  console.log(`  (a fingerprint of the original instead, decoded again: ${num((direct.s / sources.length) * 1000)} ms/photo)`);
  summary.add({ what: 'phash generator / thumb generator', value: `${num(fpS * 1000)} ms`, ratio: ratio(fpS / thS), target: '≤ 0.1× (10 % of deep index)', ok: fpS / thS <= 0.1 });
}

/**
 * N synthetic fingerprints: random pictures made of ten waves (their pHashes differ like real
 * photos': a median of 32 bits apart, 1 % of pairs ≤ ~22 — checked against the labelled set), one in ten a near-duplicate of another (noise of ±4 grey levels, or shifted a cell).
 */
export function synthetic(n: number): { items: Array<{ id: string; fp: Fingerprint }>; planted: number } {
  const rnd = mulberry32(42);
  const items: Array<{ id: string; fp: Fingerprint }> = [];
  const grids: Uint8Array[] = [];
  let planted = 0;
  for (let i = 0; i < n; i++) {
    const g = new Uint8Array(SIDE * SIDE);
    if (i > 0 && rnd() < 0.1) {
      const src = grids[Math.floor(rnd() * i)]!;
      const shift = rnd() < 0.5 ? 1 : 0;
      for (let y = 0; y < SIDE; y++) for (let x = 0; x < SIDE; x++) {
        const v = src[y * SIDE + Math.min(SIDE - 1, x + shift)]! + Math.round((rnd() - 0.5) * 8);
        g[y * SIDE + x] = Math.max(0, Math.min(255, v));
      }
      planted++;
    } else {
      const waves = Array.from({ length: 10 }, () => ({ fx: (rnd() - 0.5) * 3, fy: (rnd() - 0.5) * 3, ph: rnd() * 6.3, a: 5 + rnd() * 25 }));
      const acc = new Float64Array(SIDE * SIDE).fill(60 + rnd() * 120);
      // cos(fx·x + fy·y + ph) = cos(fx·x + ph)·cos(fy·y) − sin(fx·x + ph)·sin(fy·y): 4·SIDE cosines a wave.
      for (const w of waves) {
        const cx = Float64Array.from({ length: SIDE }, (_, x) => w.a * Math.cos(w.fx * x + w.ph));
        const sx = Float64Array.from({ length: SIDE }, (_, x) => w.a * Math.sin(w.fx * x + w.ph));
        for (let y = 0; y < SIDE; y++) {
          const cy = Math.cos(w.fy * y);
          const sy = Math.sin(w.fy * y);
          for (let x = 0; x < SIDE; x++) acc[y * SIDE + x] = acc[y * SIDE + x]! + cx[x]! * cy - sx[x]! * sy;
        }
      }
      for (let k = 0; k < acc.length; k++) g[k] = Math.max(0, Math.min(255, Math.round(acc[k]!)));
    }
    grids.push(g);
    items.push({ id: String(i), fp: fingerprintFromGrid(g, 1.5) });
  }
  return { items, planted };
}

function grouping(n: number, summary: Summary): void {
  console.log(`\n== groupSimilar on ${kilo(n)} synthetic fingerprints ==`);
  const made = timeSync(() => synthetic(n));
  const { items, planted } = made.value;
  console.log(`  made ${kilo(n)} fingerprints (${planted} planted near-duplicates) in ${secs(made.s)}`);
  const t = timeSync(() => groupSimilar(items));
  const inGroups = t.value.reduce((s, g) => s + g.length, 0);
  console.log(`  groupSimilar: ${secs(t.s)}, ${t.value.length} groups holding ${inGroups} fingerprints (largest ${Math.max(0, ...t.value.map((g) => g.length))})`);
  summary.add({ what: `groupSimilar, ${kilo(n)} fingerprints`, value: secs(t.s), ratio: '', target: '≤ 10 s', ok: t.s <= 10 });
}

async function main(): Promise<void> {
  const args = benchArgs('node dist/bench/similar-bench.js [--runs R] [--synthetic N] [--keep]', {
    runs: { default: 3, min: 1 }, synthetic: { default: 100_000, min: 2 },
  }, ['keep']);
  const workDir = freshDir(tmpdir(), 'vss-similar-bench-');
  const summary = new Summary();
  process.once('SIGINT', () => { if (!args.keep) rmrf(workDir); process.exit(130); });
  console.log(`vss near-duplicate benchmark: node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${num(totalmem() / 1024 ** 3)} GiB RAM`);
  console.log(`  work dir ${workDir}${args.keep ? ' (kept)' : ' (removed at the end)'}`);
  configureSharp();
  const started = Date.now();
  try {
    await accuracy(workDir, args.runs, summary);
    grouping(args.synthetic, summary);
  } finally {
    if (!args.keep) rmrf(workDir);
  }
  console.log(`\n== Summary (${secs((Date.now() - started) / 1000)} in all) ==`);
  summary.print();
}

runMain(import.meta.url, main);
