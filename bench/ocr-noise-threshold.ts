/**
 * `node dist/bench/ocr-noise-threshold.js [--cache DIR] [--lines]`
 *
 * Which OCR lines search should index (src/search/ocr-text.ts). Every image and PDF in
 * ../shared/fixtures is read by the `ocr` generator (as a deep scan reads it), then each candidate
 * line-confidence threshold is applied, with and without the rule that a line needs letters or
 * digits. Per threshold:
 * - ground-truth words findable: over the files with a ground truth (`*.gt.txt`; a text-layer PDF's
 *   own text is its ground truth), the distinct words of it still in the indexed lines, split and
 *   folded as the FTS tokenizer does; and which of those findable with no rule are lost;
 * - lines of those files dropped, holding none of the ground truth's words (noise) or some;
 * - photo lines and words still indexed: the photos have no legible text, so every line read in
 *   them is noise.
 *
 *   --cache DIR   keep each file's OCR JSON in DIR and reuse it on the next run
 *   --lines       also print every line read, with its confidence
 *
 * A measurement of the rule, not a timing: rerun it when the OCR engine or its settings change.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { closeOcrEngine, ocrGenerator } from '../src/generators/ocr/ocr-generator.js';
import type { OcrJson } from '../src/generators/ocr/ocr-json.js';
import type { GeneratedOutput } from '../src/generators/types.js';
import { MIN_OCR_LINE_CHARS, MIN_OCR_LINE_CONFIDENCE, searchedLines, type OcrLineRule } from '../src/search/ocr-text.js';
import { generatorContext } from '../test/generator-context.js';
import { FIXTURES } from '../test/helpers.js';
import { runMain } from './util.js';

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
const THRESHOLDS = [0, 0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9];

interface Case { rel: string; gt: string | null; json: OcrJson }

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
  return out;
}

function mimeOf(path: string): string | undefined {
  return MIMES[path.slice(path.lastIndexOf('.')).toLowerCase()];
}

async function ocrOf(path: string, mime: string, cache: string | undefined): Promise<OcrJson> {
  const cached = cache ? join(cache, `${relative(FIXTURES, path).replace(/\//g, '__')}.json`) : undefined;
  if (cached && existsSync(cached)) return JSON.parse(readFileSync(cached, 'utf8')) as OcrJson;
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

interface Measure {
  found: number;
  gtWords: number;
  /** Ground-truth words findable with no rule, not with this one. */
  lost: string[];
  /** OCR lines of the files with a ground truth: dropped holding none of its words, dropped holding some, all. */
  noiseDropped: number;
  textDropped: number;
  ocrLines: number;
  photoLines: number;
  photoWords: number;
  photoAll: number;
}

const NO_RULE: OcrLineRule = { minConfidence: 0, minLetters: 0 };

function measure(cases: readonly Case[], rule: OcrLineRule): Measure {
  const m: Measure = { found: 0, gtWords: 0, lost: [], noiseDropped: 0, textDropped: 0, ocrLines: 0, photoLines: 0, photoWords: 0, photoAll: 0 };
  for (const c of cases) {
    const kept = c.json.pages.flatMap((p) => searchedLines(p, rule));
    const ocrPages = c.json.pages.filter((p) => p.source === 'ocr');
    const ocrLines = ocrPages.reduce((n, p) => n + p.blocks.length, 0);
    if (c.gt === null) {
      m.photoLines += kept.length;
      m.photoWords += words(kept.join('\n')).length;
      m.photoAll += ocrLines;
      continue;
    }
    const reference = new Set(words(c.gt === 'text-layer' ? c.json.text : readFileSync(join(FIXTURES, c.gt), 'utf8')));
    const have = new Set(words(kept.join('\n')));
    const before = new Set(words(c.json.pages.flatMap((p) => searchedLines(p, NO_RULE)).join('\n')));
    for (const w of reference) {
      if (have.has(w)) m.found++;
      else if (before.has(w)) m.lost.push(w);
    }
    m.gtWords += reference.size;
    m.ocrLines += ocrLines;
    for (const p of ocrPages) {
      const keptHere = searchedLines(p, rule);
      // Lines are compared in order: the kept ones are a subsequence of the page's blocks.
      let k = 0;
      for (const b of p.blocks) {
        if (k < keptHere.length && keptHere[k] === b.text) { k++; continue; }
        if (words(b.text).some((w) => reference.has(w))) m.textDropped++;
        else m.noiseDropped++;
      }
    }
  }
  return m;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { cache: { type: 'string' }, lines: { type: 'boolean' } } });
  if (values.cache) mkdirSync(values.cache, { recursive: true });
  const cases: Case[] = [];
  try {
    for (const path of fixtureFiles()) {
      const rel = relative(FIXTURES, path);
      const json = await ocrOf(path, mimeOf(path)!, values.cache);
      cases.push({ rel, gt: groundTruthOf(rel), json });
    }
  } finally {
    await closeOcrEngine();
  }

  console.log('| file | ground truth | pages | lines read (OCR) | lowest / median line confidence |');
  console.log('|---|---|---|---|---|');
  for (const c of cases) {
    const conf = c.json.pages.filter((p) => p.source === 'ocr').flatMap((p) => p.blocks.map((b) => b.confidence)).sort((a, b) => a - b);
    const stats = conf.length === 0 ? '—' : `${conf[0]!.toFixed(2)} / ${conf[conf.length >> 1]!.toFixed(2)}`;
    console.log(`| ${c.rel} | ${c.gt === null ? 'photo (no text)' : c.gt === 'text-layer' ? 'its text layer' : c.gt.split('/').at(-1)} | ${c.json.pages.length} | ${conf.length} | ${stats} |`);
  }
  if (values.lines) {
    for (const c of cases) {
      console.log(`\n${c.rel}`);
      for (const p of c.json.pages) for (const b of p.blocks) console.log(`  p${p.page} ${p.source} ${b.confidence.toFixed(2)}  ${JSON.stringify(b.text)}`);
    }
  }

  console.log('\n| min line confidence | letters/digits a line needs | ground-truth words findable | lost (vs no rule) | OCR lines of text files dropped: noise / holding a ground-truth word (of all) | photo lines indexed | photo words indexed |');
  console.log('|---|---|---|---|---|---|---|');
  for (const minLetters of [0, MIN_OCR_LINE_CHARS]) {
    for (const t of THRESHOLDS) {
      const m = measure(cases, { minConfidence: t, minLetters });
      const chosen = t === MIN_OCR_LINE_CONFIDENCE && minLetters === MIN_OCR_LINE_CHARS ? ' (chosen)' : '';
      const lost = m.lost.length === 0 ? '0' : m.lost.length <= 12 ? `${m.lost.length}: ${m.lost.join(' ')}` : String(m.lost.length);
      console.log(`| ${t.toFixed(2)}${chosen} | ${minLetters} | ${m.found}/${m.gtWords} (${(100 * m.found / m.gtWords).toFixed(1)}%) | ${lost} | ${m.noiseDropped} / ${m.textDropped} (of ${m.ocrLines}) | ${m.photoLines}/${m.photoAll} | ${m.photoWords} |`);
    }
  }
}

runMain(import.meta.url, main);
