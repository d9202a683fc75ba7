/**
 * `node dist/bench/bucket-check-bench.js [--objects N] [--gone G]`
 *
 * What looking again at a bucket costs (issue 42): N small objects (default 2000) put in a bucket
 * of a real S3 server on loopback (s3rver in its own process) and recorded as a protect records
 * them; then a listing check gone through whole (`checkBucket`: ListObjectsV2 pages of 1000, the
 * objects held against the records), the same after G of them (default 100) were deleted behind
 * vss's back (each confirmed by a HEAD, then marked), and the guard's one HEAD
 * (`confirmBucketCopy`), the median of 200. Requests, never a download.
 */
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Installation } from '../src/library/installation.js';
import { checkBucket } from '../src/guardian/bucket-check.js';
import { confirmBucketCopy } from '../src/guardian/bucket-evidence.js';
import { etagOf } from '../src/storage/bucket/s3-bucket.js';
import { addBucket } from '../src/volumes/buckets.js';
import { startS3 } from '../test/support/s3-server.js';
import { Summary, benchArgs, freshDir, median, num, rmrf, runMain, secs, timeAsync } from './util.js';

async function main(): Promise<void> {
  const o = benchArgs('bucket-check-bench [--objects N] [--gone G]', { objects: { default: 2000, min: 10 }, gone: { default: 100, min: 1 } }, []);
  const work = freshDir(tmpdir(), 'vss-bucket-check-bench-');
  const s3 = await startS3(join(work, 's3'), ['bench']);
  for (const [k, v] of Object.entries(s3.env)) process.env[k] = v;
  const raw = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true });
  const lib = new Installation({ dataDir: join(work, 'data') }).createLibrary('Bench', work);
  try {
    const vol = await addBucket(lib, 's3://bench/home', { endpoint: s3.endpoint, pathStyle: true, name: 'Offsite' });
    const keys: string[] = [];
    const put = await timeAsync(async () => {
      for (let i = 0; i < o.objects; i++) {
        const key = `home/vss-protect/Photos/${String(i).padStart(6, '0')}.jpg`;
        const r = await raw.send(new PutObjectCommand({ Bucket: 'bench', Key: key, Body: randomBytes(256) }));
        lib.store.buckets.putObject({ volume_id: vol.volume_id, key, content_uuid: `00000000-0000-5000-8000-${String(i).padStart(12, '0')}`, size: 256, blake3: 'b', uploaded_at: 1, verified_at: 1, etag: etagOf(r.ETag) });
        keys.push(key);
      }
    });
    console.log(`  ${o.objects} objects put and recorded in ${secs(put.s)}`);
    const pass = async () => {
      let runs = 0;
      let listed = 0;
      let heads = 0;
      let gone = 0;
      const t = await timeAsync(async () => {
        for (;;) {
          const r = await checkBucket(lib, lib.store.buckets.byVolume(vol.volume_id)!, { keys: 20_000, heads: 500 });
          runs++;
          listed += r.listed;
          heads += r.heads;
          gone += r.gone;
          if (r.pass_done) break;
        }
      });
      return { s: t.s, runs, listed, heads, gone };
    };
    const clean = await pass();
    for (const key of keys.slice(0, o.gone)) await raw.send(new DeleteObjectCommand({ Bucket: 'bench', Key: key }));
    const marked = await pass();
    const headTimes: number[] = [];
    for (const key of keys.slice(o.gone, o.gone + 200)) headTimes.push((await timeAsync(() => confirmBucketCopy(lib, { volume_id: vol.volume_id, key }))).s);
    console.log(`bucket-check-bench: ${o.objects} objects of vss in s3rver on loopback`);
    const summary = new Summary();
    summary.add({ what: `a pass through ${clean.listed} keys, none changed (${clean.runs} run, ${Math.ceil(clean.listed / 1000)} list requests, ${clean.heads} HEADs)`, value: secs(clean.s), ratio: `${num(clean.listed / clean.s)} keys/s`, target: '', ok: null });
    summary.add({ what: `the same after ${o.gone} deleted behind vss (${marked.heads} HEADs, ${marked.gone} marked gone)`, value: secs(marked.s), ratio: `${num(marked.listed / marked.s)} keys/s`, target: '', ok: marked.gone === o.gone });
    summary.add({ what: 'the guard\'s HEAD (confirmBucketCopy), median of 200', value: secs(median(headTimes)), ratio: '', target: '', ok: null });
    summary.print();
  } finally {
    lib.close();
    raw.destroy();
    await s3.stop();
    rmrf(work);
  }
}

runMain(import.meta.url, main);
