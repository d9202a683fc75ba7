import { createHash } from 'node:crypto';
import { constants, type BigIntStats } from 'node:fs';
import { lstat, mkdir, mkdtemp, open, readdir, rm, stat, utimes } from 'node:fs/promises';
import { TEMP_PREFIX, writeFileAtomic } from '../core/fs-atomic.js';
import { join } from 'node:path';
import { describeFsError, UsageError, VssError } from '../core/errors.js';
import { detectType } from '../content/detect-type.js';
import { HEAD_BYTES } from '../content/hash-file.js';
import { absolutePathProblem, PathRefusedError } from '../library/confine.js';
import { thumbGenerator } from '../generators/thumb/thumb-generator.js';
import type { GeneratorSettings, SourceContent } from '../generators/types.js';
import { isContentKind } from '../content/kinds.js';

/** The variant a browsed folder's tiles show (the grid's own). */
const VARIANT = 'grid@1x';

/** What the cache holds at most: past either, the least recently used go first. */
export interface BrowseThumbBounds {
  files: number;
  bytes: number;
  /** Unused this long: dropped at the next prune, whatever room is left. */
  coldMs: number;
}

export const BROWSE_THUMB_BOUNDS: BrowseThumbBounds = { files: 2_000, bytes: 64 * 1024 * 1024, coldMs: 7 * 24 * 3600_000 };
/** Thumbnails made at once: a grid of a hundred videos must not start a hundred ffmpegs. */
const AT_ONCE = 2;
/** One thumbnail's time: a decode that takes longer is given up (a tile shows its icon). */
const MAKE_MS = 30_000;
/** Writes between two prunes (a prune lists the folder). */
const PRUNE_EVERY = 32;

export type BrowseThumb = { file: string; size: number; etag: string } | { nothing: string };

/**
 * Thumbnails of files in no location (issue 59, "thumbnails for a browsed folder are made on demand
 * into a bounded cache and dropped when cold"): made by the `thumb` generator from the file where
 * it is, never written beside it, kept in the library's `cache/browse-thumbs/` under a key of the
 * file's identity as it was read (device, inode, size, change times), so a file changed since gets
 * a new one and the old is left to go cold. A use touches its file; a prune drops what was not used
 * for COLD and then the least recently used past the bounds. Losing the folder loses nothing: each
 * is made again when asked.
 */
export class BrowseThumbs {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private writes = 0;

  constructor(private readonly dir: string, private readonly scratch: string, private readonly settings: () => GeneratorSettings, private readonly bounds: BrowseThumbBounds = BROWSE_THUMB_BOUNDS) {}

  /** The thumbnail of the file at PATH (absolute, a regular file, no symlink at its end): from the cache, or made now. */
  async get(path: string, signal?: AbortSignal): Promise<BrowseThumb> {
    const problem = absolutePathProblem(path);
    if (problem) throw new PathRefusedError(path, problem);
    const before = await factsOf(path);
    const key = keyOf(before);
    const file = join(this.dir, `${key}.webp`);
    const hit = await stat(file).catch(() => undefined);
    if (hit) {
      const now = new Date();
      await utimes(file, now, now).catch(() => undefined);
      return { file, size: hit.size, etag: key };
    }
    const type = await typeOf(path);
    if (!isContentKind(type.kind)) return { nothing: `no thumbnail for ${type.mime}` };
    const content: SourceContent = { contentUuid: key, kind: type.kind, mime: type.mime, size: Number(before.size), path, metadata: null };
    if (!thumbGenerator.accepts(content, VARIANT)) return { nothing: `no thumbnail for ${type.mime}` };
    const data = await this.limited(() => this.make(content, signal));
    if ('nothing' in data) return data;
    // Changed while it was read: not kept under the old file's key (the next ask makes it again).
    if (keyOf(await factsOf(path)) !== key) return { nothing: `${path} changed while its thumbnail was made` };
    await mkdir(this.dir, { recursive: true });
    await writeFileAtomic(file, data.bytes);
    if (++this.writes % PRUNE_EVERY === 1) await this.prune();
    return { file, size: data.bytes.length, etag: key };
  }

  /** Drop what went cold, then the least recently used past the bounds; what it removed. */
  async prune(now = Date.now()): Promise<number> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((n) => n.endsWith('.webp') || n.startsWith(TEMP_PREFIX));
    } catch {
      return 0;
    }
    const held: Array<{ path: string; size: number; used: number }> = [];
    for (const n of names) {
      const s = await stat(join(this.dir, n)).catch(() => undefined);
      if (s) held.push({ path: join(this.dir, n), size: s.size, used: s.mtimeMs });
    }
    held.sort((a, b) => b.used - a.used);
    let files = 0;
    let bytes = 0;
    let removed = 0;
    for (const h of held) {
      // A partial is a write under way (or a killed one's): left to its writer unless it is an hour old.
      const partial = !h.path.endsWith('.webp');
      const cold = now - h.used > (partial ? 3600_000 : this.bounds.coldMs);
      if (!partial && !cold && files + 1 <= this.bounds.files && bytes + h.size <= this.bounds.bytes) {
        files += 1;
        bytes += h.size;
        continue;
      }
      if (partial && !cold) continue;
      await rm(h.path, { force: true });
      removed += 1;
    }
    return removed;
  }

  private async make(source: SourceContent, signal?: AbortSignal): Promise<{ bytes: Buffer } | { nothing: string }> {
    await mkdir(this.scratch, { recursive: true });
    const scratchDir = await mkdtemp(join(this.scratch, 'browse-thumb-'));
    const timeout = AbortSignal.timeout(MAKE_MS);
    try {
      const out = await thumbGenerator.generate({
        source,
        variants: [VARIANT],
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        timeoutMs: MAKE_MS,
        settings: this.settings(),
        scratchDir,
        tempFileFor: () => { throw new VssError('USAGE', 'a browsed thumbnail is made in memory'); },
        readSidecar: () => undefined,
        notApplicable: () => undefined,
      });
      const made = out.find((o) => o.variant === VARIANT);
      if (made && 'data' in made) return { bytes: made.data };
      return { nothing: made && 'skip' in made ? made.skip : 'no thumbnail was made' };
    } catch (err) {
      return { nothing: (err as Error).message };
    } finally {
      await rm(scratchDir, { recursive: true, force: true });
    }
  }

  private async limited<T>(work: () => Promise<T>): Promise<T> {
    while (this.running >= AT_ONCE) await new Promise<void>((go) => this.waiting.push(go));
    this.running += 1;
    try {
      return await work();
    } finally {
      this.running -= 1;
      this.waiting.shift()?.();
    }
  }
}

/** The file at PATH as it is now: a regular file, not a symlink (a browsed tile names the file itself). */
async function factsOf(path: string): Promise<BigIntStats> {
  let s: BigIntStats;
  try {
    s = await lstat(path, { bigint: true });
  } catch (err) {
    throw new VssError('NOT_FOUND', `${path}: ${describeFsError(err)}`, { path });
  }
  if (!s.isFile()) throw new UsageError(`${path} is not a file`);
  return s;
}

function keyOf(s: BigIntStats): string {
  return createHash('sha256').update(`${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}:${VARIANT}`).digest('hex').slice(0, 40);
}

/** Its kind by its first bytes (a RAW file's name alone says nothing), opened without following a symlink. */
async function typeOf(path: string): Promise<{ kind: string; mime: string }> {
  const fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const head = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await fh.read(head, 0, HEAD_BYTES, 0);
    return await detectType(path, head.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}
