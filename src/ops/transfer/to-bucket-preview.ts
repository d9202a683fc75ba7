import { VssError } from '../../core/errors.js';
import type { Library } from '../../library/library.js';
import type { NewFileOpItem } from '../../store/file-op-items.js';
import type { S3Bucket } from '../../storage/bucket/s3-bucket.js';
import { openBucket } from '../../volumes/buckets.js';
import type { OpPreview } from '../../wire/preview.js';
import type { BucketOnConflict } from '../bucket-uploads.js';
import { addingPreview } from '../file-op-preview.js';
import { indexedSource } from '../op-items.js';

/** Pages of a folder's listing read for a plan (1000 keys each); past them, each item's key is asked for alone. */
const MAX_LIST_PAGES = 100;

/**
 * A copy of ITEMS into bucket volume VOLUMEID shown, not run (`--dry-run`): the keys they would
 * take, looked up in a listing of their folder made now (the bucket is the only one to know what
 * it holds: another tool may have put objects there). A key holding another object is a name
 * taken (ONCONFLICT: a free name beside it, or skipped); one holding the same content is there
 * already, recorded as a copy without an upload. Refused when the bucket does not answer: no plan
 * can be made without its listing.
 */
export async function previewInBucket(lib: Library, volumeId: number, items: readonly NewFileOpItem[], onConflict: BucketOnConflict): Promise<OpPreview> {
  const vol = lib.store.buckets.byVolume(volumeId);
  if (!vol) throw new VssError('NOT_FOUND', `bucket volume ${volumeId} is not known to this library any more (vss volumes list)`);
  const dir = commonFolder(items);
  const bucket = openBucket(vol);
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

/** The folder (under the bucket's prefix) every item goes into: a copy into a bucket names one. */
function commonFolder(items: readonly NewFileOpItem[]): string {
  const dst = items[0]?.dst ?? '';
  const slash = dst.lastIndexOf('/');
  return slash < 0 ? '' : dst.slice(0, slash);
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
  const whole = next === undefined;
  return async (key) => seen.has(key) || (!whole && (await bucket.head(key)) !== undefined);
}
