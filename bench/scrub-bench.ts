/**
 * `npm run bench:scrub [-- --large N] [--small N] [--rate MBPS] [--runs R] [--keep]`
 * (or `npx tsc -p . && node dist/bench/scrub-bench.js …`)
 *
 * A scrub's read rate (issue 30 item 5) against a bare whole-file BLAKE3 read of the same files in
 * the same run: the files of one location (N large files of 16 MiB and N small of 64 KiB), page
 * cache warm for both, each measured R times, the median counts. Then the scrub throttled to
 * --rate MB/s, against that rate. Targets: unthrottled ≥ 90% of the bare read, throttled within
 * 10% of its rate.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blake3File } from '../src/core/file-blake3.js';
import { scrubLocation } from '../src/guardian/scrub.js';
import { Installation } from '../src/library/installation.js';
import { addLocation, scanLocation } from '../src/locations/locations.js';

const MB = 1_000_000;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const large = arg('large', 24);
  const small = arg('small', 2000);
  const rate = arg('rate', 100);
  const runs = arg('runs', 3);
  const work = join(tmpdir(), `vss-scrub-bench-${process.pid}`);
  const dir = join(work, 'files');
  mkdirSync(join(dir, 'small'), { recursive: true });
  const paths: string[] = [];
  let bytes = 0;
  const chunk = randomBytes(16 * 1024 * 1024);
  for (let i = 0; i < large; i++) {
    const p = join(dir, `large-${i}.bin`);
    chunk[0] = i; // each a content of its own
    writeFileSync(p, chunk);
    paths.push(p);
    bytes += chunk.length;
  }
  for (let i = 0; i < small; i++) {
    const p = join(dir, 'small', `s-${i}.bin`);
    const b = randomBytes(64 * 1024);
    writeFileSync(p, b);
    paths.push(p);
    bytes += b.length;
  }
  const vss = new Installation({ dataDir: join(work, 'data') });
  const lib = vss.createLibrary('Bench', work);
  try {
    const loc = addLocation(lib, dir, { mode: 'content' }).id;
    await scanLocation(lib, loc);
    console.log(`scrub bench: ${large} files of 16 MiB and ${small} of 64 KiB, ${(bytes / MB).toFixed(0)} MB, page cache warm, median of ${runs}`);

    const bare: number[] = [];
    const scrub: number[] = [];
    for (let r = 0; r < runs; r++) {
      let t = performance.now();
      for (const p of paths) await blake3File(p);
      bare.push(bytes / MB / ((performance.now() - t) / 1000));
      t = performance.now();
      const end = await scrubLocation(lib, loc, { rate: 0 });
      if (!end.done) throw new Error('the scrub did not finish');
      scrub.push(bytes / MB / ((performance.now() - t) / 1000));
    }
    const b = median(bare);
    const s = median(scrub);
    console.log(`  bare read + BLAKE3     ${b.toFixed(0).padStart(6)} MB/s`);
    console.log(`  scrub, no limit        ${s.toFixed(0).padStart(6)} MB/s   ${(100 * s / b).toFixed(0)}% of bare (target ≥ 90%)`);

    const t = performance.now();
    await scrubLocation(lib, loc, { rate: rate * MB });
    const throttled = bytes / MB / ((performance.now() - t) / 1000);
    console.log(`  scrub at ${rate} MB/s      ${throttled.toFixed(0).padStart(6)} MB/s   ${(100 * (throttled - rate) / rate).toFixed(1)}% off its rate (target within 10%)`);
  } finally {
    lib.close();
    if (!process.argv.includes('--keep')) rmSync(work, { recursive: true, force: true });
  }
}

await main();
