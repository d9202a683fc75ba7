/**
 * `node dist/bench/motion-xmp-bench.js [--runs R]`
 *
 * Where a motion photo's movie is, read two ways from the real Google Pixel motion photo:
 *   (a) vss: the JPEG's XMP segment (bounded reads) parsed by saxes, then the declaration checked
 *   (b) anchor: ExifTool (exiftool-vendored, a warm -stay_open process), the tags of the file
 * ExifTool already reads media metadata at indexing time; this is why the generator does not ask it
 * again per job. Also: saxes alone on the packet, in µs.
 */
import { closeSync, fstatSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, HAVE_FIXTURES } from '../test/helpers.js';
import { readJpegXmp } from '../src/generators/motion-photo/jpeg-xmp.js';
import { locateEmbeddedVideo } from '../src/generators/motion-photo/locate.js';
import { readXmpMotion } from '../src/generators/motion-photo/xmp-motion.js';
import { Summary, benchArgs, num, ratio, runMain } from './util.js';

async function main(): Promise<void> {
  const args = benchArgs('node dist/bench/motion-xmp-bench.js [--runs R]', { runs: { default: 2000, min: 10 } }, []);
  if (!HAVE_FIXTURES) {
    console.log('no ../shared/fixtures: nothing to measure');
    return;
  }
  const file = join(FIXTURES, 'livephoto/google-pixel/PXL_20200710_061629144.MP.jpg');
  const fd = openSync(file, 'r');
  const size = fstatSync(fd).size;
  const xmp = readJpegXmp(fd, size)!;
  const perCall = (fn: () => unknown, n: number) => {
    for (let i = 0; i < Math.min(200, n); i++) fn();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn();
    return (performance.now() - t0) / n;
  };
  const parseMs = perCall(() => readXmpMotion(xmp), args.runs);
  const locateMs = perCall(() => locateEmbeddedVideo(fd, size), args.runs);
  closeSync(fd);

  const { ExifTool } = await import('exiftool-vendored');
  const et = new ExifTool({ maxProcs: 1 });
  let exifMs: number;
  try {
    await et.read(file);
    const n = Math.max(10, Math.round(args.runs / 40));
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await et.read(file);
    exifMs = (performance.now() - t0) / n;
  } finally {
    await et.end();
  }
  console.log(`XMP packet ${xmp.length} bytes; saxes parse ${num(parseMs * 1000)} µs; locate (reads + parse + checks) ${num(locateMs * 1000)} µs; ExifTool read ${num(exifMs)} ms`);
  const summary = new Summary();
  summary.add({ what: 'locate the movie (saxes)', value: `${num(locateMs * 1000)} µs`, ratio: `${ratio(locateMs / exifMs)} ExifTool`, target: '', ok: null });
  summary.add({ what: 'anchor: ExifTool read (warm)', value: `${num(exifMs)} ms`, ratio: '', target: '', ok: null });
  summary.print();
}

runMain(import.meta.url, main);
