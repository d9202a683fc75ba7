import { UsageError, VssError } from '../../core/errors.js';
import { DEFAULT_ON_CONFLICT, MAX_PARAMS_CHARS, type FileOpResult, type OnConflict } from '../../files/file-op.js';
import { fileOpTimeoutMs } from './run/here-run.js';
import { queueUserJob } from '../../jobs/user-job.js';
import { endedResult, paramsJson } from '../../jobs/wait-for-job.js';
import type { Library } from '../../library/library.js';
import type { NewFileOpItem } from '../../store/file-op-items.js';
import type { S3Bucket } from '../../storage/bucket/s3-bucket.js';
import { openBucket } from '../../volumes/buckets.js';
import type { OpPreview } from '../../wire/preview.js';
import { runBucketUploads, type BucketOnConflict, type ToBucketParams } from '../bucket-uploads.js';
import { addingPreview } from '../file-op-preview.js';
import type { Way } from '../op.js';
import { indexedSource } from '../op-items.js';
import { filesToCopy, itemsInto } from './sources.js';

/** Files of this device's locations (absolute paths) to TO, `s3://BUCKET/PREFIX[/FOLDER]` of a bucket volume. */
export interface ToBucketInput {
  srcs: string[];
  to: string;
  /** A key another object holds: keep-both (default: a free name beside it) or skip; replace is refused (no guard weighs a bucket's objects). */
  onConflict?: OnConflict;
  /** Asked with --force: kept in the job's params; a copy into a bucket replaces and removes nothing, so nothing is forced. */
  force?: boolean;
}

const NAME = 'files-copy-to-bucket';
const MAX_ATTEMPTS = 5;
/** Files one copy into a bucket takes at most (its items are rows; its plan reads each). */
const MAX_FILES = 10_000;
/** Pages of a folder's listing read for a plan (1000 keys each); past them, each item's key is asked for alone. */
const MAX_LIST_PAGES = 100;

/**
 * `vss files copy SRC… s3://BUCKET/PREFIX[/FOLDER]` (issue 30 item 7): files of this device's
 * locations uploaded into a bucket volume of this device as `FOLDER/<name>`, each hashed as it is
 * read, checked against its content's BLAKE3 and read back before it counts as a copy
 * (`bucket-uploads.ts`, as a protect's); a durable job that waits while the bucket does not
 * answer. Indexed files only (a copy counts by its content); a folder is named by its files.
 */
export const filesCopyToBucket: Way<ToBucketInput, FileOpResult> = {
  name: NAME,
  plan(host, input) {
    const { volumeId, dir, onConflict } = planned(host.lib, input);
    const items = itemsOf(host.lib, input.srcs, dir);
    const bytes = items.reduce((n, it) => n + it.size, 0);
    const toBucket: ToBucketParams = { volume_id: volumeId, ...(onConflict === 'skip' ? { on_conflict: onConflict } : {}) };
    const params = JSON.stringify({ to: input.to, to_bucket: toBucket, ...(input.force === true ? { forced: true } : {}) });
    return {
      size: { files: items.length, bytes },
      queue: () => queueUserJob(host.lib, { kind: NAME, maxAttempts: MAX_ATTEMPTS, bytes, params, items }, 'the copy into the bucket'),
    };
  },
  preview: (host, input) => {
    const { volumeId, dir, onConflict } = planned(host.lib, input);
    return previewInBucket(host.lib, volumeId, dir, itemsOf(host.lib, input.srcs, dir), onConflict);
  },
  kind: (host) => ({
    name: NAME, concurrency: 1, timeoutMs: fileOpTimeoutMs,
    run: (job, ctx) => {
      const p = paramsJson(job, MAX_PARAMS_CHARS) as { to_bucket?: ToBucketParams } | undefined;
      if (!p?.to_bucket) throw new VssError('USAGE', `job ${job.id} does not say which bucket to copy into`);
      return runBucketUploads(host, job, p.to_bucket, ctx, 'copy');
    },
  }),
  result: (row) => endedResult<FileOpResult>(row, 'the copy', 'the files uploaded before are kept'),
};

/** INPUT's bucket, folder and conflict policy, checked as a real call checks them. */
function planned(lib: Library, input: ToBucketInput): { volumeId: number; dir: string; onConflict: BucketOnConflict } {
  const onConflict = input.onConflict ?? DEFAULT_ON_CONFLICT;
  if (onConflict === 'replace') {
    throw new UsageError('into a bucket, a name taken is never replaced (no guard weighs what an object there holds): --on-conflict keep-both (the default: a free name beside it) or skip');
  }
  return { ...bucketOf(lib, input.to), onConflict };
}

/** The bucket volume of this device whose URL TO is, or lies under: its id, and the folder in it. */
function bucketOf(lib: Library, to: string): { volumeId: number; dir: string } {
  const want = to.replace(/\/+$/, '');
  for (const b of lib.store.buckets.ofDevice(lib.deviceId)) {
    const url = b.mount_point;
    if (want !== url && !want.startsWith(`${url}/`)) continue;
    const dir = want.slice(url.length + 1);
    if (dir.split('/').some((part) => part === '.' || part === '..' || (part === '' && dir !== ''))) throw new UsageError(`${JSON.stringify(to)}: a folder in a bucket has no empty, '.' or '..' part`);
    return { volumeId: b.volume_id, dir };
  }
  throw new VssError('NOT_FOUND', `${to}: no bucket volume of this device holds it (vss volumes add s3://BUCKET/PREFIX first)`);
}

/** SRCS checked as files a copy into a bucket takes, each identified (a copy there counts by its content), bound for DIR/<its name>. */
function itemsOf(lib: Library, srcs: readonly string[], dir: string): NewFileOpItem[] {
  return itemsInto(filesToCopy(lib, srcs, MAX_FILES, 'into a bucket', (it) => {
    if (!indexedSource(lib, it.path)) throw new VssError('WRONG_STATE', `${it.path} has no content id yet (its location indexes names only, or it is not indexed yet): a copy in a bucket counts by its content`, { path: it.path });
  }), dir);
}

/**
 * A copy of ITEMS into folder DIR of bucket volume VOLUMEID shown, not run (`--dry-run`): the keys they would
 * take, looked up in a listing of their folder made now (the bucket is the only one to know what
 * it holds: another tool may have put objects there). A key holding another object is a name
 * taken (ONCONFLICT: a free name beside it, or skipped); one holding the same content is there
 * already, recorded as a copy without an upload. Refused when the bucket does not answer: no plan
 * can be made without its listing.
 */
async function previewInBucket(lib: Library, volumeId: number, dir: string, items: readonly NewFileOpItem[], onConflict: BucketOnConflict): Promise<OpPreview> {
  const vol = lib.store.buckets.byVolume(volumeId);
  if (!vol) throw new VssError('NOT_FOUND', `bucket volume ${volumeId} is not known to this library any more (vss volumes list)`);
  const bucket = openBucket(lib, vol);
  try {
    const why = await bucket.probe();
    if (why !== undefined) throw new VssError('UNAVAILABLE', `${vol.mount_point} does not answer now (${why}): a dry run needs a listing of what is there, so none was made (and nothing was done)`);
    const taken = await takenKeys(bucket, dir);
    const conflicts: OpPreview['conflicts'] = [];
    const alreadyThere: string[] = [];
    let needed = 0;
    for (const it of items) {
      const key = bucket.key(it.dst!);
      const content = indexedSource(lib, it.src)?.contentUuid;
      const known = lib.store.buckets.object(vol.volume_id, key);
      if (content !== undefined && known?.content_uuid === content) {
        alreadyThere.push(content);
        continue;
      }
      if (known !== undefined || (await taken(key))) {
        conflicts.push({ source: it.src, target: `${vol.mount_point}/${it.dst!}` });
        if (onConflict === 'skip') continue;
      }
      needed += it.size;
    }
    return {
      // A copy into a bucket adds a copy and replaces nothing: no content falls below its policy.
      ...addingPreview('copy', { files: items.length, bytes: items.reduce((n, it) => n + it.size, 0), on_conflict: onConflict, conflicts, free_bytes: null, needed_bytes: needed }),
      ...(alreadyThere.length > 0 ? { already_there: alreadyThere } : {}),
      looked_up: { in: 'bucket-listing', url: dir === '' ? vol.mount_point : `${vol.mount_point}/${dir}` },
    };
  } finally {
    bucket.close();
  }
}

/** Whether a key of folder DIR holds an object: its listing read (bounded), then a key not seen in a listing cut short asked alone. */
async function takenKeys(bucket: S3Bucket, dir: string): Promise<(key: string) => Promise<boolean>> {
  const prefix = dir === '' ? bucket.key('') : `${bucket.key(dir)}/`;
  const seen = new Set<string>();
  let next: string | undefined;
  let pages = 0;
  do {
    const page = await bucket.listPage(prefix, next);
    for (const o of page.objects) seen.add(o.key);
    next = page.next;
  } while (next !== undefined && ++pages < MAX_LIST_PAGES);
  // An encrypted bucket's keys hide their folders: its listing says nothing of a name, each key is asked alone.
  const whole = next === undefined && !bucket.flat;
  return async (key) => seen.has(key) || (!whole && (await bucket.head(key)) !== undefined);
}
