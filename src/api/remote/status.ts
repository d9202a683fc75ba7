import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { errnoCode } from '../../core/errors.js';
import { appDataDir, INSTANCES_DIR, instanceNameProblem, instanceOf } from '../../device/data-dir.js';
import { daemonPaths } from './paths.js';
import { liveHolder, liveReady } from './pidfile.js';
import { readToken } from './token.js';
import { readKeptListen } from '../../sync/net/network-switches.js';
import { readRemovedFrom } from '../../sync/members/removed-from.js';

/** `vss daemon status --json` (DESIGN §12), exactly these keys. */
export interface DaemonStatus {
  running: boolean;
  pid: number | null;
  instance: string | null;
  data_dir: string;
  socket: string | null;
  http: string | null;
  peer_id: string | null;
  listen: string[];
  /** Where the web app answers: every home-network address with `--lan` (`https://ADDR:PORT/ui/`), then loopback's. */
  web_urls: string[];
  /** The fingerprint of the home network's certificate, to compare with what a phone's browser shows (null: none). */
  tls_fingerprint: string | null;
  /** Where every start listens, as `daemon start --listen` kept it ([]: the default, every interface and any free port); shown whether it runs or not. */
  listen_kept: string[];
  /** The libraries this device was removed from (issue 57): their members refuse it. */
  removed_from: Array<{ library: string; by: string; at: string }>;
}

/** What a client needs to talk to a running daemon. */
export interface RunningDaemon {
  socket: string;
  token: string;
  http: string;
  pid: number;
}

/**
 * The daemon of DATA_DIR. A daemon that holds the pid file but does not answer yet (starting)
 * is running with no socket and no http; leftovers of a dead one are not running.
 */
export function daemonStatus(dataDir: string): DaemonStatus {
  const dir = resolve(dataDir);
  const paths = daemonPaths(dir);
  const instance = instanceOf(dir);
  const holder = liveHolder(paths.pid);
  const ready = holder ? liveReady(paths) : null;
  const answering = ready !== null && ready.pid === holder?.pid;
  return {
    running: holder !== null,
    pid: holder?.pid ?? null,
    instance,
    data_dir: dir,
    socket: answering ? ready.socket : null,
    http: answering ? ready.http : null,
    peer_id: answering ? ready.peer_id ?? null : null,
    listen: answering ? ready.listen : [],
    web_urls: answering ? ready.web_urls ?? [`${ready.http}/ui/`] : [],
    tls_fingerprint: answering ? ready.tls_fingerprint ?? null : null,
    listen_kept: readKeptListen(dir),
    removed_from: readRemovedFrom(dir).map((r) => ({ library: r.library, by: r.by, at: r.at })),
  };
}

/**
 * The daemon answering for DATA_DIR, or null when none is ready. Reads three small files and
 * /proc; never connects, so it costs well under a millisecond when no daemon runs.
 */
export function findRunningDaemon(dataDir: string): RunningDaemon | null {
  const paths = daemonPaths(resolve(dataDir));
  const ready = liveReady(paths);
  if (!ready) return null;
  const token = readToken(paths.token);
  if (token === null) return null;
  return { socket: ready.socket, token, http: ready.http, pid: ready.pid };
}

/**
 * The default data dir and every instance under <app-data>/instances, each with its daemon's
 * status; ALSO (the data dir in use, when given by path) comes first if it is neither.
 */
export function listDaemons(also?: string): DaemonStatus[] {
  const root = appDataDir();
  const dirs = [root];
  let names: string[] = [];
  try {
    names = readdirSync(join(root, INSTANCES_DIR), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
  for (const name of names.sort()) if (instanceNameProblem(name) === null) dirs.push(join(root, INSTANCES_DIR, name));
  if (also !== undefined && !dirs.includes(resolve(also))) dirs.unshift(resolve(also));
  return dirs.map((d) => daemonStatus(d));
}
