import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { VssError } from '../../core/errors.js';
import { DaemonHttp } from '../../api/remote/daemon-http.js';
import { startDaemon } from '../spawn.js';
import { daemonStatus, findRunningDaemon, type RunningDaemon } from '../../api/remote/status.js';
import type { Ticket } from './session.js';
import type { PairTicket } from './static.js';
import { defaultWebDir } from './web-dir.js';

export interface UiAddress {
  /** `http://127.0.0.1:PORT/ui/?ticket=T`: opening it once, before `expires_at`, starts a browser session (then the ticket leaves the address bar). */
  url: string;
  /** When the address stops signing in (ISO time; a minute after it was made). */
  expires_at: string;
  /** The daemon's HTTP base. */
  http: string;
  /** The pid of the daemon this call started, or null when one was running already. */
  started: number | null;
  /** Whether the web UI's app is built beside this install (the daemon answers 503 until it is). */
  built: boolean;
}

const WAIT_MS = 15_000;
const POLL_MS = 100;

/** A pairing address for a phone or another browser (`vss ui pair`): on the home network when the daemon serves it. */
export interface PairAddress {
  /** The address the phone is likeliest to reach, or the one asked for. */
  url: string;
  /** Every address that carries the ticket, best first. */
  urls: string[];
  expires_at: string;
  /** Whether URL is on the home network (else loopback: the daemon was not started with --lan). */
  lan: boolean;
  /** The certificate's fingerprint the phone's browser should show (null: not HTTPS). */
  tls_fingerprint: string | null;
  started: number | null;
}

/** A pairing address of DATA_DIR's daemon (started when none runs). */
export async function pairAddress(dataDir: string, opts: { name?: string; uploads_to?: string; may?: string; away?: boolean; address?: string } = {}): Promise<PairAddress> {
  const { running, started } = await ensureDaemon(dataDir);
  const pair = await askTicket<PairTicket>(dataDir, running, 'uiPair', opts);
  const url = pair.url ?? `${running.http}/ui/?ticket=${encodeURIComponent(pair.ticket)}`;
  // A daemon of an older vss answers one address.
  const urls = pair.urls?.length ? pair.urls : [url];
  return { url, urls, expires_at: pair.expires_at, lan: pair.lan === true, tls_fingerprint: pair.tls_fingerprint, started };
}

/** The web UI's address for DATA_DIR's daemon, starting the daemon when none runs. */
export async function uiAddress(dataDir: string): Promise<UiAddress> {
  const { running, started } = await ensureDaemon(dataDir);
  const ticket = await askTicket(dataDir, running, 'uiTicket');
  return {
    url: `${running.http}/ui/?ticket=${encodeURIComponent(ticket.ticket)}`, expires_at: ticket.expires_at,
    http: running.http, started, built: existsSync(join(defaultWebDir(), 'index.html')),
  };
}

/** DATA_DIR's daemon, answering: started when none runs (STARTED: its pid then). */
export async function ensureDaemon(dataDir: string): Promise<{ running: RunningDaemon; started: number | null }> {
  let started: number | null = null;
  if (!daemonStatus(dataDir).running) {
    try {
      started = (await startDaemon({ dataDir })).pid;
    } catch (err) {
      // Another command started it in the meantime: use that one.
      if (!(err instanceof VssError && err.code === 'ALREADY_EXISTS')) throw err;
    }
  }
  // A daemon that holds its pid file but is still starting has no address yet.
  const deadline = Date.now() + WAIT_MS;
  let running = findRunningDaemon(dataDir);
  while (!running && Date.now() < deadline && daemonStatus(dataDir).running) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    running = findRunningDaemon(dataDir);
  }
  if (!running) throw new VssError('NO_DAEMON', 'the daemon did not come up: see `vss daemon logs`', { path: dataDir });
  return { running, started };
}

/** A single-use ticket of the daemon's (OP: a desktop's sign-in, or a pairing address's). */
async function askTicket<T extends Ticket = Ticket>(dataDir: string, running: RunningDaemon, op: 'uiTicket' | 'uiPair', body?: object): Promise<T> {
  // The token stays with the CLI and the daemon: the browser gets a single-use ticket for a session.
  const client = new DaemonHttp({ socket: running.socket, token: running.token });
  try {
    return await client.call<T>(op, body ? { body } : {});
  } catch (err) {
    // A daemon started by an older vss has no tickets: it must be restarted, not worked around with its token.
    if (!(err instanceof VssError) && /^no such route/.test((err as Error).message)) {
      throw new VssError('UNAVAILABLE', 'the running daemon is older than this vss and cannot sign a browser in: `vss daemon stop`, then `vss ui` again', { path: dataDir });
    }
    throw err;
  } finally {
    client.close();
  }
}
