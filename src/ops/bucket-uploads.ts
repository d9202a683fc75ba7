import { posix } from 'node:path';
import { errnoCode, VssError } from '../core/errors.js';
import { fileOpResult, summaryCount } from '../files/file-op.js';
import { blake3File } from '../core/file-blake3.js';
import { CancelledByUser, type JobOutcome, type JobRunContext } from '../jobs/job-kind.js';
import type { JobRow } from '../jobs/states.js';
import { TryAgainLater } from '../jobs/transient.js';
import type { Library } from '../library/library.js';
import type { BucketVolume } from '../store/buckets.js';
import type { FileOpItemRecord } from '../store/file-op-items.js';
import { SourceFault, type ReadBack, type S3Bucket, type Uploaded, type UploadState } from '../storage/bucket/s3-bucket.js';
import { locationStorage } from '../storage/storages.js';
import { openBucket, probeBucket } from '../volumes/buckets.js';
import type { OpHost } from './op.js';
import { indexedSource } from './op-items.js';
import { runTransfer } from './transfer/run/run-transfer.js';
import { sourceProblem } from './transfer/run/source-identity.js';
import type { Batch, PutContext, TransferTarget } from './transfer/run/target.js';

/** Uploads to a bucket as queued (in the job's params): which bucket volume, and what a key another object holds gets. */
export interface ToBucketParams {
  volume_id: number;
  /** `skip`: an item whose key holds another object is left (`files copy --on-conflict skip`); absent, keep-both: a free name beside it. Never replaced. */
  on_conflict?: BucketOnConflict;
}

/** What a copy into a bucket does with a key another object holds: a bucket's objects have no guard here, so none is replaced. */
export type BucketOnConflict = 'skip' | 'keep-both';

/** How long a job waiting for its bucket waits before it asks again (no attempt spent). */
const BUCKET_WAIT_MS = 10_000;
/** Free names tried beside a key another file holds. */
const MAX_NAME_TRIES = 100;

/**
 * Run a job's uploads to a bucket (a protect's copies, a `files copy` into a bucket) through the
 * one item loop (transfer/run/run-transfer.ts): each item (its `dst` a path under the bucket's
 * prefix) uploaded hashed as it is read (a multipart upload resumed from the parts the bucket
 * confirmed, kept in `bucket_uploads`), then checked: the BLAKE3 of every byte sent must be its
 * content's, and the object read back (its size and metadata, and ranges of its bytes against the
 * file's). Only then is it recorded as a copy (`bucket_objects`, verified now, with the ETag the
 * bucket gave) and the item done. An item whose file is gone, changed or rotten, or whose upload
 * does not read back, is left out with its reason (nothing of it stays in the bucket) and the job
 * goes on with the rest. A bucket that does not answer makes the job wait (no attempt spent) and
 * go on when it does; a cancel gives up the upload under way.
 */
export async function runBucketUploads(host: OpHost, job: JobRow, p: ToBucketParams, ctx: JobRunContext, verb: 'copy' | 'protect'): Promise<JobOutcome> {
  const lib = host.lib;
  const vol = lib.store.buckets.byVolume(p.volume_id);
  if (!vol) throw new VssError('NOT_FOUND', `bucket volume ${p.volume_id} is not known to this library any more (vss volumes list)`);
  const target = new BucketUploadTarget(lib, vol, p.on_conflict ?? 'keep-both', ctx);
  return runTransfer(lib, job, target, ctx, {
    op: 'copy', onConflict: p.on_conflict ?? 'keep-both',
    said: (rows) => {
      const r = fileOpResult({ op: 'copy', outside_library: false }, rows);
      return { note: `${verb}: ${summaryCount(r.done, 'file')} uploaded to the bucket and read back${r.skipped > 0 ? `, ${r.skipped} skipped` : ''}`, result: r };
    },
  });
}

/** Where uploads land: one bucket volume, an item a batch, one after the other. */
class BucketUploadTarget implements TransferTarget {
  readonly inFlight = 1;
  readonly landsHere = false;
  private bucket: S3Bucket | undefined;
  /** The key of the upload under way (a cancel aborts it). */
  private current: string | undefined;

  constructor(private readonly lib: Library, private readonly vol: BucketVolume, private readonly onConflict: BucketOnConflict, private readonly ctx: JobRunContext) {}

  async ready(): Promise<void> {
    const why = await probeBucket(this.lib, this.vol);
    if (why !== undefined) throw new VssError('UNAVAILABLE', why);
    this.bucket = openBucket(this.lib, this.vol);
  }

  batches(todo: readonly FileOpItemRecord[]): Batch[] {
    return todo.map((it) => ({ items: [it] }));
  }

  async put(b: Batch, ctx: PutContext): Promise<JobOutcome | undefined> {
    await uploadOne(this.lib, this.vol, this.bucket!, b.items[0]!, this.onConflict, ctx, (key) => { this.current = key; });
    this.current = undefined;
    return undefined;
  }

  async settle(failed: boolean): Promise<void> {
    if (!failed || !(this.ctx.signal.reason instanceof CancelledByUser) || this.current === undefined) return;
    const up = this.lib.store.buckets.upload(this.vol.volume_id, this.current);
    if (up) await this.bucket?.abortUpload(this.current, up.upload_id);
    this.lib.store.buckets.forgetUpload(this.vol.volume_id, this.current);
  }

  /**
   * The bucket does not answer (before the first upload or mid-way): the job waits for it (no
   * attempt spent; an upload resumes from the parts it confirmed). A run that stops once idle
   * (`jobs run --until-idle`) does not wait for a bucket that may not come back: it tries again
   * later, as for a drive.
   */
  explain(err: unknown): JobOutcome | undefined {
    if (!(err instanceof VssError) || err.code !== 'UNAVAILABLE') return undefined;
    const reason = `waiting for ${this.vol.name ?? this.vol.mount_point} to answer (${err.message.slice(0, 200)})`;
    if (this.ctx.untilIdle) throw new TryAgainLater(reason);
    return { state: 'wait', reason, delayMs: BUCKET_WAIT_MS };
  }

  close(): void {
    this.bucket?.close();
  }
}

/**
 * IT uploaded, checked and recorded; or left out, saying why: a source gone or changed since it
 * was planned, or whose bytes do not hash to its content (rot), and an upload that did not read
 * back as sent. Whatever such an upload put in the bucket is removed (a multipart upload aborted
 * before it is completed, an object completed deleted): no object with the content's hash in its
 * metadata and other bytes stays under the key. Its name taken: ONCONFLICT (keep-both or skip).
 */
async function uploadOne(lib: Library, vol: BucketVolume, bucket: S3Bucket, it: FileOpItemRecord, onConflict: BucketOnConflict, ctx: PutContext, onKey: (key: string) => void): Promise<void> {
  // Left out of the job, saying why: it goes on with the rest, and does not try this one again.
  const leftOut = (note: string) => ctx.leaveOut(it, note);
  const done = (rel: string, blake3: string) => ctx.confirm([{ it, landed: { final: `${vol.mount_point}/${rel}`, blake3 } }]);
  // The look every target makes (source-identity.ts), then its content as indexed: a copy in a bucket counts by it.
  const problem = sourceProblem(lib, it);
  const indexed = problem === undefined ? indexedSource(lib, it.src) : undefined;
  if (!indexed) return leftOut(problem ?? 'its file is no longer indexed where it was (edited since the plan): left out');
  const source = { ...indexed, storage: locationStorage(lib, indexed.place.locationId), rel: indexed.place.rel };
  const st = source.storage.statNow(source.rel);
  if (!st?.isFile() || st.size !== it.size) return leftOut('its file changed since the plan: left out');
  const rel = it.dst ?? posix.join('vss-protect', posix.basename(it.src));
  const key = await freeKey(lib, vol, bucket, rel, source.contentUuid, onConflict, ctx.signal);
  if (key === undefined) return leftOut(`${vol.mount_point}/${rel} is there already (--on-conflict skip)`);
  if (key.had) return done(key.rel, key.had);
  onKey(key.key);
  const path = source.storage.localPath(source.rel)!;
  const up = lib.store.buckets.upload(vol.volume_id, key.key);
  const resume: UploadState | undefined = up ? { uploadId: up.upload_id, parts: JSON.parse(up.parts) as UploadState['parts'] } : undefined;
  const mtime = Math.floor(st.mtimeMs);
  let blake3: string;
  let sent: Uploaded;
  try {
    // A content identified by samples has no whole BLAKE3 yet: its object carries the one of the bytes read now.
    blake3 = source.blake3 ?? (await blake3File(path, { signal: ctx.signal })).checksum;
    // The bytes must be the content's as they are read: checked before the object is made (rot caught as it is read, nothing put).
    sent = await bucket.upload(key.key, path, {
      size: it.size, signal: ctx.signal, onBytes: (n) => ctx.moved(n), expect: blake3, ...(resume ? { resume } : {}),
      meta: { 'vss-content': source.contentUuid, 'vss-blake3': blake3, 'vss-mtime-ms': String(mtime) },
      onState: (s) => lib.store.buckets.keepUpload(vol.volume_id, key.key, s.uploadId, JSON.stringify(s.parts), Date.now()),
    });
  } catch (err) {
    const fault = sourceFaultOf(err, path);
    if (!fault) throw err;
    // Its multipart upload, if any, was aborted: nothing of it is left to resume.
    lib.store.buckets.forgetUpload(vol.volume_id, key.key);
    if (fault.fault === 'not-its-bytes' && source.blake3 !== null && fault.found !== undefined) return ctx.leaveOutRotten(it, fault.found, source.blake3, 'nothing was uploaded');
    return leftOut(faultNote(fault));
  }
  lib.store.buckets.forgetUpload(vol.volume_id, key.key);
  const after = source.storage.statNow(source.rel);
  if (!after?.isFile() || after.size !== st.size || after.mtimeMs !== st.mtimeMs) {
    return leftOut(`its file changed while it was uploaded: ${await removed(bucket, key.key, ctx.signal)}; protect again`);
  }
  let back: ReadBack;
  try {
    back = await bucket.readBack(key.key, path, it.size, blake3, ctx.signal);
  } catch (err) {
    const fault = sourceFaultOf(err, path);
    if (!fault) throw err;
    return leftOut(`${faultNote(fault)} (${await removed(bucket, key.key, ctx.signal)})`);
  }
  if (!back.ok) {
    return leftOut(`the bucket did not give back what was sent (${back.wrong}): ${await removed(bucket, key.key, ctx.signal)}; protect again`);
  }
  const now = Date.now();
  lib.store.buckets.putObject({ volume_id: vol.volume_id, key: key.key, content_uuid: source.contentUuid, size: it.size, blake3: sent.blake3, uploaded_at: now, verified_at: now, etag: back.etag });
  return done(key.rel, sent.blake3);
}

/**
 * The object just uploaded at KEY deleted, as it is no copy: what became of it, in words. A bucket
 * that does not answer makes the job wait (the item is done again, its key written again); one
 * that refuses the delete (a key allowed to write but not to delete, an object lock) leaves it
 * there, not recorded, and says so.
 */
async function removed(bucket: S3Bucket, key: string, signal: AbortSignal): Promise<string> {
  try {
    await bucket.remove(key, signal);
    return 'the object uploaded was removed';
  } catch (err) {
    if (signal.aborted || (err instanceof VssError && err.code === 'UNAVAILABLE')) throw err;
    return `the object uploaded could not be removed (${(err as Error).message.slice(0, 200)}): it is not counted; delete ${key} by hand`;
  }
}

/** ERR as the fault of the file at PATH (a SourceFault, or a file system error reading it), or undefined: not the file's. */
function sourceFaultOf(err: unknown, path: string): SourceFault | undefined {
  if (err instanceof SourceFault) return err;
  const code = errnoCode(err);
  if (code === undefined || err instanceof VssError) return undefined;
  return new SourceFault(code === 'ENOENT' || code === 'ENOTDIR' ? 'gone' : 'unreadable', path, `${path}: ${(err as Error).message}`, undefined, err);
}

/** Why an item whose file was at fault is left out, in words. */
function faultNote(f: SourceFault): string {
  switch (f.fault) {
    case 'gone': return 'its file is gone (moved or deleted since the plan): left out';
    case 'changed': return 'its file changed while it was uploaded: left out, protect again';
    case 'not-its-bytes': return 'its file changed while it was read (its bytes hash otherwise than a moment before): left out, protect again';
    default: return `its file cannot be read (${f.message.slice(0, 200)}): left out`;
  }
}

/**
 * The key REL (under the bucket's prefix) takes: itself when free, or when it holds this content
 * already (`had`: recorded as a copy, not found gone or changed since, the upload not made
 * again); else a free name beside it (keep-both), or none (skip: undefined). A key holding an
 * object of this content that is not recorded (an upload cut off before it was read back, or one
 * found changed) is written again, not named around: no "NAME (2)" piles up beside it.
 */
async function freeKey(lib: Library, vol: BucketVolume, bucket: S3Bucket, rel: string, contentUuid: string, onConflict: BucketOnConflict, signal: AbortSignal): Promise<{ key: string; rel: string; had?: string } | undefined> {
  const ext = posix.extname(rel);
  const stem = rel.slice(0, rel.length - ext.length);
  for (let i = 1; i <= (onConflict === 'skip' ? 1 : MAX_NAME_TRIES); i++) {
    const r = i === 1 ? rel : `${stem} (${i})${ext}`;
    const key = bucket.key(r);
    const known = lib.store.buckets.object(vol.volume_id, key);
    if (known?.content_uuid === contentUuid && known.lost_at === null) return { key, rel: r, had: known.blake3 };
    // An upload of ours under way there is resumed, not named around.
    if ((!known || known.content_uuid === contentUuid) && lib.store.buckets.upload(vol.volume_id, key)) return { key, rel: r };
    if (known && known.content_uuid !== contentUuid) continue;
    const there = await bucket.head(key, signal);
    if (!there || there.meta['vss-content'] === contentUuid) return { key, rel: r };
  }
  if (onConflict === 'skip') return undefined;
  throw new VssError('IO', `${vol.mount_point}: no free name beside ${rel} in ${MAX_NAME_TRIES} tries`);
}
