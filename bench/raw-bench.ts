/**
 * `node dist/bench/raw-bench.js [--rounds R] [--files N] [--keep]`
 *
 * Camera RAW files (issue 45), on the real RAW files in ../shared/fixtures/raw/:
 *   1. Thumbnails from an embedded preview: the thumbnail generator (it asks ExifTool which
 *      previews the file has, extracts the largest, and makes the desktop variants grid@1x,
 *      grid@2x and detail@1x from one decode) against the anchor, ExifTool's extraction of the
 *      same preview (the tag known beforehand) and sharp's resize of it to the same variants,
 *      run directly in the same process. Both on a warm ExifTool. Target: ≤ 1.2×.
 *   2. A folder of N RAW files (default 100: the fixtures, each copy made a content of its own
 *      by a few bytes appended) deep-indexed through the CLI: index, then every job run. Target:
 *      0 failed jobs, and every RAW that embeds a preview has its thumbnails.
 */
import { appendFileSync, copyFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ExifTool } from 'exiftool-vendored';
import sharp from 'sharp';
import { configureSharp } from '../src/generators/tools/sharp-input.js';
import { thumbGenerator } from '../src/generators/thumb/thumb-generator.js';
import { thumbVariant } from '../src/generators/thumb/thumb-variants.js';
import { closeSharedExifTool, withExifTool } from '../src/media/shared-exiftool.js';
import { generatorContext } from '../test/generator-context.js';
import { FIXTURES, VSS_BIN } from '../test/helpers.js';
import { Summary, benchArgs, freshDir, median, ratio, rmrf, runMain, secs } from './util.js';
import { tmpdir } from 'node:os';

const VARIANTS = ['grid@1x', 'grid@2x', 'detail@1x'] as const;
const SPECS = VARIANTS.map((v) => thumbVariant(v)!).sort((a, b) => b.size - a.size);
const RAW_DIR = join(FIXTURES, 'raw');

/** The fixtures with a preview, and the tag of the largest (what the anchor is told). */
const WITH_PREVIEW: Array<[string, string]> = [
  ['nikon-d7100.NEF', 'JpgFromRaw'],
  ['canon-eos-r6.cr3', 'PreviewImage'],
  ['canon-eos-6d.dng', 'PreviewImage'],
];
const MIME: Record<string, string> = { nef: 'image/x-nikon-nef', cr3: 'image/x-canon-cr3', dng: 'image/x-adobe-dng', gpr: 'image/x-adobe-dng' };

/** The generator as a job runs it: with the metadata the deep scan read (null: as for a library an older vss read, ExifTool asked again). */
async function ours(path: string, metadata: Record<string, unknown> | null): Promise<number> {
  const ext = path.split('.').pop()!.toLowerCase();
  const ctx = generatorContext({ path, kind: 'image', mime: MIME[ext]!, variants: VARIANTS, metadata });
  try {
    const out = await thumbGenerator.generate(ctx);
    return out.reduce((n, o) => n + ('data' in o ? o.data.length : 0), 0);
  } finally {
    ctx.cleanup();
  }
}

/** The anchor: extract the known preview, decode it once to the largest variant, every variant from it. */
async function anchor(et: ExifTool, path: string, tag: string): Promise<number> {
  const jpeg = await et.extractBinaryTagToBuffer(tag as 'PreviewImage', path);
  const largest = SPECS[0]!.size;
  const { data, info } = await sharp(jpeg).resize({ width: largest, height: largest, fit: 'inside', withoutEnlargement: true }).raw().toBuffer({ resolveWithObject: true });
  let bytes = 0;
  for (const s of SPECS) {
    const out = await sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
      .resize({ width: s.size, height: s.size, fit: 'inside', withoutEnlargement: true }).webp({ quality: s.quality }).toBuffer();
    bytes += out.length;
  }
  return bytes;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
}

export async function runRawBench(o: { rounds: number; files: number; keep: boolean; summary: Summary }): Promise<void> {
  if (!existsSync(RAW_DIR)) {
    console.log(`\n== RAW: skipped, ${RAW_DIR} is absent ==`);
    return;
  }
  configureSharp();
  console.log(`\n== RAW thumbnails from the embedded preview: ${WITH_PREVIEW.map(([f]) => f).join(', ')}; variants ${VARIANTS.join(', ')}; median of ${o.rounds} rounds ==`);
  const et = new ExifTool({ maxProcs: 1 });
  try {
    await et.version();
    await withExifTool(async (r) => r.embeddedPreviews(join(RAW_DIR, WITH_PREVIEW[0]![0]))); // both ExifTools started
    const rows: Array<{ file: string; ours: number; anchor: number; unread: number }> = [];
    for (const [file, tag] of WITH_PREVIEW) {
      const path = join(RAW_DIR, file);
      const read = await withExifTool((r) => r.read(path, 'image'));
      if (!read.ok) throw new Error(`${file}: ${read.reason}`);
      const metadata = read.metadata as unknown as Record<string, unknown>;
      await ours(path, metadata);
      await ours(path, null);
      await anchor(et, path, tag);
      const a: number[] = [];
      const b: number[] = [];
      const c: number[] = [];
      // Interleaved, so drift in the machine's load falls on all alike.
      for (let i = 0; i < o.rounds; i++) {
        a.push(await time(() => ours(path, metadata)));
        b.push(await time(() => anchor(et, path, tag)));
        c.push(await time(() => ours(path, null)));
      }
      rows.push({ file, ours: median(a), anchor: median(b), unread: median(c) });
      const ms = (s: number) => `${(s * 1000).toFixed(1)} ms`;
      console.log(`  ${file.padEnd(20)} ours ${ms(median(a))} · anchor ${ms(median(b))} · ${ratio(median(a) / median(b))}   (without the scan's metadata, ExifTool asked first: ${ms(median(c))}, ${ratio(median(c) / median(b))})`);
    }
    const sumOurs = rows.reduce((n, r) => n + r.ours, 0);
    const sumAnchor = rows.reduce((n, r) => n + r.anchor, 0);
    o.summary.add({ what: `RAW thumbnails, ${rows.length} files, 3 variants`, value: `${(sumOurs * 1000).toFixed(0)} ms`, ratio: `${ratio(sumOurs / sumAnchor)} direct`, target: '≤ 1.2× ExifTool + sharp direct', ok: sumOurs / sumAnchor <= 1.2 });
  } finally {
    await et.end();
    await closeSharedExifTool();
  }
  await deepIndex(o);
}

/** N RAW files, each its own content, deep-indexed by the CLI; every job run, failures counted. */
async function deepIndex(o: { files: number; keep: boolean; summary: Summary }): Promise<void> {
  const work = freshDir(tmpdir(), 'vss-raw-bench-');
  const folder = join(work, 'raws');
  spawnSync('mkdir', ['-p', folder]);
  const sources = readdirSync(RAW_DIR).filter((f) => !f.endsWith('.md'));
  for (let i = 0; i < o.files; i++) {
    const src = sources[i % sources.length]!;
    const dot = src.lastIndexOf('.');
    const dest = join(folder, `${src.slice(0, dot)}-${String(i).padStart(3, '0')}${src.slice(dot)}`);
    copyFileSync(src.startsWith('/') ? src : join(RAW_DIR, src), dest);
    // A few bytes past the end make each copy a content of its own; every reader ignores them.
    appendFileSync(dest, Buffer.from(`vss-bench-${i}`));
  }
  const env = { ...process.env, VSS_DATA_DIR: join(work, 'data'), VSS_NO_DAEMON: '1' };
  const run = (args: string[]) => {
    const r = spawnSync(VSS_BIN, args, { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`vss ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  try {
    run(['library', 'create', 'raw-bench']);
    const t = performance.now();
    run(['location', 'add', folder, '--mode', 'deep']);
    run(['jobs', 'run', '--until-idle']);
    const s = (performance.now() - t) / 1000;
    const jobs = JSON.parse(run(['jobs', 'list', '--json'])) as Array<{ status: string }>;
    const failed = jobs.filter((j) => j.status === 'failed').length;
    const sidecars = JSON.parse(run(['sidecars', 'list', '--kind', 'thumb', '--json'])) as Array<{ status: string; variant: string }>;
    const ready = sidecars.filter((x) => x.status === 'ready' && x.variant === 'detail@1x').length;
    const withPreview = Array.from({ length: o.files }, (_, i) => sources[i % sources.length]!).filter((f) => !f.endsWith('.gpr')).length;
    console.log(`  ${o.files} RAW files deep-indexed (the default policy: thumbnails, faces, …) in ${secs(s)}: ${jobs.length} jobs, ${failed} failed; ${ready} of ${withPreview} with a preview have detail@1x`);
    o.summary.add({ what: `${o.files} RAW files deep-indexed`, value: secs(s), ratio: `${failed} failed`, target: '0 failures, every preview thumbnailed', ok: failed === 0 && ready === withPreview });
  } finally {
    if (!o.keep) rmrf(work);
  }
}

runMain(import.meta.url, async () => {
  const a = benchArgs('raw-bench [--rounds R] [--files N] [--keep]', { rounds: { default: 7, min: 1 }, files: { default: 100, min: 1 } }, ['keep']);
  const summary = new Summary();
  await runRawBench({ rounds: a.rounds, files: a.files, keep: a.keep, summary });
  console.log('\n== Summary ==');
  summary.print();
});
