import { closeSync, openSync, readFileSync, unlinkSync, writeSync, fsyncSync } from 'node:fs';
import { hostname } from 'node:os';
import { LibraryLockedError, VssError, errnoCode } from '../core/errors.js';

interface LockOwner {
  pid: number;
  hostname: string;
  /** Kernel start time of the process (Linux), to tell a live owner from a reused PID. */
  procStart: string | null;
  acquiredAt: string;
}

/**
 * One process at a time may open a library. The lock file names its owner; a lock whose owner
 * on this host is dead (or whose PID now belongs to another process) is stale and taken over.
 */
export class LibraryLock {
  private released = false;
  private readonly onExit = () => this.release();

  private constructor(readonly path: string, private readonly token: string) {
    process.once('exit', this.onExit);
  }

  static acquire(path: string): LibraryLock {
    const me: LockOwner = { pid: process.pid, hostname: hostname(), procStart: procStartTime(process.pid), acquiredAt: new Date().toISOString() };
    const token = JSON.stringify(me);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(path, 'wx', 0o644);
        try {
          writeSync(fd, token);
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        return new LibraryLock(path, token);
      } catch (err) {
        if (errnoCode(err) !== 'EEXIST') {
          throw new VssError('IO', `cannot create the library lock: ${(err as Error).message}`, { path, cause: err });
        }
      }
      const held = readLock(path);
      if (held === 'gone') continue;
      if (held !== 'unreadable' && held.owner.hostname !== hostname()) {
        throw new LibraryLockedError(path, `${describeOwner(held.owner)} (another machine; delete the lock file if that machine no longer has it open)`);
      }
      if (held !== 'unreadable' && isAlive(held.owner)) {
        throw new LibraryLockedError(path, describeOwner(held.owner));
      }
      // Stale: only remove the file if it is still the one we judged, so we never delete a fresh lock.
      const raw = held === 'unreadable' ? null : held.raw;
      try {
        const now = readFileSync(path, 'utf8');
        if (raw === null || now === raw) unlinkSync(path);
      } catch (err) {
        if (errnoCode(err) !== 'ENOENT') throw err;
      }
    }
    throw new LibraryLockedError(path, 'another process (the lock keeps changing hands)');
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    process.off('exit', this.onExit);
    try {
      if (readFileSync(this.path, 'utf8') === this.token) unlinkSync(this.path);
    } catch {
      // Already removed: nothing to release.
    }
  }
}

function readLock(path: string): { owner: LockOwner; raw: string } | 'gone' | 'unreadable' {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (err) {
    return errnoCode(err) === 'ENOENT' ? 'gone' : 'unreadable';
  }
  try {
    const owner = JSON.parse(raw) as LockOwner;
    if (typeof owner.pid !== 'number' || typeof owner.hostname !== 'string') return 'unreadable';
    return { owner, raw };
  } catch {
    // A lock torn by a crash between create and write: nobody can own it.
    return 'unreadable';
  }
}

function isAlive(owner: LockOwner): boolean {
  if (owner.pid === process.pid) return true;
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    if (errnoCode(err) === 'ESRCH') return false;
  }
  const start = procStartTime(owner.pid);
  return !(owner.procStart && start && start !== owner.procStart);
}

function describeOwner(owner: LockOwner): string {
  return `process ${owner.pid} on ${owner.hostname} since ${owner.acquiredAt}`;
}

/** Field 22 of /proc/PID/stat; null where there is no procfs. */
function procStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19] ?? null;
  } catch {
    return null;
  }
}
