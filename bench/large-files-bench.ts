/**
 * Content identification of a few large files. Files up to the library's hash threshold (256 MiB
 * by default) are hashed whole: compared with reading them in 4 MiB chunks into a Blake3Hasher
 * with no database. A file above the threshold gets a sampled hash and should take milliseconds.
 */
import { closeSync, mkdirSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import { join } from 'node:path';
import { Blake3Hasher } from '@napi-rs/blake-hash';
import { hashFileForIdentity } from '../src/content/hash-file.js';
import { CAS_SAMPLED, CAS_WHOLE } from '../src/content/identity.js';
import { DEFAULT_HASH_THRESHOLD } from '../src/library/config.js';
import { disposeRun, indexFresh } from './fresh-index.js';
import { MiB, collectGarbage, mb, median, num, ratio, rmrf, secs, timeAsync, timeSync, type Summary } from './util.js';

export interface LargeFilesOptions {
  workDir: string;
  runs: number;
  keep: boolean;
  summary: Summary;
}

const WRITE_CHUNK = 8 * MiB;
const READ_CHUNK = 4 * MiB;

/** Whole-hashed: one exactly at the threshold, one a byte under, one not chunk-aligned. */
const WHOLE_SIZES = [DEFAULT_HASH_THRESHOLD, DEFAULT_HASH_THRESHOLD - 1, 240 * MiB + 12345];
/** Sampled: above the threshold. */
const SAMPLED_SIZE = 600 * MiB;

function writeRandomFile(path: string, size: number): void {
  const buf = Buffer.allocUnsafe(WRITE_CHUNK);
  const fd = openSync(path, 'w');
  try {
    let left = size;
    while (left > 0) {
      const n = Math.min(left, buf.length);
      randomFillSync(buf, 0, n);
      let off = 0;
      while (off < n) off += writeSync(fd, buf, off, n - off);
      left -= n;
    }
  } finally {
    closeSync(fd);
  }
}

/** The anchor: 4 MiB reads into one Blake3Hasher per file. */
function readAndHashChunked(path: string, buf: Buffer): string {
  const fd = openSync(path, 'r');
  try {
    const h = new Blake3Hasher();
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(n === buf.length ? buf : buf.subarray(0, n));
    }
    return h.digest('hex');
  } finally {
    closeSync(fd);
  }
}

export async function runLargeFilesBench(o: LargeFilesOptions): Promise<void> {
  const { runs, summary } = o;
  const root = join(o.workDir, 'large-files');
  const wholeDir = join(root, 'whole');
  const sampledDir = join(root, 'sampled');
  mkdirSync(wholeDir, { recursive: true });
  mkdirSync(sampledDir, { recursive: true });
  const wholeBytes = WHOLE_SIZES.reduce((a, b) => a + b, 0);
  console.log(`\n== Large files: ${WHOLE_SIZES.length} whole-hashed (${WHOLE_SIZES.map((s) => s === DEFAULT_HASH_THRESHOLD ? '256 MiB (= threshold)' : `${s} B`).join(', ')}; ${mb(wholeBytes)}) + 1 sampled (${mb(SAMPLED_SIZE)}); median of ${runs} runs ==`);

  try {
    const gen = timeSync(() => {
      WHOLE_SIZES.forEach((size, i) => writeRandomFile(join(wholeDir, `video-${i + 1}.bin`), size));
      writeRandomFile(join(sampledDir, 'huge-video.bin'), SAMPLED_SIZE);
    });
    console.log(`  generated in ${secs(gen.s)}`);
    const wholePaths = WHOLE_SIZES.map((_, i) => join(wholeDir, `video-${i + 1}.bin`));
    const sampledPath = join(sampledDir, 'huge-video.bin');

    // --- anchor: chunked read + Blake3Hasher over the whole-hashed files -------------------
    const buf = Buffer.allocUnsafe(READ_CHUNK);
    const digests = wholePaths.map((p) => readAndHashChunked(p, buf)); // warm-up: page cache
    const aRuns: number[] = [];
    for (let r = 0; r < runs; r++) aRuns.push(timeSync(() => wholePaths.forEach((p) => readAndHashChunked(p, buf))).s);
    const anchor = median(aRuns);
    console.log(`  anchor, 4 MiB reads + Blake3Hasher: ${secs(anchor)}  (${num(wholeBytes / MiB / anchor)} MiB/s)  [${aRuns.map(secs).join(' / ')}]`);

    // --- content-mode index of the folder of whole-hashed files -----------------------------
    const iRuns: number[] = [];
    for (let r = 0; r < runs; r++) {
      collectGarbage();
      const run = await indexFresh(o.workDir, wholeDir, 'content');
      iRuns.push(run.s);
      if (r === 0) {
        const rows = run.lib.db
          .prepare("SELECT e.name, c.cas_id, c.cas_version FROM entries e JOIN content_identities c ON c.id = e.content_id WHERE e.kind = 'file' ORDER BY e.name")
          .all() as Array<{ name: string; cas_id: string; cas_version: number }>;
        const p: string[] = [];
        if (rows.length !== wholePaths.length) p.push(`${rows.length} identified files, expected ${wholePaths.length}`);
        rows.forEach((row, i) => {
          if (row.cas_version !== CAS_WHOLE) p.push(`${row.name}: cas_version ${row.cas_version}, expected whole (${CAS_WHOLE})`);
          if (row.cas_id !== digests[i]) p.push(`${row.name}: cas_id differs from the anchor's BLAKE3`);
        });
        if (run.result.skipped_total) p.push(`${run.result.skipped_total} skipped: ${JSON.stringify(run.result.skipped[0])}`);
        if (p.length) console.log(`    !! ${p.join('; ')}`);
        else console.log('    check: every file hashed whole, cas_id = the anchor\'s BLAKE3 digest');
      }
      disposeRun(run, o.keep);
    }
    const index = median(iRuns);
    const r = index / anchor;
    console.log(`  content index of the whole-hashed files: ${secs(index)}  (${ratio(r)} read+hash ${secs(anchor)}; target ≤ 1.5×)  [${iRuns.map(secs).join(' / ')}]`);
    summary.add({ what: `content index, ${WHOLE_SIZES.length} files ≤ 256 MiB`, value: secs(index), ratio: `${ratio(r)} r+h`, target: '≤ 1.5× chunked read+hash', ok: r <= 1.5 });

    // --- the sampled file ---------------------------------------------------------------------
    const sRuns: number[] = [];
    let sampledOk = true;
    for (let k = 0; k < runs; k++) {
      collectGarbage();
      const run = await indexFresh(o.workDir, sampledDir, 'content');
      sRuns.push(run.s);
      const row = run.lib.db.prepare('SELECT cas_version FROM content_identities').get() as { cas_version: number } | undefined;
      if (row?.cas_version !== CAS_SAMPLED || run.result.hashed !== 1) sampledOk = false;
      disposeRun(run, o.keep);
    }
    if (!sampledOk) console.log(`    !! the ${mb(SAMPLED_SIZE)} file did not get a sampled content id (cas_version ${CAS_SAMPLED})`);
    const st = statSync(sampledPath);
    const expected = { size: st.size, mtimeMs: st.mtimeMs, inode: st.ino };
    const hRuns: number[] = [];
    for (let k = 0; k < Math.max(5, runs); k++) {
      hRuns.push((await timeAsync(() => hashFileForIdentity(sampledPath, expected, DEFAULT_HASH_THRESHOLD))).s);
    }
    const sIndex = median(sRuns);
    const sHash = median(hRuns);
    const wholeEstimate = (SAMPLED_SIZE / wholeBytes) * anchor;
    console.log(`  sampled ${mb(SAMPLED_SIZE)} file: content index of its folder ${secs(sIndex)} [${sRuns.map(secs).join(' / ')}]; ` +
      `hashFileForIdentity alone ${secs(sHash)}  (whole-file read+hash would take ≈ ${secs(wholeEstimate)}, ${ratio(wholeEstimate / sHash)} longer)`);
    summary.add({ what: `sampled id, 1 file of ${mb(SAMPLED_SIZE)}`, value: secs(sIndex), ratio: `hash ${secs(sHash)}`, target: 'milliseconds (warm cache)', ok: sampledOk && sIndex < 0.1 });
  } finally {
    if (!o.keep) rmrf(root);
  }
}
