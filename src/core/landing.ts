import { constants, existsSync, fchmodSync, fstatSync, linkSync, renameSync, statSync, unlinkSync, writevSync } from 'node:fs';
import { chmod, link, open, rm, truncate, unlink, utimes, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Blake3Hasher } from '@napi-rs/blake-hash';
import { VssError } from './errors.js';
import { freeNameIn } from './free-name.js';
import { fsyncDirAsync, fsyncFileAsync, place } from './fs-atomic.js';

/**
 * The one landing for bytes that must be verified before they are kept (an original or a sent
 * file from a paired device, a local copy of an original): they are written to a partial file
 * named by its caller's key (`.vss-partial-KEY`, which the indexer skips as vss's own), hashed
 * (BLAKE3) as they are written, flushed as they come on one policy, resumed after what an
 * earlier attempt left (those bytes hashed again from the disk), checked against the size and
 * hash expected when they are all in, and only then put in place through fs-atomic, with the
 * permission bits and time the copy keeps and a rule for a name already taken.
 */

/** Prefix of a landing's partial file (LEFTOVER_RULES' `.vss-*` skips it). */
export const PARTIAL_PREFIX = '.vss-partial-';

/**
 * A large file is flushed every this many bytes as it arrives, so a huge transfer does not leave
 * gigabytes for its last fsync. Not more often: a flush every 64 MiB cost a quarter of the rate
 * on a disk slower than loopback (`bench/send-bench.ts`), and the bytes of a partial are hashed
 * again from disk when a transfer resumes, so a flush buys no safety.
 */
export const FLUSH_EVERY = 1024 * 1024 * 1024;

const CHUNK = 1024 * 1024;

/** The partial a landing keyed KEY writes in DIR: hidden, named by the caller so a retry finds it. */
export function partialIn(dir: string, key: string): string {
  return join(dir, `${PARTIAL_PREFIX}${key}`);
}

/** What a copy keeps of the file it copies besides its bytes: its permission bits (keptMode) and its modification time. */
export interface KeptAttributes {
  mode: number;
  /** Absent: the copy keeps the time it was made (an older peer did not send it). */
  mtimeMs?: number;
}

/** How many bytes of a file of SIZE bytes the partial at PATH holds already (what a resumed transfer asks from). */
export function resumableSize(path: string, size: number): number {
  return Math.min(statSync(path, { throwIfNoEntry: false })?.size ?? 0, size);
}

export interface LandingOptions {
  /**
   * Resume after what PARTIAL holds already, of a file of this many bytes (anything past it is
   * cut). Absent: the partial starts empty.
   */
  resumeOf?: number;
  /** Hash the bytes (BLAKE3) as they are written, and those resumed from. */
  hash?: boolean;
  /**
   * The partial's mode while it is written (before the umask): 0o600 unless said (a user's
   * file stays private until its own mode is set as it is placed); a library's own file (a
   * sidecar) takes 0o644.
   */
  mode?: number;
  /**
   * Write synchronously (the page cache, microseconds): for many small files landing side by
   * side, whose only slow step is their fsync; a thread-pool round trip per write would cost
   * more than the write.
   */
  syncWrites?: boolean;
}

/** What a landing's partial holds when its writing is finished. */
export interface Landed {
  path: string;
  size: number;
  /** Full BLAKE3 (hex), when the landing hashed. */
  blake3?: string;
}

/**
 * A partial file being written: readable by its owner only while the bytes come, whatever the
 * file it becomes may be (a partial an older vss left wider is narrowed first). One write is in
 * flight while the caller fetches the next bytes, so the disk and the network overlap.
 */
export class Landing {
  private writing: Promise<unknown> = Promise.resolve();
  private flushing: Promise<void> | undefined;
  private unflushed = 0;
  private closed = false;

  private constructor(readonly path: string, private readonly fh: FileHandle, private readonly hasher: Blake3Hasher | undefined, readonly offset: number, private readonly syncWrites: boolean) {
    this.written = offset;
  }

  /** Bytes in the partial so far (those resumed from included). */
  written: number;

  static async open(path: string, opts: LandingOptions = {}): Promise<Landing> {
    let offset = 0;
    if (opts.resumeOf !== undefined) {
      offset = resumableSize(path, opts.resumeOf);
      if ((statSync(path, { throwIfNoEntry: false })?.size ?? 0) > offset) await truncate(path, offset);
    }
    const hasher = opts.hash ? new Blake3Hasher() : undefined;
    if (hasher && offset > 0) {
      const rh = await open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
      try {
        for await (const chunk of rh.createReadStream({ start: 0, end: offset - 1, highWaterMark: CHUNK, autoClose: false })) hasher.update(chunk as Buffer);
      } finally {
        await rh.close();
      }
    }
    const mode = opts.mode ?? 0o600;
    // Never through a symlink put where the partial goes.
    const fh = await open(path, constants.O_WRONLY | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0) | (offset > 0 ? constants.O_APPEND : constants.O_TRUNC), mode);
    try {
      // A partial an older attempt (an older vss) left wider is narrowed; a new one has MODE through the umask, as any new file.
      const was = fstatSync(fh.fd).mode & 0o777;
      if ((was & ~mode) !== 0) fchmodSync(fh.fd, was & mode);
    } catch (err) {
      await fh.close();
      throw err;
    }
    return new Landing(path, fh, hasher, offset, opts.syncWrites ?? false);
  }

  /** Append PARTS (hashed here); resolves once the write before it is done, this one still in flight. */
  async write(parts: readonly Uint8Array[]): Promise<void> {
    const list = parts.map((u) => Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength));
    if (this.hasher) for (const part of list) this.hasher.update(part);
    await this.writing;
    const want = list.reduce((n, b) => n + b.byteLength, 0);
    if (this.syncWrites) {
      for (let done = 0; done < want;) done += this.wrote(writevSync(this.fh.fd, rest(list, done)), done, want);
    } else {
      this.writing = (async () => {
        for (let done = 0; done < want;) done += this.wrote((await this.fh.writev(rest(list, done))).bytesWritten, done, want);
      })();
    }
    this.written += want;
    this.unflushed += want;
    // Flushed as it arrives (one flush in flight at a time), so the last fsync finds little left to write.
    if (!this.flushing && this.unflushed >= FLUSH_EVERY) {
      this.unflushed = 0;
      const w = this.writing;
      this.flushing = w.then(() => this.fh.datasync()).finally(() => { this.flushing = undefined; });
    }
  }

  /** N bytes written of a write of WANT, DONE before it: a short write (rare on a file) goes on with the rest, no progress at all is an error. */
  private wrote(n: number, done: number, want: number): number {
    if (n === 0) throw new Error(`a short write to ${this.path} (${done} of ${want} bytes): is its disk full?`);
    return n;
  }

  /**
   * Every byte written and (unless FLUSH is false: the caller flushes it with others, see
   * placeLandedMany) fsynced, the partial closed: its size and hash.
   */
  async finish(opts: { flush?: boolean } = {}): Promise<Landed> {
    try {
      await this.writing;
      await this.flushing;
      if (opts.flush !== false) await this.fh.sync();
    } finally {
      await this.close();
    }
    return { path: this.path, size: this.written, ...(this.hasher ? { blake3: this.hasher.digest('hex') } : {}) };
  }

  /** Stop writing, keeping every byte that came (the next attempt resumes after them): the write in flight ends first. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writing.catch(() => undefined);
    await this.flushing?.catch(() => undefined);
    await this.fh.close();
  }
}

/** What is left of LIST after its first SKIP bytes. */
function rest(list: Buffer[], skip: number): Buffer[] {
  if (skip === 0) return list;
  const out: Buffer[] = [];
  for (const b of list) {
    if (skip >= b.byteLength) skip -= b.byteLength;
    else {
      out.push(skip > 0 ? b.subarray(skip) : b);
      skip = 0;
    }
  }
  return out;
}

/** What the bytes landed must be: their size, and their full BLAKE3 or another check (a content id) saying what is wrong. */
export interface Expected {
  size: number;
  blake3?: string;
  check?: (path: string) => Promise<string | undefined>;
}

/**
 * Whether LANDED is what EXPECTED says: undefined when it is, else why not — and then the partial
 * is removed (bytes that are not the file asked for are never kept, nor resumed from).
 */
export async function verifyLanded(landed: Landed, expected: Expected): Promise<string | undefined> {
  let wrong: string | undefined;
  if (landed.size !== expected.size) wrong = `${landed.size} bytes, not ${expected.size}`;
  else if (expected.blake3 !== undefined && landed.blake3 !== expected.blake3) wrong = `BLAKE3 ${landed.blake3?.slice(0, 16)}…, not ${expected.blake3.slice(0, 16)}…`;
  else if (expected.check) wrong = await expected.check(landed.path);
  if (wrong !== undefined) await rm(landed.path, { force: true });
  return wrong;
}

/** What is done when the final name is taken: refuse (ALREADY_EXISTS), take a free name beside it, or replace the file there. */
export type OnConflict = 'fail' | 'keep-both' | 'replace';

export interface Placing {
  dir: string;
  name: string;
  conflict: OnConflict;
  /** The permission bits and time the file keeps: set before it is placed, so it is never seen wider under its name. */
  kept?: KeptAttributes;
}

/** Placing in each folder under a free name, one file at a time: two landings of one name at once must not both take the same free name. */
const placing = new Map<string, Promise<unknown>>();

/**
 * Put a verified partial in place (fsynced with its new mode and time, renamed, its folder
 * fsynced) as TO says; returns where it went.
 */
export async function placeLanded(partial: string, to: Placing): Promise<string> {
  if (to.kept) {
    await chmod(partial, to.kept.mode);
    if (to.kept.mtimeMs !== undefined) await utimes(partial, new Date(), new Date(to.kept.mtimeMs));
  }
  if (to.conflict === 'replace') {
    const final = join(to.dir, to.name);
    await place(partial, final);
    return final;
  }
  if (to.conflict === 'fail') {
    const final = join(to.dir, to.name);
    await fsyncFileAsync(partial);
    // A link fails when the name is taken (a rename would replace what is there).
    try {
      await link(partial, final);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw new VssError('ALREADY_EXISTS', `${final} exists already`, { path: final });
      // A filesystem without hard links (FAT, exFAT, some FUSE): a check then a rename, the best it allows.
      if (!(code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS')) throw err;
      if (existsSync(final)) throw new VssError('ALREADY_EXISTS', `${final} exists already`, { path: final });
      await place(partial, final, { synced: true });
      return final;
    }
    await unlink(partial);
    await fsyncDirAsync(dirname(final));
    return final;
  }
  const dir = to.dir;
  const next = (placing.get(dir) ?? Promise.resolve()).catch(() => undefined).then(async () => {
    const final = freeNameIn(dir, to.name);
    // Not `synced`: the bytes are on disk already, the new mode and time are flushed here.
    await place(partial, final);
    return final;
  });
  placing.set(dir, next);
  void next.finally(() => { if (placing.get(dir) === next) placing.delete(dir); }).catch(() => undefined);
  return next;
}

/** One verified partial of a group and where it goes. */
export interface LandedPlacing {
  partial: string;
  to: Placing;
}

/**
 * Put a group of verified partials in place at once (the small files of one offer): each one's
 * mode and time set, their bytes flushed together by FLUSH (storage/local-flush.ts: one syncfs
 * for many, a journal commit rather than one per file), each renamed as its `to` says (a free
 * name taken under the same per-folder turn as placeLanded's), then every folder they went into
 * and came from fsynced once. One answer per item, in order: where it went, or why it could not
 * be placed (its partial stays, to resume from). A kill before a rename leaves the partial; after,
 * the file under its name, flushed.
 */
export async function placeLandedMany(items: readonly LandedPlacing[], flush?: (paths: readonly string[]) => Promise<void>): Promise<Array<{ final: string } | { error: Error }>> {
  for (const { partial, to } of items) {
    if (!to.kept) continue;
    await chmod(partial, to.kept.mode);
    if (to.kept.mtimeMs !== undefined) await utimes(partial, new Date(), new Date(to.kept.mtimeMs));
  }
  // No FLUSH: the caller flushed them before its last looks (a local copy's batch, its mode and times set as it was copied).
  await flush?.(items.map((it) => it.partial));
  const out: Array<{ final: string } | { error: Error }> = new Array(items.length);
  const folders = new Set<string>();
  const byDir = new Map<string, number[]>();
  items.forEach((it, i) => {
    const idxs = byDir.get(it.to.dir);
    if (idxs) idxs.push(i);
    else byDir.set(it.to.dir, [i]);
  });
  for (const [dir, idxs] of byDir) {
    const next = (placing.get(dir) ?? Promise.resolve()).catch(() => undefined).then(() => {
      for (const i of idxs) {
        const { partial, to } = items[i]!;
        try {
          out[i] = { final: placeNow(partial, to) };
          folders.add(dir).add(dirname(partial));
        } catch (err) {
          out[i] = { error: err instanceof Error ? err : new Error(String(err)) };
        }
      }
    });
    placing.set(dir, next);
    void next.finally(() => { if (placing.get(dir) === next) placing.delete(dir); }).catch(() => undefined);
    await next;
  }
  await Promise.all([...folders].map(fsyncDirAsync));
  return out;
}

/** PARTIAL (flushed) renamed as TO says, without a flush: the caller fsyncs the folders. */
function placeNow(partial: string, to: Placing): string {
  const named = join(to.dir, to.name);
  if (to.conflict === 'replace') {
    renameSync(partial, named);
    return named;
  }
  if (to.conflict === 'keep-both') {
    const final = freeNameIn(to.dir, to.name);
    renameSync(partial, final);
    return final;
  }
  // `fail`: a link fails when the name is taken (a rename would replace what is there).
  try {
    linkSync(partial, named);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new VssError('ALREADY_EXISTS', `${named} exists already`, { path: named });
    if (!(code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS')) throw err;
    if (existsSync(named)) throw new VssError('ALREADY_EXISTS', `${named} exists already`, { path: named });
    renameSync(partial, named);
    return named;
  }
  unlinkSync(partial);
  return named;
}

/**
 * Put a verified partial in place of the file at TO (its mode and time set first), the file there
 * kept under the name ASIDE beside it (a repair's damaged file): a hard link to it is made first,
 * so the name goes from the old bytes to the new in one rename and a kill anywhere leaves the old
 * bytes under one name or both. A filesystem without hard links (FAT, exFAT) renames the old file
 * aside first: the best it allows, a moment without the name. Returns where the partial went.
 */
export async function placeKeepingAside(partial: string, to: Omit<Placing, 'conflict'>, aside: string): Promise<string> {
  const final = join(to.dir, to.name);
  try {
    await link(final, aside);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (!(code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS')) throw err;
    await place(final, aside, { synced: true });
  }
  return placeLanded(partial, { ...to, conflict: 'replace' });
}
