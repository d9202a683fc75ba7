import { closeSync, fsyncSync, linkSync, lstatSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { LibraryLockedError, VssError, describeFsError, errnoCode } from './errors.js';
import { fsyncDir, tempPathFor, TEMP_PREFIX } from './fs-atomic.js';
import { isProcessAlive, procStat } from './proc-stat.js';

interface LockOwner {
  pid: number;
  hostname: string;
  /** Kernel start time of the process (Linux), to tell a live owner from a reused PID. */
  procStart: string | null;
  acquiredAt: string;
  /** Makes every lock's content unique, so "still the lock I judged" is a plain comparison. */
  nonce?: string;
}

/** How deep a takeover may go when takers themselves die mid-takeover (each level needs one more death). */
const MAX_CLAIM_DEPTH = 4;
const CLAIM_INFIX = '.takeover-';

/**
 * One process at a time may hold a lock file (a library, a data dir, a daemon). The file names its owner; a lock whose owner
 * on this host is dead (or whose PID now belongs to another process) is stale and taken over.
 *
 * Why the takeover is safe: a lock file appears whole (written to a temp file, then hard-linked
 * into place, which fails if one exists) and is only ever replaced by rename, never deleted by a
 * taker. To replace a stale lock with content X, a taker must first win the claim file
 * `<lock>.takeover-<digest of X>`, which is itself a lock of this same kind. Only the claim's
 * holder may touch a lock whose content is still X, so two takers that both judged X stale can
 * never have the slower one remove the faster one's fresh lock.
 */
export class FileLock {
  private released = false;
  private readonly onExit = () => this.release();

  private constructor(readonly path: string, private readonly token: string) {
    process.once('exit', this.onExit);
  }

  static acquire(path: string): FileLock {
    const lock = new FileLock(path, acquireFile(path, 0));
    sweepLeftovers(path, lock.token);
    return lock;
  }

  /**
   * Hold the lock at PATH for a short critical section (a read-modify-write of a small file),
   * waiting up to `waitMs` while another process has it.
   */
  static withLock<T>(path: string, fn: () => T, waitMs = 10_000): T {
    const deadline = Date.now() + waitMs;
    let lock: FileLock;
    for (let pause = 2; ; pause = Math.min(pause * 2, 50)) {
      try {
        lock = FileLock.acquire(path);
        break;
      } catch (err) {
        if (!(err instanceof LibraryLockedError) || Date.now() >= deadline) throw err;
        sleepSync(pause);
      }
    }
    try {
      return fn();
    } finally {
      lock.release();
    }
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    process.off('exit', this.onExit);
    // Nobody else rewrites a live holder's lock, so this read-then-unlink cannot remove another's.
    try {
      if (readFileSync(this.path, 'utf8') === this.token) unlinkSync(this.path);
    } catch {
      // Already removed: nothing to release.
    }
  }
}

/** Take the lock file at PATH (a claim when depth > 0); returns the token written into it. */
function acquireFile(path: string, depth: number): string {
  const me: LockOwner = {
    pid: process.pid, hostname: hostname(), procStart: procStartTime(process.pid),
    acquiredAt: new Date().toISOString(), nonce: randomBytes(8).toString('hex'),
  };
  const token = JSON.stringify(me);
  const staged = stageToken(path, token);
  try {
    for (let attempt = 0; attempt < 50; attempt++) {
      if (linkInto(staged, path)) return token;
      const held = readLock(path);
      if (held === 'gone') continue;
      if (held.owner && held.owner.hostname !== hostname()) {
        throw new LibraryLockedError(path, `${describeOwner(held.owner)} (another machine; delete the lock file if that machine no longer has it open)`);
      }
      if (held.owner && isAlive(held.owner)) throw new LibraryLockedError(path, describeOwner(held.owner));
      if (depth >= MAX_CLAIM_DEPTH) break;
      if (replaceStale(path, held.raw, staged, depth)) return token;
      // Another taker got there first, or is at it now: look again at what holds the lock.
      sleepSync(1 + attempt);
    }
    throw new LibraryLockedError(path, 'another process (the lock keeps changing hands)');
  } finally {
    try { unlinkSync(staged); } catch { /* renamed into place */ }
  }
}

/**
 * Put STAGED at PATH in place of the stale content RAW, if this process wins the claim for RAW
 * and PATH still holds RAW. False when another taker holds the claim or already replaced it.
 */
function replaceStale(path: string, raw: string, staged: string, depth: number): boolean {
  const claimPath = `${path}${CLAIM_INFIX}${createHash('sha256').update(raw).digest('hex').slice(0, 16)}`;
  let claim: string;
  try {
    claim = acquireFile(claimPath, depth + 1);
  } catch (err) {
    if (err instanceof LibraryLockedError) return false;
    throw err;
  }
  try {
    // Holding the claim, nobody else may change a lock whose content is RAW.
    if (readLockRaw(path) !== raw) return false;
    renameSync(staged, path);
    fsyncDir(dirname(path));
    return true;
  } finally {
    try {
      if (readFileSync(claimPath, 'utf8') === claim) unlinkSync(claimPath);
    } catch { /* swept by a later holder */ }
  }
}

/** Write TOKEN to a temp file beside PATH and make it durable, ready to be linked into place. */
function stageToken(path: string, token: string): string {
  const staged = tempPathFor(path);
  let fd: number;
  try {
    fd = openSync(staged, 'wx', 0o644);
  } catch (err) {
    throw new VssError('IO', `cannot create the lock: ${(err as Error).message}`, { path, cause: err });
  }
  try {
    writeSync(fd, token);
    fsyncSync(fd);
  } catch (err) {
    // A full disk, say: no half-written lock may stay behind.
    closeSync(fd);
    try { unlinkSync(staged); } catch { /* already gone */ }
    throw new VssError('IO', `cannot write the lock: ${describeFsError(err)}`, { path, cause: err });
  }
  closeSync(fd);
  return staged;
}

/** Make PATH a second name of STAGED unless PATH exists: a lock appears whole or not at all. */
function linkInto(staged: string, path: string): boolean {
  try {
    linkSync(staged, path);
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') return false;
    throw new VssError('IO', `cannot create the lock: ${(err as Error).message}`, { path, cause: err });
  }
  fsyncDir(dirname(path));
  return true;
}

/**
 * Claims and staged tokens left by processes killed mid-takeover. Once this process holds the
 * lock, every claim names a content the lock can never hold again, so all of them may go; a
 * staged token is removed only when old, since another contender may be about to link its own.
 */
function sweepLeftovers(path: string, token: string): void {
  const dir = dirname(path);
  const name = basename(path);
  const mine = `${name}${CLAIM_INFIX}${createHash('sha256').update(token).digest('hex').slice(0, 16)}`;
  let names: string[];
  try { names = readdirSync(dir); } catch { return; }
  for (const n of names) {
    const claim = n.startsWith(name + CLAIM_INFIX) && !n.startsWith(mine);
    const staged = n.startsWith(`${TEMP_PREFIX}${name}`);
    if (!claim && !staged) continue;
    try {
      if (staged && Date.now() - lstatSync(join(dir, n)).mtimeMs < 60_000) continue;
      unlinkSync(join(dir, n));
    } catch { /* gone already */ }
  }
}

function readLockRaw(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return null;
    throw new VssError('IO', `cannot read the lock: ${(err as Error).message}`, { path, cause: err });
  }
}

/** The lock's content and, when it parses, its owner; an unparsable lock (hand-made, damaged) has no owner. */
function readLock(path: string): { owner: LockOwner | null; raw: string } | 'gone' {
  const raw = readLockRaw(path);
  if (raw === null) return 'gone';
  try {
    const owner = JSON.parse(raw) as LockOwner;
    if (typeof owner.pid !== 'number' || typeof owner.hostname !== 'string') return { owner: null, raw };
    return { owner, raw };
  } catch {
    return { owner: null, raw };
  }
}

function isAlive(owner: LockOwner): boolean {
  return isProcessAlive(owner.pid, owner.procStart);
}

function describeOwner(owner: LockOwner): string {
  return `process ${owner.pid} on ${owner.hostname} since ${owner.acquiredAt}`;
}

function procStartTime(pid: number): string | null {
  return procStat(pid)?.startTime ?? null;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}
