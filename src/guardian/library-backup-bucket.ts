/**
 * A snapshot of the library's database to an encrypted bucket (issue 60, item 4): made in the
 * library's `backups/outgoing/bucket-PID/`, sealed and uploaded under a keyed name with the sealed
 * index that lets `library recover` find it from the phrase alone (bucket-snapshots.ts), recorded
 * here, and the folder emptied. A kill -9 leaves at most an object no index names (never taken)
 * and the staged file (swept by the next backup to a bucket).
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { bucketUrl } from '../core/address.js';
import type { Library } from '../library/library.js';
import { snapshotDatabase, type MadeSnapshot } from '../library/snapshot.js';
import type { BucketVolume } from '../store/buckets.js';
import { openBucket } from '../volumes/buckets.js';
import { newSnapshotId, putSnapshot } from './bucket-snapshots.js';

const STAGED = /^bucket-\d+$/;

/** LIB's snapshot now, to encrypted bucket volume B (recorded under TARGET); with KEEP, the bucket's older ones past KEEP removed. */
export async function backupToBucket(lib: Library, b: BucketVolume, target: string, opts: { keep?: number; now?: number }): Promise<MadeSnapshot & { target: string; removed: string[] }> {
  const outgoing = join(lib.root, 'backups', 'outgoing');
  lib.roots.library.makeFolder(outgoing);
  // What a backup killed here left (its pid's folder): never sent, so nothing of it is wanted.
  for (const n of readdirSync(outgoing)) if (STAGED.test(n)) rmSync(join(outgoing, n), { recursive: true, force: true });
  const dir = join(outgoing, `bucket-${process.pid}`);
  lib.roots.library.makeFolder(dir);
  const bucket = openBucket(lib, b);
  try {
    const madeAt = opts.now ?? Date.now();
    const made = await snapshotDatabase(lib.db, dir, { library_id: lib.config.id, library_name: lib.config.name, made_at: madeAt });
    const entry = {
      id: newSnapshotId(), library_id: lib.config.id, library_name: lib.config.name, created_at: lib.config.createdAt,
      settings: { ...lib.config.settings } as Record<string, unknown>, made_at: made.made_at, bytes: made.bytes, blake3: made.blake3,
    };
    const put = await putSnapshot(bucket, made.path, entry, dir, opts.keep);
    const path = bucketUrl({ bucket: b.bucket, prefix: put.key });
    lib.store.libraryBackups.add({ snapshot: made.snapshot, path, bytes: made.bytes, blake3: made.blake3, made_at: made.made_at, target, volume_id: b.volume_id });
    // The rows of the snapshots the bucket no longer holds (pruned here, or by another device of the library).
    const gone = new Set(put.removed.map((k) => bucketUrl({ bucket: b.bucket, prefix: k })));
    const kept = opts.keep ?? Infinity;
    for (const [i, old] of lib.store.libraryBackups.ofTarget(target).entries()) {
      if (i >= kept || gone.has(old.path)) lib.store.libraryBackups.remove(old.id);
    }
    return { ...made, path, target, removed: [...gone] };
  } finally {
    bucket.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
