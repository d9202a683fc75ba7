/**
 * `node dist/bench/orientation-bench.js [--runs R]`
 *
 * How well and how fast pages are read whichever way up they are: the fixture scans, each also
 * turned by 90°, 180° and 270° with sharp, and the four pages of OCRmyPDF's cardinal.pdf (one
 * page at 0/90/180/270):
 *   osd             recognizeUpright: tesseract's orientation detection, then one read
 *   as-is           reading the page as it lies (what no orientation handling gives)
 *   anchor          reading the page already upright (the best any method can do, and its time)
 * The ink-profile heuristic that OSD replaced (src/generators/ocr/orientation.ts before it), run
 * as one more method page by page, 2 cores: anchor 52.5 s; osd 1.22×, 22/28 right, CER 0.17;
 * heuristic 1.88×, 19/28, CER 0.24; as-is 0.97×, 7/28, CER 0.44.
 * Reported per method: pages turned right, character error rate where a ground truth exists,
 * and time against the anchor. OSD's confidence on every page is printed, right or wrong.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { FIXTURES, HAVE_FIXTURES } from '../test/helpers.js';
import { closeOcrEngine, detectOrientation, type GrayImage } from '../src/generators/ocr/engine.js';
import { findLanguages, type LanguageData } from '../src/generators/ocr/languages.js';
import { recognizeUpright, rotate, type Rotation, type UprightResult } from '../src/generators/ocr/orientation.js';
import { characterErrorRate } from '../src/generators/ocr/text-metrics.js';
import { recognize } from '../src/generators/ocr/engine.js';
import { renderPdfPagesGray } from '../src/generators/pdf/render-page.js';
import { Summary, benchArgs, median, num, ratio, secs, runMain } from './util.js';

const signal = new AbortController().signal;

interface Page { name: string; upright: GrayImage; truth: string | undefined; turned: Rotation; image: GrayImage }

async function gray(path: string): Promise<GrayImage> {
  const { data, info } = await sharp(path).rotate().grayscale().extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  return { gray: data, width: info.width, height: info.height };
}

async function pages(): Promise<Page[]> {
  const ocr = join(FIXTURES, 'ocr');
  const sources: Array<{ name: string; file: string; truth?: string; uprightBy?: Rotation }> = [
    { name: 'phototest', file: join(ocr, 'tesseract-test/phototest.tif'), truth: join(ocr, 'tesseract-test/phototest.gt.txt') },
    { name: 'phototest-rotated-R', file: join(ocr, 'tesseract-test/phototest-rotated-R.png'), truth: join(ocr, 'tesseract-test/phototest.gt.txt'), uprightBy: 270 },
    { name: 'eurotext', file: join(ocr, 'tesseract-test/eurotext.tif'), truth: join(ocr, 'tesseract-test/eurotext.gt.txt') },
    { name: 'testocr', file: join(ocr, 'tesseract.js/testocr.png'), truth: join(ocr, 'tesseract.js/testocr.gt.txt') },
    { name: 'simple-90 (EXIF)', file: join(ocr, 'tesseract.js/simple-90.jpg'), truth: join(ocr, 'tesseract.js/simple-90.gt.txt') },
    { name: 'simple', file: join(ocr, 'tesseract.js/simple.png'), truth: join(ocr, 'tesseract.js/simple.gt.txt') },
  ];
  const out: Page[] = [];
  for (const s of sources) {
    const upright = await rotate(await gray(s.file), s.uprightBy ?? 0);
    const truth = s.truth ? readFileSync(s.truth, 'utf8') : undefined;
    for (const turned of [0, 90, 180, 270] as Rotation[]) out.push({ name: `${s.name} +${turned}°`, upright, truth, turned, image: await rotate(upright, turned) });
  }
  // cardinal.pdf: page 1 is upright, pages 2–4 turned by 90/180/270 (clockwise, as rendered).
  const cardinal = join(FIXTURES, 'pdf/scanned/ocrmypdf-cardinal.pdf');
  const rendered = await renderPdfPagesGray(cardinal, [0, 1, 2, 3], { maxEdge: 4200, maxDpi: 300, signal, timeoutMs: 120_000 });
  const first: GrayImage = rendered.pages[0]!;
  rendered.pages.forEach((p, i) => out.push({ name: `cardinal.pdf page ${i + 1}`, upright: first, truth: undefined, turned: ([0, 90, 180, 270] as Rotation[])[i]!, image: p }));
  return out;
}

function upright(turned: Rotation): Rotation {
  return ((360 - turned) % 360) as Rotation;
}

async function main(): Promise<void> {
  const args = benchArgs('node dist/bench/orientation-bench.js [--runs R]', { runs: { default: 1, min: 1 } }, []);
  if (!HAVE_FIXTURES) {
    console.log('no ../shared/fixtures: nothing to measure');
    return;
  }
  const langs = findLanguages(['eng']) as LanguageData[];
  const all = await pages();
  const summary = new Summary();
  // Warm both engines so start-up is not charged to the first page.
  await recognize(all[0]!.image, { langs, signal });
  await detectOrientation(all[0]!.image, signal);

  console.log('\n== OSD alone on every page at the size it is read (rotation it proposes, confidence) ==');
  for (const p of all) {
    const t0 = performance.now();
    const g = await detectOrientation(p.image, signal);
    const ms = performance.now() - t0;
    const verdict = g === undefined ? 'cannot tell' : g.rotation === upright(p.turned) ? 'right' : `WRONG (should be ${upright(p.turned)})`;
    console.log(`  ${p.name.padEnd(28)} ${g ? `${String(g.rotation).padStart(3)}° conf ${num(g.confidence).padStart(6)}` : '   –          '}  ${verdict}  ${num(ms)} ms`);
  }

  // Per page, the methods one after the other (not pass after pass), so a load that comes and goes
  // on the machine weighs on all of them alike.
  const methods: Record<string, (image: GrayImage, p: Page) => Promise<UprightResult>> = {
    anchor: async (image, p) => {
      const turned = await rotate(image, upright(p.turned));
      return { result: await recognize(turned, { langs, signal }), rotation: upright(p.turned), width: turned.width, height: turned.height };
    },
    osd: (image) => recognizeUpright(image, { langs, signal }),
    'as-is': async (image) => ({ result: await recognize(image, { langs, signal }), rotation: 0, width: image.width, height: image.height }),
  };
  const names = Object.keys(methods);
  const stats = new Map(names.map((m) => [m, { right: 0, cer: 0, ms: [] as number[] }]));
  let withTruth = 0;
  console.log(`\n== ${names.join(' / ')}: rotation chosen, CER, time ==`);
  for (const p of all) {
    if (p.truth) withTruth++;
    const line: string[] = [];
    for (const m of names) {
      const st = stats.get(m)!;
      const times: number[] = [];
      let r: UprightResult | undefined;
      for (let run = 0; run < args.runs; run++) {
        const t0 = performance.now();
        r = await methods[m]!(p.image, p);
        times.push(performance.now() - t0);
      }
      st.ms.push(median(times));
      const ok = r!.rotation === upright(p.turned);
      if (ok) st.right++;
      const c = p.truth ? characterErrorRate(r!.result.text, p.truth) : undefined;
      if (c !== undefined) st.cer += c;
      line.push(`${m} ${String(r!.rotation).padStart(3)}°${ok ? '' : ' WRONG'}${c === undefined ? '' : ` CER ${num(c)}`} ${secs(median(times) / 1000)}`);
    }
    console.log(`  ${p.name.padEnd(28)} ${line.join(' | ')}`);
  }
  const total = (m: string) => stats.get(m)!.ms.reduce((a, b) => a + b, 0);
  for (const m of names) {
    const st = stats.get(m)!;
    summary.add({ what: m, value: secs(total(m) / 1000), ratio: `${ratio(total(m) / total('anchor'))} anchor`, target: `${st.right}/${all.length} right, CER ${num(st.cer / withTruth)}`, ok: null });
  }
  await closeOcrEngine();
  console.log('\n== Summary ==');
  summary.print();
}

runMain(import.meta.url, main);
