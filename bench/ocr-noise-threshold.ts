/**
 * `node dist/bench/ocr-noise-threshold.js [--cache DIR] [--lines]`
 *
 * Which OCR lines search should index (src/search/ocr-text.ts). Every image and PDF in
 * ../shared/fixtures is read by the `ocr` generator (as a deep scan reads it), and so are worse
 * copies of the scans with a ground truth (ocr-degraded-scans.ts: downscaled, blurred, JPEG,
 * noise, turned, a phone-photo mix), made at run time in a temporary folder: the fixtures' own
 * scans are read at 0.74 or more, so only the worse copies show what a threshold costs on text
 * read less surely. Then each candidate line-confidence threshold is applied, with the rule's
 * letters-or-digits minimum. Per threshold:
 * - ground-truth words findable, and lost (findable with no rule at all, not with this one): the
 *   distinct words of each ground truth (`*.gt.txt`), split and folded as the FTS tokenizer does,
 *   in the lines kept. OCR pages only: a PDF's text layer is never filtered, so it is left out.
 *   Each ground truth is counted once per set: the clean set reads one scan of it (the others,
 *   turned or rescanned copies of the same text, are listed but not counted), each degraded set
 *   one worse copy of that scan;
 * - noise lines kept: the scans' lines holding no word of their ground truth, and every line read
 *   in the photos (they have no legible text), as they are and in the worse copies sharing makes
 *   of them (downscaled, JPEG, the phone mix: more noise to judge by than the 11 photos give).
 *
 *   --cache DIR   keep each OCR JSON in DIR and reuse it on the next run
 *   --lines       also print every line read, with its confidence
 *
 * A measurement of the rule, not a timing: rerun it when the OCR engine or its settings change.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { closeOcrEngine, ocrGenerator } from '../src/generators/ocr/ocr-generator.js';
import type { OcrJson } from '../src/generators/ocr/ocr-json.js';
import { DEFAULT_IMAGE_LIMITS, openImage } from '../src/generators/ocr/image-input.js';
import { PDF_OCR_DPI } from '../src/generators/ocr/pdf-pages.js';
import { renderPdfPagesGray } from '../src/generators/pdf/render-page.js';
import type { GeneratedOutput } from '../src/generators/types.js';
import { MIN_OCR_LINE_CHARS, MIN_OCR_LINE_CONFIDENCE, isSearchedLine, type OcrLineRule } from '../src/search/ocr-text.js';
import { generatorContext } from '../test/generator-context.js';
import { FIXTURES } from '../test/helpers.js';
import { DEGRADATIONS, degrade, type Degradation } from './ocr-degraded-scans.js';
import { freshDir, rmrf, runMain, secs } from './util.js';

const MIMES: Record<string, string> = {
  '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.tif': 'image/tiff', '.tiff': 'image/tiff',
  '.heic': 'image/heic', '.pdf': 'application/pdf',
};
/** The fixture folders holding images or PDFs. */
const DIRS = ['ocr', 'pdf', 'exif', 'livephoto'];
/** Files whose ground truth is another file's (the same text, turned). */
const SHARED_GT: Record<string, string> = {
  'ocr/tesseract-test/phototest-rotated-R.png': 'ocr/tesseract-test/phototest.gt.txt',
  'pdf/scanned/ocrmypdf-cardinal.pdf': 'pdf/scanned/ocrmypdf-linn.gt.txt',
};
/** The scan counted (and degraded) for its ground truth where several files hold the same text. */
const COUNTED_FIRST = ['ocr/tesseract-test/phototest.tif', 'ocr/tesseract.js/simple.png', 'pdf/scanned/ocrmypdf-linn.pdf'];
/** Pages of the PDF scans rendered for their worse copies, at most (the linn brochure has one). */
const PDF_PAGES_DEGRADED = 1;
/** What sharing a photo does to it: its worse copies read too, for more noise lines to judge by. */
const PHOTO_DEGRADATIONS = ['half', 'jpeg', 'phone'];
const THRESHOLDS = [0, 0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9];
/** Thresholds shown per degraded set. */
const PER_SET = [0.4, 0.5, 0.6, 0.7, 0.8];

interface Case {
  /** The fixture, or `<fixture> [degradation]`. */
  rel: string;
  /** The ground truth's file; 'text-layer' for a born-digital PDF; null for a photo. */
  gt: string | null;
  /** The set it counts in: 'clean', a degradation's name, or null (not counted: another copy of a counted ground truth, or a text layer). */
  set: string | null;
  json: OcrJson;
}

/** Words as the FTS tokenizer (unicode61 remove_diacritics) finds them: runs of letters and digits, case and accents folded. */
function words(text: string): string[] {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

function fixtureFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (mimeOf(p)) out.push(p);
    }
  };
  for (const d of DIRS) if (existsSync(join(FIXTURES, d))) walk(join(FIXTURES, d));
  const first = (p: string) => { const i = COUNTED_FIRST.indexOf(relative(FIXTURES, p)); return i < 0 ? COUNTED_FIRST.length : i; };
  return out.sort((a, b) => first(a) - first(b));
}

function mimeOf(path: string): string | undefined {
  return MIMES[path.slice(path.lastIndexOf('.')).toLowerCase()];
}

async function ocrOf(path: string, key: string, cache: string | undefined): Promise<OcrJson> {
  const cached = cache ? join(cache, `${key.replace(/[/ []/g, '__').replace(/]/g, '')}.json`) : undefined;
  if (cached && existsSync(cached)) return JSON.parse(readFileSync(cached, 'utf8')) as OcrJson;
  const mime = mimeOf(path)!;
  const ctx = generatorContext({ path, kind: mime === 'application/pdf' ? 'document' : 'image', mime, variants: ['default'], timeoutMs: 600_000 });
  try {
    const out = (await ocrGenerator.generate(ctx))[0] as Extract<GeneratedOutput, { data: Buffer }>;
    if (cached) writeFileSync(cached, out.data);
    return JSON.parse(out.data.toString('utf8')) as OcrJson;
  } finally {
    ctx.cleanup();
  }
}

/** The ground truth's file, 'text-layer' for a born-digital PDF, null for a photo. */
function groundTruthOf(rel: string): string | null {
  if (SHARED_GT[rel]) return SHARED_GT[rel];
  const gt = rel.replace(/\.[^.]+$/, '.gt.txt');
  if (existsSync(join(FIXTURES, gt))) return gt;
  return rel.startsWith('pdf/') ? 'text-layer' : null;
}

/**
 * Worse copies of the file at REL, written into DIR: of a scan (an image, or a PDF's page rendered
 * as the generator renders it) every degradation; of a photo those that sharing one does
 * (PHOTO_DEGRADATIONS), read through the generator's own decoder (HEIC too).
 */
async function degradedCopies(rel: string, photo: boolean, dir: string): Promise<Array<{ name: string; degradation: Degradation; path: string }>> {
  const src = join(FIXTURES, rel);
  const mime = mimeOf(src)!;
  const base = rel.replace(/[/.]/g, '_');
  let input: string | { gray: Buffer; width: number; height: number } = src;
  if (mime === 'application/pdf') {
    const r = await renderPdfPagesGray(src, [0], { maxEdge: 4200, maxDpi: PDF_OCR_DPI, signal: new AbortController().signal, timeoutMs: 120_000 });
    if (r.pageCount > PDF_PAGES_DEGRADED) throw new Error(`${rel}: ${r.pageCount} pages; only ${PDF_PAGES_DEGRADED} would be degraded, so its ground truth would not match`);
    input = r.pages[0]!;
  } else if (photo) {
    input = await (await openImage(src, mime, DEFAULT_IMAGE_LIMITS, { signal: new AbortController().signal, timeoutMs: 120_000 })).page(0);
  }
  const out: Array<{ name: string; degradation: Degradation; path: string }> = [];
  for (const d of DEGRADATIONS) {
    if (photo && !PHOTO_DEGRADATIONS.includes(d.name)) continue;
    const path = join(dir, `${base}.${d.name}.${d.jpeg !== undefined ? 'jpg' : 'png'}`);
    out.push({ name: d.name, degradation: d, path: await degrade(input, d, path) });
  }
  return out;
}

interface Measure {
  gtWords: number;
  /** Ground-truth words findable with this rule, and with no rule at all. */
  found: number;
  read: number;
  lost: string[];
  /** Scans' lines holding no ground-truth word: kept, all. */
  scanNoise: number;
  scanNoiseAll: number;
  photoLines: number;
  photoAll: number;
}

const NO_RULE: OcrLineRule = { minConfidence: 0, minLetters: 0 };
const RULE: OcrLineRule = { minConfidence: MIN_OCR_LINE_CONFIDENCE, minLetters: MIN_OCR_LINE_CHARS };
const listed = (ws: string[]) => (ws.length === 0 ? '—' : ws.length <= 10 ? ws.join(' ') : `${ws.slice(0, 10).join(' ')} …`);

function ocrBlocks(json: OcrJson) {
  return json.pages.filter((p) => p.source === 'ocr').flatMap((p) => p.blocks.map((b) => ({ page: p, b })));
}

function measure(cases: readonly Case[], rule: OcrLineRule): Measure {
  const m: Measure = { gtWords: 0, found: 0, read: 0, lost: [], scanNoise: 0, scanNoiseAll: 0, photoLines: 0, photoAll: 0 };
  for (const c of cases) {
    const blocks = ocrBlocks(c.json);
    if (c.gt === null) {
      m.photoAll += blocks.length;
      m.photoLines += blocks.filter(({ page, b }) => isSearchedLine(page, b, rule)).length;
      continue;
    }
    const reference = new Set(words(readFileSync(join(FIXTURES, c.gt), 'utf8')));
    const have = new Set(blocks.filter(({ page, b }) => isSearchedLine(page, b, rule)).flatMap(({ b }) => words(b.text)));
    const read = new Set(blocks.filter(({ page, b }) => isSearchedLine(page, b, NO_RULE)).flatMap(({ b }) => words(b.text)));
    for (const w of reference) {
      if (have.has(w)) m.found++;
      if (read.has(w)) m.read++;
      if (read.has(w) && !have.has(w)) m.lost.push(w);
    }
    m.gtWords += reference.size;
    for (const { page, b } of blocks) {
      if (words(b.text).some((w) => reference.has(w))) continue;
      m.scanNoiseAll++;
      if (isSearchedLine(page, b, rule)) m.scanNoise++;
    }
  }
  return m;
}

const pct = (a: number, b: number) => (b === 0 ? '—' : `${(100 * a / b).toFixed(1)}%`);
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length === 0 ? NaN : s[s.length >> 1]!; };

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { cache: { type: 'string' }, lines: { type: 'boolean' } } });
  if (values.cache) mkdirSync(values.cache, { recursive: true });
  const t0 = Date.now();
  const tmp = freshDir(tmpdir(), 'vss-ocr-noise-');
  const cases: Case[] = [];
  const countedGt = new Set<string>();
  try {
    for (const path of fixtureFiles()) {
      const rel = relative(FIXTURES, path);
      const gt = groundTruthOf(rel);
      const gtText = gt !== null && gt !== 'text-layer' ? words(readFileSync(join(FIXTURES, gt), 'utf8')).join(' ') : undefined;
      const counted = gtText !== undefined && !countedGt.has(gtText);
      if (counted) countedGt.add(gtText);
      cases.push({ rel, gt, set: gt === null ? 'photo' : counted ? 'clean' : null, json: await ocrOf(path, rel, values.cache) });
      if (!counted && gt !== null) continue;
      for (const copy of await degradedCopies(rel, gt === null, tmp)) {
        // The cache key holds the degradation's settings, so a changed one is read again.
        const key = `${rel} [${copy.name} ${createHash('sha256').update(JSON.stringify(copy.degradation)).digest('hex').slice(0, 8)}]`;
        cases.push({ rel: `${rel} [${copy.name}]`, gt, set: gt === null ? 'photo' : copy.name, json: await ocrOf(copy.path, key, values.cache) });
      }
    }
  } finally {
    await closeOcrEngine();
    rmrf(tmp);
  }
  const took = (Date.now() - t0) / 1000;

  console.log('| file | ground truth | counted in | pages | lines read (OCR) | lowest / median line confidence |');
  console.log('|---|---|---|---|---|---|');
  for (const c of cases) {
    const conf = ocrBlocks(c.json).map(({ b }) => b.confidence).sort((a, b) => a - b);
    const stats = conf.length === 0 ? '—' : `${conf[0]!.toFixed(2)} / ${median(conf).toFixed(2)}`;
    const gt = c.gt === null ? 'photo (no text)' : c.gt === 'text-layer' ? 'its text layer' : c.gt.split('/').at(-1);
    const set = c.set ?? (c.gt === 'text-layer' ? '— (text layer: never filtered)' : '— (another copy of a counted ground truth)');
    console.log(`| ${c.rel} | ${gt} | ${set} | ${c.json.pages.length} | ${conf.length} | ${stats} |`);
  }
  if (values.lines) {
    for (const c of cases) {
      console.log(`\n${c.rel}`);
      for (const p of c.json.pages) for (const b of p.blocks) console.log(`  p${p.page} ${p.source} ${b.confidence.toFixed(2)}  ${JSON.stringify(b.text)}`);
    }
  }

  const clean = cases.filter((c) => c.set === 'clean');
  const degraded = cases.filter((c) => c.set !== null && c.set !== 'clean' && c.set !== 'photo');
  const photos = cases.filter((c) => c.set === 'photo');
  const scans = [...clean, ...degraded];

  console.log(`\nDegraded sets (each: one worse copy of each of the ${clean.length} counted scans: ${clean.map((c) => c.rel.split('/').at(-1)).join(', ')}):`);
  console.log(`| set | what | lines read | median line confidence | lines holding a ground-truth word at 0.4–0.8 | ground-truth words read (no rule) | lost at ${PER_SET.map((t) => t.toFixed(1)).join(' / ')} | lost at ${MIN_OCR_LINE_CONFIDENCE} |`);
  console.log('|---|---|---|---|---|---|---|---|');
  for (const set of ['clean', ...new Set(degraded.map((c) => c.set!))]) {
    const cs = cases.filter((c) => c.set === set);
    const lines = cs.flatMap((c) => { const ref = new Set(words(readFileSync(join(FIXTURES, c.gt!), 'utf8'))); return ocrBlocks(c.json).map(({ b }) => ({ b, text: words(b.text).some((w) => ref.has(w)) })); });
    const band = lines.filter((l) => l.text && l.b.confidence >= 0.4 && l.b.confidence < 0.8).length;
    const base = measure(cs, NO_RULE);
    const what = DEGRADATIONS.find((d) => d.name === set)?.what ?? 'the fixtures as they are';
    console.log(`| ${set} | ${what} | ${lines.length} | ${median(lines.map((l) => l.b.confidence)).toFixed(2)} | ${band} of ${lines.filter((l) => l.text).length} | ${base.read}/${base.gtWords} | ${PER_SET.map((t) => measure(cs, { minConfidence: t, minLetters: MIN_OCR_LINE_CHARS }).lost.length).join(' / ')} | ${listed(measure(cs, RULE).lost)} |`);
  }

  const noise = photos.flatMap((c) => ocrBlocks(c.json).filter(({ page, b }) => isSearchedLine(page, b, { minConfidence: 0, minLetters: MIN_OCR_LINE_CHARS })).map(({ b }) => b))
    .sort((a, b) => b.confidence - a.confidence);
  console.log(`\nThe photos' lines with ${MIN_OCR_LINE_CHARS} letters or digits or more (with their copies), by confidence: ${noise.map((b) => `${b.confidence.toFixed(2)} ${JSON.stringify(b.text)}`).join(', ')}`);

  console.log(`\nPer threshold, with the rule's minimum of ${MIN_OCR_LINE_CHARS} letters or digits a line (the first row: no rule at all). "Lost": findable with no rule, not with this one.`);
  console.log('| min line confidence | clean scans: ground-truth words findable (lost) | degraded copies: findable (lost) | degraded: share of the words read kept | scans\' noise lines kept | photos\' lines kept | their copies\' lines kept |');
  console.log('|---|---|---|---|---|---|---|');
  const row = (label: string, rule: OcrLineRule) => {
    const c = measure(clean, rule);
    const d = measure(degraded, rule);
    const s = measure(scans, rule);
    const p = measure(photos.filter((x) => !x.rel.includes(' [')), rule);
    const pc = measure(photos.filter((x) => x.rel.includes(' [')), rule);
    console.log(`| ${label} | ${c.found}/${c.gtWords} (${c.lost.length}${c.lost.length > 0 && c.lost.length <= 6 ? `: ${c.lost.join(' ')}` : ''}) | ${d.found}/${d.gtWords} (${d.lost.length}) | ${pct(d.found, d.read)} | ${s.scanNoise}/${s.scanNoiseAll} | ${p.photoLines}/${p.photoAll} | ${pc.photoLines}/${pc.photoAll} |`);
  };
  row('no rule', NO_RULE);
  for (const t of THRESHOLDS) row(`${t.toFixed(2)}${t === MIN_OCR_LINE_CONFIDENCE ? ' (chosen)' : ''}`, { minConfidence: t, minLetters: MIN_OCR_LINE_CHARS });
  console.log(`\n${cases.length} readings in ${secs(took)}${values.cache ? ` (cache: ${values.cache})` : ''}`);
}

runMain(import.meta.url, main);
