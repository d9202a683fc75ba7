import { VssError } from '../../core/errors.js';
import type { Landing } from '../../core/landing.js';
import { relPathProblem } from '../../core/address.js';
import { IgnoreRules } from '../ignore-rules.js';
import type { DirListing, FolderWatches, ListedEntry, ListOptions, LocationStorage, NodeFacts, RangeReader, StorageCaps, WalkedListing, WalkOptions } from '../port.js';
import { pollOnlyWatches } from '../poll-only-watches.js';
import { S3Bucket } from './s3-bucket.js';
import { BUCKET_UNWATCHED, inodeOf, type BucketSpec } from './bucket-url.js';

/**
 * A bucket location is read, listed a folder at a time by requests, and rescanned on a schedule:
 * nothing is written there, an object has no inode (a copy to another key is a new file), no tool
 * reads it by path (a generator's source is fetched whole first, jobs/bucket-source.ts).
 */
export const BUCKET_CAPS: StorageCaps = { rename: false, localPath: false, inodes: false, threadedWalk: false, writable: false, watch: 'poll' };

/** The longest name a folder of a location holds (a local file system's limit, in bytes). */
const MAX_NAME_BYTES = 255;
/** Objects and folders one listing of a bucket folder may hold: a hostile bucket cannot fill memory. */
const MAX_LISTED = 1_000_000;
/** Folders a walk lists at once (each a request to the bucket). */
const LISTS_IN_FLIGHT = 8;
/** Folders a walk hands over per batch. */
const WALK_BATCH = 32;
/** What a range reader fetches at least per request, so a type check's head and the hash after it are one GET. */
const READ_BLOCK = 1024 * 1024;
/** The most one request of a reader reading straight through fetches. */
const MAX_READ_BLOCK = 16 * 1024 * 1024;

/**
 * A location in a bucket of S3-compatible object storage, read through the storage port: folders
 * are the keys' '/'-separated prefixes, files their objects. vss only reads a bucket location —
 * file operations into it are refused (copies go into a bucket as a volume, `files copy … s3://`),
 * so nothing there is ever changed by indexing it. An object has no inode: its identity is a hash
 * of its key, so an object replaced at the same key is the same file changed, and a copy to
 * another key a new file.
 */
export class BucketStorage implements LocationStorage {
  readonly kind = 'bucket';
  readonly caps = BUCKET_CAPS;
  /** No local path, no synchronous listing: every answer is a request. */
  readonly local = null;
  readonly bucket: S3Bucket;

  constructor(spec: BucketSpec) {
    this.bucket = new S3Bucket(spec);
  }

  get describe(): string {
    return this.bucket.url;
  }

  /** The key as stored after the URL: an object may be named `.`, which a path would fold away. */
  shown(rel: string): string {
    return rel === '' ? this.describe : `${this.describe}/${rel}`;
  }

  close(): void {
    this.bucket.close();
  }

  localPath(): null {
    return null;
  }

  async stat(rel: string): Promise<NodeFacts | null> {
    this.check(rel);
    if (rel === '') return dirFacts(rel, 0);
    const o = await this.bucket.head(this.bucket.key(rel));
    if (o) return fileFacts(rel, o.size, o.mtimeMs);
    const under = await this.bucket.listPage(`${this.bucket.key(rel)}/`);
    return under.objects.length + under.folders.length > 0 ? dirFacts(rel, 0) : null;
  }

  async list(rel: string, opts: ListOptions = {}): Promise<DirListing> {
    this.check(rel);
    return this.listWith(rel, new IgnoreRules(opts.ignoreRules ?? []));
  }

  /** Every folder below the root, parents before children, a few listed at once; a folder the bucket would not list is an error listing. */
  async *walk(opts: WalkOptions): AsyncGenerator<WalkedListing[]> {
    const rules = new IgnoreRules(opts.ignoreRules);
    const todo: string[] = opts.start ? opts.start.map((d) => d.rel) : [''];
    while (todo.length > 0) {
      const level = todo.splice(0, WALK_BATCH);
      const listings: Array<DirListing & { unreachable?: true }> = [];
      for (let i = 0; i < level.length; i += LISTS_IN_FLIGHT) {
        listings.push(...await Promise.all(level.slice(i, i + LISTS_IN_FLIGHT).map((rel) => this.listWith(rel, rules))));
      }
      for (const l of listings) {
        // A bucket that stops answering is offline: the scan stops rather than taking its files for deleted.
        if (l.error !== undefined && l.unreachable) throw new VssError('UNAVAILABLE', `${this.describe} went away while it was listed: ${l.error}; nothing was removed`, { path: this.describe });
        for (const e of l.entries) if ('kind' in e && e.kind === 'dir') todo.push(l.rel === '' ? e.name : `${l.rel}/${e.name}`);
      }
      yield listings;
    }
  }

  async openRead(rel: string): Promise<RangeReader> {
    this.check(rel);
    const key = this.bucket.key(rel);
    const o = await this.bucket.head(key);
    if (!o) throw new VssError('NOT_FOUND', `${this.describe}: no object ${rel}`, { path: `${this.describe}/${rel}` });
    return new BucketRangeReader(this, rel, key, fileFacts(rel, o.size, o.mtimeMs));
  }

  land(rel: string): Promise<Landing> {
    return Promise.reject(this.readOnly(rel, 'write'));
  }

  rename(from: string): Promise<void> {
    return Promise.reject(this.readOnly(from, 'rename'));
  }

  remove(rel: string): Promise<void> {
    return Promise.reject(this.readOnly(rel, 'remove'));
  }

  /** A bucket tells nobody of changes: its location is scanned again on a schedule instead. */
  watch(): FolderWatches {
    return pollOnlyWatches(BUCKET_UNWATCHED);
  }

  private readOnly(rel: string, what: string): VssError {
    return new VssError('PATH_REFUSED', `${this.describe} is a bucket location, which vss only reads: it will not ${what} ${rel || 'its root'} (copy into a bucket with files copy … s3://BUCKET/PREFIX)`, { path: `${this.describe}/${rel}` });
  }

  private check(rel: string): void {
    const problem = relPathProblem(rel);
    if (problem) throw new VssError('PATH_REFUSED', `${JSON.stringify(rel.slice(0, 200))}: ${problem}`, { path: this.describe });
  }

  private async listWith(rel: string, rules: IgnoreRules): Promise<DirListing & { unreachable?: true }> {
    const prefix = rel === '' ? (this.bucket.spec.prefix === '' ? '' : `${this.bucket.spec.prefix}/`) : `${this.bucket.key(rel)}/`;
    const entries: ListedEntry[] = [];
    const names = new Set<string>();
    const add = (name: string, kind: 'file' | 'dir', size: number, mtimeMs: number): void => {
      const problem = nameProblem(name);
      const why = problem !== undefined ? (kind === 'dir' ? `${problem}: the objects under this prefix are not indexed` : problem)
        : names.has(name) ? `an object and a folder (a prefix ending in /) of this name are both in the bucket: the ${kind === 'dir' ? 'object is indexed, not this folder' : 'folder is indexed, not this object'}` : undefined;
      const childRel = rel === '' ? name : `${rel}/${name}`;
      if (why) {
        // Named as its key is stored, a prefix with its '/' (`cam/./`, `cam//`), never shortened or
        // replaced: the warning must lead the user to the very object, which a path made of it would not.
        entries.push({ name: kind === 'dir' ? `${name}/` : name, skip: why });
        return;
      }
      names.add(name);
      if (rules.ignores(childRel, kind === 'dir', name)) return;
      entries.push({ name, kind, size, inode: inodeOf(childRel), mtimeMs: seconds(mtimeMs), ctimeMs: seconds(mtimeMs), linkTarget: null });
    };
    let next: string | undefined;
    try {
      do {
        const page = await this.bucket.listPage(prefix, next);
        for (const f of page.folders) add(f.slice(prefix.length, -1), 'dir', 0, 0);
        // The folder's own marker object (a key ending in '/') is not a file of it.
        for (const o of page.objects) if (o.key !== prefix) add(o.key.slice(prefix.length), 'file', o.size, o.mtimeMs);
        if (entries.length > MAX_LISTED) return { rel, error: `more than ${MAX_LISTED} objects and folders in one folder`, entries: [] };
        next = page.next;
      } while (next);
    } catch (err) {
      const e = err instanceof VssError ? err : new VssError('IO', String(err));
      return { rel, error: `folder cannot be listed: ${e.message}`, entries: [], ...(e.code === 'UNAVAILABLE' ? { unreachable: true as const } : {}) };
    }
    return { rel, entries };
  }
}

/** Why a key's part cannot be a name in a location (it could step outside, or no file system could hold it). */
export function nameProblem(name: string): string | undefined {
  if (name === '' || name === '.' || name === '..') return 'a key with an empty, `.` or `..` part (it could step outside its folder)';
  if (name.includes('\0')) return 'a key with a NUL byte';
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) return `a name longer than ${MAX_NAME_BYTES} bytes`;
  return undefined;
}

/**
 * An object's time to the second: a listing gives milliseconds and a HEAD whole seconds, and the
 * two must agree, or every object would look changed between its listing and its read.
 */
function seconds(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

function fileFacts(rel: string, size: number, at: number): NodeFacts {
  const mtimeMs = seconds(at);
  return { kind: 'file', size, inode: inodeOf(rel), dev: 0, mode: 0o100444, nlink: 1, atimeMs: mtimeMs, mtimeMs, ctimeMs: mtimeMs };
}

function dirFacts(rel: string, mtimeMs: number): NodeFacts {
  return { kind: 'dir', size: 0, inode: inodeOf(rel), dev: 0, mode: 0o40555, nlink: 1, atimeMs: mtimeMs, mtimeMs, ctimeMs: mtimeMs };
}

/**
 * Ranges of one object read by ranged GETs, a block at a time (the last block kept: a hash reads
 * the head for the type and then the same bytes again). An object replaced while it is read shows
 * in `refresh` as another size or time, as a changed file does.
 */
class BucketRangeReader implements RangeReader {
  private block: { at: number; bytes: Buffer } | undefined;
  private span = READ_BLOCK;

  constructor(private readonly storage: BucketStorage, private readonly rel: string, private readonly key: string, readonly facts: NodeFacts) {}

  async read(buf: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    const end = Math.min(this.facts.size, position + length);
    if (end <= position) return 0;
    let b = this.block;
    if (!b || position < b.at || end > b.at + b.bytes.length) {
      // Read on from where the last block ended: each next request twice as large (fewer round trips for a whole copy).
      this.span = b && position === b.at + b.bytes.length ? Math.min(MAX_READ_BLOCK, this.span * 2) : READ_BLOCK;
      const upTo = Math.min(this.facts.size, Math.max(end, position + this.span));
      b = this.block = { at: position, bytes: await this.storage.bucket.readRange(this.key, position, upTo) };
    }
    const n = end - position;
    buf.set(b.bytes.subarray(position - b.at, position - b.at + n), offset);
    return n;
  }

  async refresh(): Promise<NodeFacts> {
    const o = await this.storage.bucket.head(this.key);
    if (!o) throw new VssError('NOT_FOUND', `${this.storage.describe}: ${this.rel} vanished while it was read`, { path: `${this.storage.describe}/${this.rel}` });
    return fileFacts(this.rel, o.size, o.mtimeMs);
  }

  async close(): Promise<void> {
    this.block = undefined;
  }
}
