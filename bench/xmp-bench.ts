/**
 * `npm run bench:xmp [-- --files N] [--runs R]`
 *
 * XMP sidecars read and written, each against a bare parse of the same files in the same run:
 *   read:  readFile + readXmpSidecar   vs  readFile + saxes parse (xmlns on, no handlers)
 *   write: readFile + writeXmpSidecar + writeFile   vs  readFile + xmldom parse + serialize + writeFile
 * The read anchor is saxes because readXmpSidecar is saxes plus handlers: the ratio is what reading
 * XMP costs over the parse it cannot do without (namespace resolution included, since properties are
 * matched by URI). The write anchor is xmldom for the same reason (writeXmpSidecar is a saxes read of
 * the old text, an xmldom parse, DOM edits, serialize, and a saxes read back of the new text).
 *
 * The corpus: N generated sidecars (default 10k) of realistic shapes and sizes, 1–25 KB: digiKam
 * (Exiv2, with padding), darktable with 4–40 history items, Lightroom with develop settings, exiftool.
 * Each is written with values that differ from the file's, so every write goes through the DOM; the
 * unchanged case (a file already saying it) is reported too. Timing is CPU time (process.cpuUsage) of
 * this process; the median of R rounds, the two sides alternating. Target (issue 20): read ≤ 2× the bare parse.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { SaxesParser } from 'saxes';
import { readXmpSidecar } from '../src/media/xmp/xmp-sidecar-read.js';
import { writeXmpSidecar, type XmpSidecarWrite } from '../src/media/xmp/xmp-sidecar-write.js';
import { DIGIKAM, EXIFTOOL, LIGHTROOM, darktableSidecar } from '../src/media/xmp/xmp-samples.test-data.js';
import { mulberry32 } from './mulberry32.js';
import { Summary, benchArgs, collectGarbage, freshDir, median, num, ratio, rmrf, runMain } from './util.js';

const WORDS = ['Dubrovnik', 'Split', 'harbour', 'sunset', 'Ana', 'Marko', 'family', 'boat', 'old town', 'wall', 'sea', 'island', 'market', 'church', 'night'];

/** One sidecar of a tool's shape, its keywords varied, its size spread over the real range. */
function sidecar(i: number, rand: () => number): string {
  const pick = () => WORDS[Math.floor(rand() * WORDS.length)]!;
  const kind = rand();
  if (kind < 0.3) {
    return DIGIKAM.replace(/Dubrovnik/g, pick()).replace(/Ana/g, pick());
  }
  if (kind < 0.6) return darktableSidecar(4 + Math.floor(rand() * 36)).replace('old town', pick());
  if (kind < 0.9) {
    // Lightroom with more develop settings, as an edited raw has (tone curves, HSL, local corrections).
    const extra = Array.from({ length: 20 + Math.floor(rand() * 200) }, (_, n) => `   crs:Setting${n}="${(rand() * 100).toFixed(2)}"`).join('\n');
    return LIGHTROOM.replace('   crs:HasSettings="True">', `${extra}\n   crs:HasSettings="True">`).replace(/Dubrovnik/g, pick());
  }
  return EXIFTOOL.replace('harbour', `${pick()} ${i}`);
}

function cpuMs(fn: () => void): number {
  collectGarbage();
  const t0 = process.cpuUsage();
  fn();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
}

async function main(): Promise<void> {
  const args = benchArgs('node dist/bench/xmp-bench.js [--files N] [--runs R]', { files: { default: 10_000, min: 10 }, runs: { default: 5, min: 1 } }, []);
  const root = freshDir(tmpdir(), 'vss-xmp-bench-');
  try {
    const rand = mulberry32(20);
    const inDir = join(root, 'in');
    const outDir = join(root, 'out');
    mkdirSync(inDir);
    mkdirSync(outDir);
    const paths: string[] = [];
    let bytes = 0;
    let min = Infinity;
    let max = 0;
    for (let i = 0; i < args.files; i++) {
      const text = sidecar(i, rand);
      const path = join(inDir, `IMG_${i}.CR2.xmp`);
      writeFileSync(path, text);
      paths.push(path);
      bytes += text.length;
      min = Math.min(min, text.length);
      max = Math.max(max, text.length);
    }
    console.log(`${args.files} sidecars, ${num(bytes / args.files / 1024)} KB on average (${num(min / 1024)}–${num(max / 1024)} KB), ${num(bytes / 1024 / 1024)} MiB in all`);

    const texts = paths.map((p) => readFileSync(p, 'utf8'));
    const m = (i: number): XmpSidecarWrite => ({ rating: 1 + (i % 5), label: 'Green', keywords: ['vss', WORDS[i % WORDS.length]!], hierarchical: [['Places', 'Croatia', WORDS[i % WORDS.length]!], ['vss']] });
    const written = texts.map((t, i) => writeXmpSidecar(t, m(i)));

    const bareSaxes = (text: string) => new SaxesParser({ xmlns: true }).write(text).close();
    const read = (text: string) => {
      const r = readXmpSidecar(text);
      if (!r.ok) throw new Error(r.reason);
    };
    const xmldomRoundTrip = (text: string) => new XMLSerializer().serializeToString(new DOMParser().parseFromString(text, 'text/xml'));

    const sides = {
      readFiles: () => { for (const p of paths) read(readFileSync(p, 'utf8')); },
      bareReadFiles: () => { for (const p of paths) bareSaxes(readFileSync(p, 'utf8')); },
      readMemory: () => { for (const t of texts) read(t); },
      bareMemory: () => { for (const t of texts) bareSaxes(t); },
      xmldomParse: () => { for (const t of texts) new DOMParser().parseFromString(t, 'text/xml'); },
      writeFiles: () => paths.forEach((p, i) => writeFileSync(join(outDir, `${i}.xmp`), writeXmpSidecar(readFileSync(p, 'utf8'), m(i)))),
      bareWriteFiles: () => paths.forEach((p, i) => writeFileSync(join(outDir, `${i}.xmp`), xmldomRoundTrip(readFileSync(p, 'utf8')))),
      writeUnchanged: () => written.forEach((t, i) => writeXmpSidecar(t, m(i))),
      bareUnchanged: () => written.forEach((t) => xmldomRoundTrip(t)),
    };
    type Side = keyof typeof sides;
    const times = Object.fromEntries(Object.keys(sides).map((k) => [k, [] as number[]])) as Record<Side, number[]>;
    for (const side of Object.keys(sides) as Side[]) sides[side](); // warm-up
    for (let r = 0; r < args.runs; r++) {
      const order = Object.keys(sides) as Side[];
      if (r % 2 === 1) order.reverse();
      for (const side of order) times[side].push(cpuMs(sides[side]));
    }
    const med = (s: Side) => median(times[s]);
    const range = (a: Side, b: Side) => {
      const rs = times[a].map((t, i) => t / times[b][i]!).sort((x, y) => x - y);
      return `${num(rs[0]!)}–${num(rs[rs.length - 1]!)}`;
    };
    const summary = new Summary();
    const row = (what: string, a: Side, b: Side, target?: number) => summary.add({
      what, value: `${num(med(a))} ms`, ratio: `${ratio(med(a) / med(b))} (${range(a, b)})`,
      target: target === undefined ? '' : `≤ ${target}× bare parse`, ok: target === undefined ? null : med(a) / med(b) <= target,
    });
    row(`read ${args.files} files (readXmpSidecar)`, 'readFiles', 'bareReadFiles', 2);
    row('  anchor: read files + saxes parse', 'bareReadFiles', 'bareReadFiles');
    row('read, texts in memory', 'readMemory', 'bareMemory', 2);
    row('  anchor: saxes parse in memory', 'bareMemory', 'bareMemory');
    row('  (xmldom parse in memory, vs saxes)', 'xmldomParse', 'bareMemory');
    row(`write ${args.files} files (read+modify+serialize)`, 'writeFiles', 'bareWriteFiles');
    row('  anchor: read + xmldom parse+serialize + write', 'bareWriteFiles', 'bareWriteFiles');
    row('write, file already says it (in memory)', 'writeUnchanged', 'bareUnchanged');
    console.log(`CPU time, median of ${args.runs} rounds (ratio range over rounds in brackets):`);
    summary.print();
  } finally {
    rmrf(root);
  }
}

runMain(import.meta.url, main);
