import { LibraryLockedError, VssError } from '../../core/errors.js';
import { writeFileAtomicSync } from '../../core/fs-atomic.js';
import { procStat } from '../../core/proc-stat.js';
import { FileLock } from '../../core/file-lock.js';
import type { DaemonPaths } from './paths.js';
import { readLockHolder, type ReadyRecord } from './pidfile.js';

/*
 * The daemon's side of its pid and ready files: taking the lock and saying where it answers. A
 * client reads them (pidfile.ts) without loading what writes them.
 */

/**
 * Become the one daemon of this data dir. The pid file is a lock of the library lock's kind:
 * it appears whole or not at all, and one left by a dead daemon (or naming a pid that a later,
 * unrelated process now has) is taken over, safely even when two starts race for it.
 */
export function takeDaemonLock(paths: DaemonPaths): FileLock {
  try {
    return FileLock.acquire(paths.pid);
  } catch (err) {
    if (!(err instanceof LibraryLockedError)) throw err;
    const holder = readLockHolder(paths.pid);
    throw new VssError('ALREADY_EXISTS', `the daemon already runs for this data dir (pid ${holder?.pid ?? 'unknown'})`, { path: paths.pid, cause: err });
  }
}

export function writeReady(paths: DaemonPaths, record: Omit<ReadyRecord, 'pid' | 'proc_start' | 'started_at'>): ReadyRecord {
  const full: ReadyRecord = { pid: process.pid, proc_start: procStat(process.pid)?.startTime ?? null, started_at: new Date().toISOString(), ...record };
  writeFileAtomicSync(paths.ready, JSON.stringify(full, null, 2) + '\n');
  return full;
}
