import { readFileSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { VssError, errnoCode } from '../../core/errors.js';
import { isProcessAlive } from '../../core/proc-stat.js';
import type { DaemonPaths } from './paths.js';

/** Who holds the daemon lock (daemon.pid), as the lock file records it. */
export interface LockHolder {
  pid: number;
  procStart: string | null;
  hostname: string;
}

/** daemon.json: written by the lock's holder once it answers, removed when it stops. */
export interface ReadyRecord {
  pid: number;
  proc_start: string | null;
  data_dir: string;
  instance: string | null;
  socket: string;
  http: string;
  /** The device's peer id (its Ed25519 key). */
  peer_id: string;
  /** The P2P engine's addresses with /p2p/<peer id> (none until it listens). */
  listen: string[];
  /** `--listen` as given, kept for the P2P engine. */
  listen_requested: string[];
  /** The web app's addresses: the home network's first (`daemon start --lan`), loopback last. Absent: an older daemon's record. */
  web_urls?: string[];
  /** The SHA-256 fingerprint of the certificate the home network is served with (null: not served over HTTPS). */
  tls_fingerprint?: string | null;
  started_at: string;
}

/** The pid file's holder, or null when there is none or it is unreadable (then it is stale). */
export function readLockHolder(path: string): LockHolder | null {
  const raw = readOrNull(path);
  if (raw === null) return null;
  try {
    const v = JSON.parse(raw) as { pid?: unknown; procStart?: unknown; hostname?: unknown };
    if (typeof v.pid !== 'number' || typeof v.hostname !== 'string') return null;
    return { pid: v.pid, procStart: typeof v.procStart === 'string' ? v.procStart : null, hostname: v.hostname };
  } catch {
    return null;
  }
}

/** The holder of the pid file if it still runs here, else null (no daemon, or its leftovers). */
export function liveHolder(path: string): LockHolder | null {
  const holder = readLockHolder(path);
  if (!holder || holder.hostname !== hostname()) return null;
  return isProcessAlive(holder.pid, holder.procStart) ? holder : null;
}

/** The ready record if its daemon still runs, else null. Reads two small files: no connect. */
export function liveReady(paths: DaemonPaths): ReadyRecord | null {
  const raw = readOrNull(paths.ready);
  if (raw === null) return null;
  let rec: ReadyRecord;
  try {
    rec = JSON.parse(raw) as ReadyRecord;
  } catch {
    return null;
  }
  if (typeof rec.pid !== 'number' || typeof rec.socket !== 'string' || typeof rec.http !== 'string') return null;
  return isProcessAlive(rec.pid, rec.proc_start ?? null) ? rec : null;
}

/** Remove FILE if present (a leftover or our own at exit). */
export function removeIfPresent(file: string): void {
  try {
    unlinkSync(file);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return null;
    throw new VssError('IO', `cannot read ${path}: ${(err as Error).message}`, { path, cause: err });
  }
}
