/**
 * `node dist/bench/bucket-bench.js [--mib M] [--runs R] [--keep]` (npm run bench:guardian)
 *
 * An upload to a bucket (issue 30: ≥ 80% of the bare SDK's): one M MiB file (default 1024) put in
 * a bucket of a real S3 server on loopback (s3rver in its own process, test/support/s3-server.ts)
 * by vss's upload (`S3Bucket.upload`: parts of 8 MiB, 3 at a time, each hashed with BLAKE3 as it
 * is read, then the read-back vss does before it counts a copy) against a bare
 * `@aws-sdk/lib-storage` `Upload` of the same file (a stream, its default parts and queue) in the
 * same run, R rounds alternating (default 3), the median counted. And the same upload to an
 * encrypted bucket (issue 60: `SealedBucket`, every chunk sealed as it is read, in the process's
 * sealing worker, the read-back opening and authenticating its ranges): ≥ 85% of the plain one's
 * speed in the same run.
 */
import { createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { randomBytes } from 'node:crypto';
import { S3Bucket } from '../src/storage/bucket/s3-bucket.js';
import { SealedBucket } from '../src/storage/bucket/sealed-bucket.js';
import { bucketKeys } from '../src/storage/bucket/age-object.js';
import { startS3 } from '../test/support/s3-server.js';
import { Summary, benchArgs, freshDir, median, MiB, num, rmrf, runMain, secs, timeAsync, writeRandom } from './util.js';

const TARGET = 0.8;
const SEALED_TARGET = 0.85;

async function main(): Promise<void> {
  const o = benchArgs('bucket-bench [--mib M] [--runs R] [--keep]', { mib: { default: 1024, min: 16 }, runs: { default: 3, min: 1 } }, ['keep']);
  const work = freshDir(tmpdir(), 'vss-bucket-bench-');
  const file = join(work, 'film.bin');
  const size = o.mib * MiB;
  writeRandom(file, size);
  const s3 = await startS3(join(work, 's3'), ['bench']);
  for (const [k, v] of Object.entries(s3.env)) process.env[k] = v;
  const bucket = new S3Bucket({ bucket: 'bench', prefix: 'vss', endpoint: s3.endpoint, region: null, pathStyle: true });
  const sealed = new SealedBucket({ bucket: 'bench', prefix: 'sealed', endpoint: s3.endpoint, region: null, pathStyle: true }, bucketKeys(randomBytes(32)));
  const bare = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  try {
    const ours: number[] = [];
    const anchor: number[] = [];
    const sealedTimes: number[] = [];
    for (let r = 0; r < o.runs; r++) {
      anchor.push((await timeAsync(async () => {
        await new Upload({ client: bare, params: { Bucket: 'bench', Key: `bare/${r}`, Body: createReadStream(file) } }).done();
      })).s);
      for (const [b, into] of [[bucket, ours], [sealed, sealedTimes]] as const) {
        into.push((await timeAsync(async () => {
          const up = await b.upload(b.key(`ours/${r}`), file, { size, meta: { 'vss-content': 'bench', 'vss-blake3': 'pending', 'vss-mtime-ms': '0' } });
          const back = await b.readBack(b.key(`ours/${r}`), file, size, 'pending');
          if (!back.ok) throw new Error(back.wrong);
          if (up.size !== size) throw new Error(`uploaded ${up.size} of ${size} bytes`);
        })).s);
      }
      console.log(`  round ${r + 1}: bare SDK upload ${secs(anchor.at(-1)!)} (${num(o.mib / anchor.at(-1)!)} MiB/s), vss ${secs(ours.at(-1)!)} (${num(o.mib / ours.at(-1)!)} MiB/s) = ${num((anchor.at(-1)! / ours.at(-1)!) * 100)}%; encrypted ${secs(sealedTimes.at(-1)!)} = ${num((ours.at(-1)! / sealedTimes.at(-1)!) * 100)}% of plain`);
    }
    const [a, s, e] = [median(anchor), median(ours), median(sealedTimes)];
    console.log(`bucket-bench: ${o.mib} MiB to s3rver on loopback, ${o.runs} rounds, medians`);
    const summary = new Summary();
    summary.add({ what: `${o.mib} MiB uploaded by vss (hashed, parts, read back)`, value: secs(s), ratio: `${num((a / s) * 100)}% of the bare SDK`, target: `≥ ${TARGET * 100}%`, ok: a / s >= TARGET });
    summary.add({ what: '  anchor: @aws-sdk/lib-storage Upload of the same file', value: secs(a), ratio: '1', target: '', ok: null });
    summary.add({ what: `${o.mib} MiB uploaded by vss to an encrypted bucket (sealed as read, read back authenticated)`, value: secs(e), ratio: `${num((s / e) * 100)}% of the plain bucket's speed`, target: `≥ ${SEALED_TARGET * 100}%`, ok: s / e >= SEALED_TARGET });
    summary.print();
  } finally {
    bucket.close();
    sealed.close();
    bare.destroy();
    await s3.stop();
    if (o.keep) console.log(`kept ${work}`);
    else rmrf(work);
  }
}

runMain(import.meta.url, main);
