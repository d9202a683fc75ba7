/**
 * The library's snapshots in an encrypted bucket (issue 60, item 4): each snapshot an object under
 * a keyed name, and one small sealed index that lists them, newest first, under a name derived
 * from the key alone (`vss-library/snapshots`). So a device that has nothing but the bucket's
 * address and the recovery phrase finds the newest snapshot (`library recover`), and the service
 * sees neither the library's name, nor its id, nor a byte of its database. The index is written
 * after the snapshot it names is uploaded and read back: an index never names an object that is
 * not whole. Every size and count read from the bucket is bounded before anything is allocated.
 */
import { open, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { Blake3Hasher } from '@napi-rs/blake-hash';
import { VssError } from '../core/errors.js';
import { writeFileAtomic } from '../core/fs-atomic.js';
import type { S3Bucket } from '../storage/bucket/s3-bucket.js';

/** The index's name under the bucket's prefix, before it is keyed: the same for every library (each has its own key, so its own keyed name). */
const INDEX_REL = 'vss-library/snapshots';
/** A snapshot's name under the prefix, before it is keyed. */
const snapshotRel = (id: string) => `vss-library/snapshot/${id}`;
/** What the index and each snapshot say they are, in their sealed metadata. */
const INDEX_CONTENT = 'vss-library-index';
const SNAPSHOT_CONTENT = 'vss-library-snapshot';

/** The most the index may weigh and list: a hostile bucket cannot make a reader allocate more. */
const MAX_INDEX_BYTES = 4 * 1024 * 1024;
export const MAX_SNAPSHOTS = 1000;
/** A library's settings (library.json) carried in the index at most, as JSON. */
const MAX_SETTINGS_CHARS = 64 * 1024;
/** The largest snapshot a recovery takes (a library's database far past any seen: 64 GiB). */
export const MAX_SNAPSHOT_BYTES = 64 * 1024 ** 3;
const MAX_NAME = 200;

/** One snapshot as the index lists it. */
export interface BucketSnapshot {
  /** Its object's name before keying: `vss-library/snapshot/ID`. */
  id: string;
  library_id: string;
  library_name: string;
  /** library.json's `createdAt` and settings when it was made (they are not in the database). */
  created_at: string;
  settings: Record<string, unknown>;
  made_at: number;
  bytes: number;
  blake3: string;
}

/** The key of the index in BUCKET (a sealed bucket: keyed). */
export function indexKey(bucket: S3Bucket): string {
  return bucket.key(INDEX_REL);
}

/** The key of snapshot S in BUCKET. */
export function snapshotKey(bucket: S3Bucket, s: Pick<BucketSnapshot, 'id'>): string {
  return bucket.key(snapshotRel(s.id));
}

/**
 * The index of BUCKET, newest first; undefined when there is none (none made with this key). An
 * index that does not authenticate throws (SealBroken); one that authenticates but does not read
 * as an index is refused, saying so.
 */
export async function readIndex(bucket: S3Bucket, signal?: AbortSignal): Promise<BucketSnapshot[] | undefined> {
  const key = indexKey(bucket);
  const head = await bucket.head(key, signal);
  if (!head) return undefined;
  if (head.size < 0 || head.size > MAX_INDEX_BYTES) throw new VssError('IO', `${bucket.url}: the library's snapshot index holds ${head.size} bytes, not what vss writes (at most ${MAX_INDEX_BYTES}): it is not read`);
  const raw = await bucket.readRange(key, 0, head.size, signal);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new VssError('IO', `${bucket.url}: the library's snapshot index is not JSON`);
  }
  const list = (parsed as { v?: unknown; snapshots?: unknown } | null)?.snapshots;
  if ((parsed as { v?: unknown }).v !== 1 || !Array.isArray(list) || list.length > MAX_SNAPSHOTS) throw new VssError('IO', `${bucket.url}: the library's snapshot index is not one this vss reads`);
  return list.map((s) => {
    const ok = entryOf(s);
    if (!ok) throw new VssError('IO', `${bucket.url}: the library's snapshot index lists an entry this vss does not read`);
    return ok;
  });
}

/** S as an index entry, checked field by field (bounded), or undefined. */
function entryOf(s: unknown): BucketSnapshot | undefined {
  if (typeof s !== 'object' || s === null) return undefined;
  const e = s as Record<string, unknown>;
  const str = (v: unknown, re: RegExp) => typeof v === 'string' && re.test(v);
  if (!str(e.id, /^[0-9a-f]{32}$/) || !str(e.library_id, /^[0-9a-f-]{36}$/) || !str(e.blake3, /^[0-9a-f]{64}$/) || !str(e.created_at, /^[0-9T:.Z+-]{1,40}$/)) return undefined;
  if (typeof e.library_name !== 'string' || e.library_name.length === 0 || e.library_name.length > MAX_NAME) return undefined;
  const whole = (v: unknown, max: number) => Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= max;
  if (!whole(e.made_at, 8.64e15) || !whole(e.bytes, MAX_SNAPSHOT_BYTES)) return undefined;
  const settings = typeof e.settings === 'object' && e.settings !== null && !Array.isArray(e.settings) ? (e.settings as Record<string, unknown>) : {};
  return { id: e.id as string, library_id: e.library_id as string, library_name: e.library_name, created_at: e.created_at as string, settings, made_at: e.made_at as number, bytes: e.bytes as number, blake3: e.blake3 as string };
}

/** A new snapshot's id: random (two devices backing up at once never share one). */
export function newSnapshotId(): string {
  return randomBytes(16).toString('hex');
}

/**
 * The snapshot file at PATH (as ENTRY says: its bytes and BLAKE3) uploaded to BUCKET and read back,
 * then the index written with it first; with KEEP, the snapshots past the newest KEEP removed (the
 * index first, then their objects: an index never names a removed one). SCRATCH: a folder of the
 * caller's for the index's file. The keys of the snapshots removed.
 */
export async function putSnapshot(bucket: S3Bucket, path: string, entry: BucketSnapshot, scratch: string, keep?: number): Promise<{ key: string; removed: string[] }> {
  if (JSON.stringify(entry.settings).length > MAX_SETTINGS_CHARS) entry = { ...entry, settings: {} };
  const key = snapshotKey(bucket, entry);
  await putChecked(bucket, key, path, entry.bytes, entry.blake3, SNAPSHOT_CONTENT, entry.made_at);
  const had = (await readIndex(bucket)) ?? [];
  const all = [entry, ...had.filter((s) => s.id !== entry.id)];
  const kept = all.slice(0, Math.min(keep ?? MAX_SNAPSHOTS, MAX_SNAPSHOTS));
  const gone = all.slice(kept.length);
  const file = `${scratch}/snapshots-index.json`;
  const text = JSON.stringify({ v: 1, snapshots: kept });
  await writeFileAtomic(file, text);
  try {
    const h = new Blake3Hasher();
    h.update(Buffer.from(text, 'utf8'));
    await putChecked(bucket, indexKey(bucket), file, Buffer.byteLength(text), h.digest('hex'), INDEX_CONTENT, entry.made_at);
  } finally {
    await unlink(file).catch(() => undefined);
  }
  const removed: string[] = [];
  for (const s of gone) {
    const k = snapshotKey(bucket, s);
    await bucket.remove(k);
    removed.push(k);
  }
  return { key, removed };
}

/** The file at PATH put at KEY and read back (its size, sealed metadata and sampled ranges), else the upload is refused. */
async function putChecked(bucket: S3Bucket, key: string, path: string, size: number, blake3: string, content: string, at: number): Promise<void> {
  await bucket.upload(key, path, { size, expect: blake3, meta: { 'vss-content': content, 'vss-blake3': blake3, 'vss-mtime-ms': String(at) } });
  const back = await bucket.readBack(key, path, size, blake3);
  if (!back.ok) throw new VssError('IO', `${bucket.url}: the upload did not read back as sent (${back.wrong})`);
}

/**
 * Snapshot S of BUCKET written to DEST (a new file), authenticated chunk by chunk as it streams,
 * never more than the index says it holds, its BLAKE3 held against the index's; flushed. Anything
 * else throws, DEST removed.
 */
export async function downloadSnapshot(bucket: S3Bucket, s: BucketSnapshot, dest: string, signal?: AbortSignal): Promise<void> {
  const key = snapshotKey(bucket, s);
  const head = await bucket.head(key, signal);
  if (!head) throw new VssError('NOT_FOUND', `${bucket.url}: the snapshot of ${new Date(s.made_at).toISOString()} the index lists is not in the bucket`);
  if (head.size !== s.bytes) throw new VssError('IO', `${bucket.url}: the snapshot of ${new Date(s.made_at).toISOString()} holds ${head.size} bytes, not the ${s.bytes} the index says: it is not taken`);
  const fh = await open(dest, 'wx', 0o600);
  let ok = false;
  try {
    const hasher = new Blake3Hasher();
    let got = 0;
    for await (const piece of bucket.read(key, signal)) {
      got += piece.length;
      if (got > s.bytes) throw new VssError('IO', `${bucket.url}: the snapshot holds more than the ${s.bytes} bytes the index says: it is not taken`);
      const buf = Buffer.from(piece.buffer, piece.byteOffset, piece.length);
      hasher.update(buf);
      await fh.write(buf);
    }
    const blake3 = hasher.digest('hex');
    if (got !== s.bytes || blake3 !== s.blake3) throw new VssError('IO', `${bucket.url}: the snapshot's bytes are not those the index names (${got} bytes, BLAKE3 ${blake3.slice(0, 16)}…): it is not taken`);
    await fh.sync();
    ok = true;
  } finally {
    await fh.close();
    if (!ok) await unlink(dest).catch(() => undefined);
  }
}
