import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DaemonAddress } from './daemon-http.js';

/** PLACEHOLDER until the lifecycle branch lands: the daemon running for DATADIR, if any. */
export function findRunningDaemon(dataDir: string): (DaemonAddress & { pid: number }) | null {
  try {
    const pid = Number(readFileSync(join(dataDir, 'daemon.pid'), 'utf8').trim().split(/\s+/)[0]);
    if (!Number.isInteger(pid) || pid <= 0) return null;
    process.kill(pid, 0);
    const token = readFileSync(join(dataDir, 'daemon.token'), 'utf8').trim();
    return { pid, token, socket: join(dataDir, 'daemon.sock') };
  } catch {
    return null;
  }
}
