/**
 * `node dist/bench/thumbs-bench.js [--files N] [--runs R] [--sharp-threads T] [--keep]`
 *
 * The thumbnail generator against sharp called directly, on the same files and variants, in
 * the same process with the same sharp settings, page cache warm:
 *   - N 6000×4000 JPEGs (24 MP; gradients, shapes and sensor-like noise, so each is a realistic
 *     5–10 MB), made once into a temporary folder;
 *   - the desktop default variants grid@1x, grid@2x, detail@1x (DESIGN §8) of each file;
 *   - ours: `thumbGenerator.generate()` once per file (all three variants from one decode);
 *   - anchor, sharp direct: what a user would write, for each file, for each variant,
 *     `sharp(file).rotate().resize(…).webp({ quality }).toBuffer()` (a decode per variant);
 *   - second anchor, sharp direct, one decode: the bare minimum of our approach, the file
 *     decoded once to a raw bitmap at the largest size and every variant resized from it.
 * Targets: ours ≤ 1.2× sharp direct; < 500 ms per 24 MP image. Median of R runs (default 3).
 * `--sharp-threads T` overrides the libvips threads per image (0: the generator's choice).
 */
import { writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { configureSharp } from '../src/generators/tools/sharp-input.js';
import { thumbGenerator } from '../src/generators/thumb/thumb-generator.js';
import { thumbVariant, type ThumbVariantSpec } from '../src/generators/thumb/thumb-variants.js';
import { generatorContext } from '../test/generator-context.js';
import { MiB, Summary, benchArgs, freshDir, median, num, ratio, rmrf, secs, timeAsync, runMain } from './util.js';

const WIDTH = 6000;
const HEIGHT = 4000;
const VARIANTS = ['grid@1x', 'grid@2x', 'detail@1x'] as const;
const SPECS: ThumbVariantSpec[] = VARIANTS.map((v) => thumbVariant(v)!).sort((a, b) => b.size - a.size);

export interface ThumbsBenchOptions {
  files: number;
  runs: number;
  sharpThreads: number;
  keep: boolean;
  workDir: string;
  summary: Summary;
}

/**
 * A 6000×4000 photo-like JPEG: a smooth two-colour gradient with soft waves (sky, walls), a
 * few hard-edged discs (objects), and per-pixel noise of a few levels (sensor noise; this is
 * what makes a camera JPEG several MB). Deterministic per SEED.
 */
async function makePhoto(path: string, seed: number): Promise<number> {
  const px = Buffer.allocUnsafe(WIDTH * HEIGHT * 3);
  let rnd = (seed * 2654435761) >>> 0;
  const next = () => {
    rnd = (Math.imul(rnd, 1664525) + 1013904223) >>> 0;
    return rnd;
  };
  const base = [[40 + seed * 20, 90, 160], [220, 170 - seed * 10, 90]] as const;
  const sinX = Float64Array.from({ length: WIDTH }, (_, x) => Math.sin(x / 97 + seed));
  const cosY = Float64Array.from({ length: HEIGHT }, (_, y) => 18 * Math.cos(y / 131));
  for (let y = 0; y < HEIGHT; y++) {
    const t = y / HEIGHT;
    const r0 = base[0][0] * (1 - t) + base[1][0] * t;
    const g0 = base[0][1] * (1 - t) + base[1][1] * t;
    const b0 = base[0][2] * (1 - t) + base[1][2] * t;
    for (let x = 0, i = y * WIDTH * 3; x < WIDTH; x++, i += 3) {
      const wave = sinX[x]! * cosY[y]!;
      px[i] = clamp(r0 + wave);
      px[i + 1] = clamp(g0 + wave);
      px[i + 2] = clamp(b0 - wave);
    }
  }
  for (let k = 0; k < 12; k++) {
    const cx = next() % WIDTH;
    const cy = next() % HEIGHT;
    const rad = 150 + (next() % 500);
    const c = [next() & 255, next() & 255, next() & 255];
    for (let y = Math.max(0, cy - rad); y < Math.min(HEIGHT, cy + rad); y++) {
      const half = Math.floor(Math.sqrt(rad * rad - (y - cy) * (y - cy)));
      for (let x = Math.max(0, cx - half), i = (y * WIDTH + x) * 3; x < Math.min(WIDTH, cx + half); x++, i += 3) {
        px[i] = c[0]!;
        px[i + 1] = c[1]!;
        px[i + 2] = c[2]!;
      }
    }
  }
  for (let i = 0; i < px.length; i += 3) {
    const n = next();
    px[i] = clamp(px[i]! + ((n & 15) - 7.5) * 1.6);
    px[i + 1] = clamp(px[i + 1]! + (((n >>> 4) & 15) - 7.5) * 1.6);
    px[i + 2] = clamp(px[i + 2]! + (((n >>> 8) & 15) - 7.5) * 1.6);
  }
  const jpeg = await sharp(px, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } }).jpeg({ quality: 92 }).toBuffer();
  writeFileSync(path, jpeg);
  return jpeg.length;
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** Ours: the generator, all three variants in one run. */
async function ours(paths: readonly string[]): Promise<number> {
  let bytes = 0;
  for (const path of paths) {
    const ctx = generatorContext({ path, kind: 'image', mime: 'image/jpeg', variants: VARIANTS });
    try {
      for (const o of await thumbGenerator.generate(ctx)) {
        if (!('data' in o)) throw new Error(`${path}: ${o.variant} not made: ${JSON.stringify(o)}`);
        bytes += o.data.length;
      }
    } finally {
      ctx.cleanup();
    }
  }
  return bytes;
}

/** Anchor: sharp the straightforward way, one decode per variant. */
async function sharpDirect(paths: readonly string[]): Promise<number> {
  let bytes = 0;
  for (const path of paths) {
    for (const s of SPECS) {
      const out = await sharp(path).rotate().resize({ width: s.size, height: s.size, fit: 'inside', withoutEnlargement: true }).webp({ quality: s.quality }).toBuffer();
      bytes += out.length;
    }
  }
  return bytes;
}

/** Second anchor: sharp, one decode to raw at the largest size, every variant from it. */
async function sharpDirectOneDecode(paths: readonly string[]): Promise<number> {
  let bytes = 0;
  const largest = SPECS[0]!.size;
  for (const path of paths) {
    const { data, info } = await sharp(path).rotate().resize({ width: largest, height: largest, fit: 'inside', withoutEnlargement: true }).raw().toBuffer({ resolveWithObject: true });
    for (const s of SPECS) {
      const out = await sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
        .resize({ width: s.size, height: s.size, fit: 'inside', withoutEnlargement: true })
        .webp({ quality: s.quality })
        .toBuffer();
      bytes += out.length;
    }
  }
  return bytes;
}

export async function runThumbsBench(o: ThumbsBenchOptions): Promise<void> {
  const { runs, summary } = o;
  console.log(`\n== Thumbnails: ${o.files} JPEGs of ${WIDTH}×${HEIGHT}, variants ${VARIANTS.join(', ')}; median of ${runs} runs ==`);
  // The generator's sharp settings apply to the anchors too: the same library, the same threads.
  configureSharp();
  if (o.sharpThreads > 0) sharp.concurrency(o.sharpThreads);
  const cache = sharp.cache();
  console.log(`  sharp ${sharp.versions.sharp} / libvips ${sharp.versions.vips}: ${sharp.concurrency()} thread(s) per image, operation cache ${cache.items.max === 0 ? 'off' : 'on'}, SIMD ${sharp.simd() ? 'on' : 'off'}`);

  const paths: string[] = [];
  let inputBytes = 0;
  const made = await timeAsync(async () => {
    for (let i = 0; i < o.files; i++) {
      const path = join(o.workDir, `photo-${String(i).padStart(3, '0')}.jpg`);
      inputBytes += await makePhoto(path, i % 7);
      paths.push(path);
    }
  });
  console.log(`  generated ${paths.length} JPEGs, ${num(inputBytes / MiB / paths.length)} MiB each on average, in ${secs(made.s)}: ${o.workDir}`);

  // Warm-up: code paths, page cache, libvips' first-use initialisation.
  await ours(paths.slice(0, 1));
  await sharpDirect(paths.slice(0, 1));
  await sharpDirectOneDecode(paths.slice(0, 1));

  const methods = [
    { name: 'ours (thumbGenerator)', fn: ours, times: [] as number[], bytes: 0 },
    { name: 'anchor, sharp direct (a decode per variant)', fn: sharpDirect, times: [] as number[], bytes: 0 },
    { name: 'anchor, sharp direct, one decode', fn: sharpDirectOneDecode, times: [] as number[], bytes: 0 },
  ];
  for (let r = 0; r < runs; r++) {
    // Rotate the order so no method always runs first (or last) on a machine that warms up or throttles.
    for (let k = 0; k < methods.length; k++) {
      const m = methods[(r + k) % methods.length]!;
      const t = await timeAsync(() => m.fn(paths));
      m.times.push(t.s);
      m.bytes = t.value;
    }
  }
  const n = paths.length;
  const per = (s: number) => `${num((s / n) * 1000)} ms/image`;
  for (const m of methods) {
    const s = median(m.times);
    console.log(`  ${m.name}: ${per(s)}, ${num(n / s)} images/s [${m.times.map((x) => per(x)).join(' / ')}], output ${num(m.bytes / n / 1024)} KiB/image`);
  }
  const [oursM, directM, oneM] = methods.map((m) => median(m.times)) as [number, number, number];
  const vsDirect = oursM / directM;
  const vsOne = oursM / oneM;
  console.log(`  ours / sharp direct = ${ratio(vsDirect)}; ours / sharp direct one decode = ${ratio(vsOne)}`);
  summary.add({ what: `thumbs, ${n} × 24 MP JPEG, 3 variants`, value: per(oursM), ratio: `${ratio(vsDirect)} sharp`, target: '≤ 1.2× sharp direct', ok: vsDirect <= 1.2 });
  summary.add({ what: 'thumbs, time per 24 MP image', value: per(oursM), ratio: '', target: '< 500 ms', ok: oursM / n < 0.5 });
}

async function main(): Promise<void> {
  const args = benchArgs('node dist/bench/thumbs-bench.js [--files N] [--runs R] [--sharp-threads T] [--keep]', {
    files: { default: 8, min: 1 }, runs: { default: 3, min: 1 }, 'sharp-threads': { default: 0, min: 0 },
  }, ['keep']);
  const workDir = freshDir(tmpdir(), 'vss-thumbs-bench-');
  const summary = new Summary();
  process.once('SIGINT', () => { if (!args.keep) rmrf(workDir); process.exit(130); });
  console.log(`vss thumbnail benchmark: node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${num(totalmem() / 1024 ** 3)} GiB RAM`);
  console.log(`  work dir ${workDir}${args.keep ? ' (kept)' : ' (removed at the end)'}; page cache warm throughout`);
  const started = Date.now();
  try {
    await runThumbsBench({ files: args.files, runs: args.runs, sharpThreads: args['sharp-threads'], keep: args.keep, workDir, summary });
  } finally {
    if (!args.keep) rmrf(workDir);
  }
  console.log(`\n== Summary (${secs((Date.now() - started) / 1000)} in all) ==`);
  summary.print();
}

runMain(import.meta.url, main);
