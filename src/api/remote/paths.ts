import { join } from 'node:path';

/**
 * The daemon's files in its data dir (DESIGN §12): the one place their names are spelled.
 * `pid` is the one-daemon-per-data-dir lock (taken atomically, replaced when its process is
 * gone); `ready` appears once the daemon answers and says where (its pid, socket, http URL).
 */
export const DAEMON_FILES = {
  pid: 'daemon.pid',
  ready: 'daemon.json',
  socket: 'daemon.sock',
  token: 'daemon.token',
  log: 'daemon.log',
} as const satisfies Record<string, string>;

export type DaemonFile = keyof typeof DAEMON_FILES;

export type DaemonPaths = { readonly [K in DaemonFile]: string };

export function daemonPaths(dataDir: string): DaemonPaths {
  const out = {} as Record<DaemonFile, string>;
  for (const [key, name] of Object.entries(DAEMON_FILES)) out[key as DaemonFile] = join(dataDir, name);
  return out;
}
