import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { Vss } from '../api/index.js';
import { log, logToFile } from '../core/log.js';
import { instanceOf } from '../device/data-dir.js';
import { DaemonCore } from './daemon-core.js';
import { rotateLogIfLarge } from './logs.js';
import { daemonPaths } from '../api/remote/paths.js';
import { removeIfPresent, type ReadyRecord } from '../api/remote/pidfile.js';
import { takeDaemonLock, writeReady } from '../api/remote/daemon-lock.js';
import { registerApi } from './routes/index.js';
import { registerUploadRoutes } from './routes/uploads.js';
import { createApiServer } from './server.js';
import { registerUiRoutes } from './ui/static.js';
import { registerShareRoutes } from './ui/share-routes.js';
import { PAIRING_TTL_MS as SHARE_WINDOW_MS } from '../sync/pairing/types.js';
import { MAX_BROWSER_DEVICES } from '../device/browser-devices.js';
import { ensureToken } from '../api/remote/token.js';
import { isLibp2pWriteOnClosingStream } from '../sync/net/peer-errors.js';
import { lanListen } from './lan/lan-listen.js';
import { readKeptListen, readNetworkSwitch } from '../sync/net/network-switches.js';
import { readBoxWeb } from './box/box-settings.js';
import type { BoxWeb } from './box/box-web.js';
import { browserBridge } from './p2p-http.js';
import type { PeerService } from '../api/index.js';

export interface RunDaemonOptions {
  dataDir: string;
  /** TCP port on 127.0.0.1; 0 (default) picks a free one, recorded in daemon.json. */
  port?: number;
  /** P2P multiaddrs to listen on; none: where `daemon start --listen` kept them, else the default. */
  listen?: string[];
}

export interface DaemonHandle {
  readonly ready: ReadyRecord;
  /** Stop gracefully (idempotent); resolves to the exit code once stopped. */
  stop(reason: string): Promise<number>;
  /** Resolves to the exit code when the daemon has stopped, however that was asked. */
  readonly stopped: Promise<number>;
}

/** SIGTERM to exit: DESIGN §12 allows 10 s; what is not closed by then is abandoned. */
export const SHUTDOWN_DEADLINE_MS = 9_000;

/**
 * The daemon of one data dir, in this process: logs to daemon.log, takes the pid file, serves
 * the API on daemon.sock and 127.0.0.1, and owns the core until `stop`. Stopping refuses new
 * connections, lets the core finish its writes and close, closes the servers and removes the
 * pid, socket and ready files; past the deadline the process exits anyway. The caller wires
 * the stop signals (the CLI's signal handling owns them) and exits when `stopped` resolves.
 */
export async function runDaemon(opts: RunDaemonOptions): Promise<DaemonHandle> {
  const dataDir = resolve(opts.dataDir);
  const paths = daemonPaths(dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  rotateLogIfLarge(paths.log);
  logToFile(paths.log);
  const dlog = log.child({ module: 'daemon' });

  const lock = takeDaemonLock(paths);
  // From here on this process is the data dir's one daemon: whatever socket or ready record
  // is still here was left by a dead one.
  removeIfPresent(paths.ready);
  removeIfPresent(paths.socket);
  const leftovers = () => {
    removeIfPresent(paths.ready);
    removeIfPresent(paths.socket);
    lock.release();
  };
  process.on('exit', leftovers);
  installCrashLogging(dlog);

  let core: DaemonCore | undefined;
  let box: BoxWeb | undefined;
  const token = ensureToken(paths.token);
  const server = createApiServer({ log: dlog, token });
  try {
    core = await DaemonCore.start({ vss: new Vss({ dataDir }), log: dlog });
    await registerApi(server.app, core);
    let pairBase: { urls: string[]; lan: boolean; fingerprint: string | null } | undefined;
    const uploads = await registerUploadRoutes(server.app, core);
    const c = core;
    const pairUploads = (name: string | undefined, dir: string | undefined): { library: string; dir: string } | null => {
      const lib = c.library();
      if (dir !== undefined) return { library: lib.id, dir: lib.uploads.folder(dir) };
      try {
        return { library: lib.id, dir: lib.uploads.defaultFolder(name ?? 'Phone') };
      } catch {
        // No location to put them in: this browser may not upload (the pairing says so).
        return null;
      }
    };
    // Known once the network side runs (below): the pairing routes ask it late.
    let peersLate: PeerService | undefined;
    registerUiRoutes(server.app, {
      token, sessions: server.sessions, viaLan: server.viaLan, pairBase: () => pairBase, pairUploads,
      away: {
        base: () => peersLate?.awayBase(),
        peerId: () => peersLate?.peerId ?? '',
        // The box carries strangers to this device while the address lives, so the browser can come to pair.
        opened: (forMs) => void peersLate?.askRelaysForStrangers(forMs),
        paired: () => void peersLate?.tellRelaysBrowsers().then(() => peersLate?.askRelaysForStrangers(c.shares.anyLive() ? SHARE_WINDOW_MS : 0)),
      },
    });
    server.sessions.keepBrowsers(core.browsers);
    server.sessions.keepShares(core.shares);
    // While an album is shared, the relay box carries strangers (a guest holding the link) to this device: asked again before each window ends.
    const shareWindow = (): void => {
      if (c.stopping) return clearInterval(windowTimer);
      void peersLate?.tellRelaysBrowsers().catch(() => undefined);
      if (c.shares.anyLive()) void peersLate?.askRelaysForStrangers(SHARE_WINDOW_MS).catch(() => undefined);
    };
    const windowTimer: NodeJS.Timeout = setInterval(shareWindow, SHARE_WINDOW_MS - 60_000);
    windowTimer.unref();
    registerShareRoutes(server.app, {
      token, sessions: server.sessions, shares: () => c.shares, library: (id) => c.library(id !== undefined ? { id } : undefined), viaLan: server.viaLan,
      base: () => pairBase,
      away: () => {
        const b = peersLate?.awayBase();
        return b && peersLate ? { url: b.url, peerId: peersLate.peerId } : undefined;
      },
      changed: () => shareWindow(),
      endGuest: (id) => server.endBrowser(id),
    });
    // What a browser that may not view is never told: this machine's paths and the libraries' names (ui/unseen.ts).
    server.keepUnseen((id) => {
      const libraries = c.vss.libraries.list();
      return { own: c.browsers.find(id)?.uploads_to?.dir ?? null, paths: [dataDir, homedir(), ...libraries.map((l) => l.path)], names: libraries.map((l) => l.name) };
    });
    core.browsers.onRevoked((id, device) => {
      server.endBrowser(id);
      if (device.peer_id !== undefined) {
        void peersLate?.hangUp(device.peer_id);
        void peersLate?.tellRelaysBrowsers();
      }
    });
    const browsers = core.browsers;
    let ready: ReadyRecord | undefined;
    let listening: string[] = [];
    // Every start, however it was asked (`daemon start`, a command starting it), listens where it was kept.
    const listen = opts.listen?.length ? opts.listen : readKeptListen(dataDir);
    // A relay box serving browsers away from home: its HTTPS port carries their WebSockets to the node.
    const boxSettings = readNetworkSwitch(dataDir, 'relay') ? readBoxWeb(dataDir) : null;
    // Loaded only here: most daemons serve no browsers away from home, and it brings libp2p's WebSockets.
    box = boxSettings ? await (await import('./box/box-web.js')).startBoxWeb(boxSettings, { log: dlog.child({ module: 'box-web' }), peerId: () => peersLate?.peerId ?? null }) : undefined;
    const peers = await core.startPeers({
      listen,
      ...(box ? { wss: { handoff: box.handoff, announce: box.announce } } : {}),
      // A shared album's guests away from home are carried and served as paired browsers are; while a share lives, a stranger holding its link may come in to open it.
      browsers: {
        peerIds: () => [...browsers.peerIds(), ...c.shares.peerIds()].slice(0, MAX_BROWSER_DEVICES),
        isBrowser: (p) => browsers.byPeerId(p) !== undefined || c.shares.byPeerId(p) !== undefined,
        pairingOpen: () => server.sessions.pairingOpen() || c.shares.anyLive(),
      },
      browserHttp: browserBridge({ app: server.app, browsers, guestOf: (p) => c.shares.byPeerId(p)?.guest.id, secret: server.bridgeSecret, host: () => server.loopbackHost(), log: dlog.child({ module: 'browser-bridge' }) }),
      // The node may start later (at a first pairing): the ready record then says where it listens.
      onListening: (addrs) => {
        listening = addrs;
        if (ready) ready = writeReady(paths, { ...ready, listen: addrs });
      },
    });
    peersLate = peers;
    // Shares live since before a restart: the box carries their guests again.
    if (core.shares.anyLive()) shareWindow();
    const lan = await lanListen(dataDir);
    const { http, web } = await server.listen({ socket: paths.socket, port: opts.port ?? 0, ...(lan ? { lan: lan.listen } : {}) });
    // The home network's addresses, best first, when it is served there (a phone cannot open loopback's, last).
    pairBase = { urls: web.length > 1 ? web.slice(0, -1) : web, lan: web.length > 1, fingerprint: web.length > 1 ? lan?.fingerprint ?? null : null };
    ready = writeReady(paths, {
      data_dir: dataDir, instance: instanceOf(dataDir), socket: paths.socket, http, peer_id: peers.peerId, listen: listening, listen_requested: listen,
      web_urls: box ? [box.url, ...web] : web, tls_fingerprint: lan?.fingerprint ?? null,
    });
    dlog.info({ pid: process.pid, data_dir: dataDir, socket: paths.socket, http, listen_requested: ready.listen_requested }, 'daemon started');
    // Uploads that arrived whole while the daemon last stopped before landing them land now.
    void uploads.sweep().catch((err: unknown) => dlog.warn({ err }, 'the uploads left could not be swept'));
    return handle(ready, core, server, dlog, leftovers, box);
  } catch (err) {
    dlog.error({ err }, 'daemon failed to start');
    await server.close().catch(() => undefined);
    await core?.close().catch(() => undefined);
    await box?.close().catch(() => undefined);
    process.off('exit', leftovers);
    leftovers();
    throw err;
  }
}

function handle(ready: ReadyRecord, core: DaemonCore, server: ReturnType<typeof createApiServer>, dlog: typeof log, leftovers: () => void, box: BoxWeb | undefined): DaemonHandle {
  let resolveStopped!: (code: number) => void;
  const stopped = new Promise<number>((r) => (resolveStopped = r));
  let stopping: Promise<number> | undefined;

  const stop = (reason: string): Promise<number> => {
    stopping ??= (async () => {
      const started = Date.now();
      dlog.info({ reason }, 'daemon stopping');
      const deadline = setTimeout(() => {
        dlog.error({ after_ms: Date.now() - started }, 'daemon did not stop in time; exiting anyway');
        process.exit(1);
      }, SHUTDOWN_DEADLINE_MS);
      // A stuck close must not keep the process up; a finished one must not be kept up by the timer.
      deadline.unref();
      let code = 0;
      server.stopAccepting();
      try {
        await core.close();
      } catch (err) {
        code = 1;
        dlog.error({ err }, 'closing the core failed');
      }
      await server.close().catch((err: unknown) => dlog.error({ err }, 'closing the servers failed'));
      // After the node (core.close): its WebSockets are upgraded sockets the HTTPS server no longer holds.
      await box?.close().catch((err: unknown) => dlog.error({ err }, 'closing the box\'s web server failed'));
      leftovers();
      process.off('exit', leftovers);
      dlog.info({ duration_ms: Date.now() - started }, 'daemon stopped');
      resolveStopped(code);
      return code;
    })();
    return stopping;
  };
  return { ready, stop, stopped };
}

let crashLoggingInstalled = false;

/** A daemon has no terminal: what would have been printed on a crash goes to its log. */
function installCrashLogging(dlog: typeof log): void {
  if (crashLoggingInstalled) return;
  crashLoggingInstalled = true;
  process.on('uncaughtException', (err) => {
    if (isLibp2pWriteOnClosingStream(err)) {
      dlog.warn({ err: err.message }, 'libp2p wrote to a stream that was closing (a connection through a relay going away); going on');
      return;
    }
    dlog.fatal({ err }, 'uncaught exception; exiting');
    process.exit(1);
  });
  // One failed promise (a request's background work) should not take down every library.
  process.on('unhandledRejection', (reason) => {
    dlog.error({ err: reason }, 'unhandled promise rejection');
  });
}
