import { randomBytes } from 'node:crypto';
import { chmodSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { VssError } from '../core/errors.js';
import { errorReply } from './error-reply.js';
export { errorReply, STATUS_OF_CODE } from './error-reply.js';
import type { ErrorBody, HttpErrorCode } from '../api/remote/protocol.js';
import { tokenMatches } from '../api/remote/token.js';
import { SIGNED_OUT, type SignedOutReason } from '../api/remote/signed-out.js';
import { needsUiHeader, refusedOrigin, UI_HEADER, UiSessions } from './ui/session.js';
import { isUiPath } from './ui/static.js';
import { homeUrls, hostPort } from './lan/lan-addresses.js';
import { setParty } from './request-party.js';
import { SessionBudget } from './connection-limits.js';
import { browserMayCall, guestMayCall } from './ui/browser-rights.js';
import { answerUnseen, type Unseen } from './ui/unseen.js';
import { VIEW_ONLY, type BrowserRights } from '../device/browser-devices.js';
import type { ShareScope } from '../device/shares.js';
import { BRIDGE_BROWSER_HEADER, BRIDGE_PEER_HEADER, BRIDGE_SECRET_HEADER, isBridgeSecret, PAIR_AWAY_PATH } from './p2p-http.js';
import { lazySchemaCompilers } from './schema-compilers.js';



/** The one route a browser with no session may ask (a shared album's link is its credential). */
const SHARE_OPEN_PATH = '/api/share/open';
const GUEST_REFUSED = 'a guest of a shared album sees that album and nothing else';

/** Limits: the API takes small JSON commands, never uploads. */
const LIMITS = {
  bodyBytes: 1024 * 1024,
  /** Time to receive a whole request (headers and body), not to answer it: event streams stay open. */
  requestMs: 30_000,
  headersMs: 10_000,
  keepAliveMs: 5_000,
  /** At a stop, how long answers already written may take to reach their clients. */
  drainMs: 1_000,
  /** Connections open at once on one home-network address of this device, and from one address there. */
  lanConnections: 256,
  lanConnectionsPerAddress: 32,
  /** Of those, connections that have not shown a session (N4: a flood of them cannot keep a signed-in phone out). */
  lanUnproven: 64,
  /** A TLS handshake on the home network must be done in this long (Node's default is two minutes). */
  handshakeMs: 5_000,
} as const;

/** Unix socket paths are short (sun_path: 108 bytes on Linux, 104 on macOS, with the final NUL). */
const MAX_SOCKET_PATH_BYTES = process.platform === 'linux' ? 107 : 103;

export interface ApiServerOptions {
  log: Logger;
  /** The bearer token every request must carry. */
  token: string;
}

export interface ApiServer {
  /** Register routes on this before `listen`. */
  readonly app: FastifyInstance;
  /** The web UI's browser sessions (in memory), whose cookie stands in for the token on requests from the app. */
  readonly sessions: UiSessions;
  /** Whether REQ came over the home network (`--lan`), not this machine's own address or socket. */
  viaLan(req: http.IncomingMessage): boolean;
  /** End every connection the paired browser ID has open (it was revoked): an event stream or a download stops now. */
  endBrowser(id: string): void;
  /** The secret the bridge of browsers away from home sets on the requests it injects (p2p-http.ts); never sent anywhere. */
  readonly bridgeSecret: string;
  /** What a paired browser that may not view the library is never told, for the browser ID (ui/unseen.ts): known once the daemon's core is up. */
  keepUnseen(unseen: (id: string) => Unseen): void;
  /** A Host header this server takes (its loopback address), once it listens. */
  loopbackHost(): string;
  /**
   * Serve on the Unix socket SOCKET (owner-only) and on 127.0.0.1:PORT (0: a free port); with LAN,
   * on the home network's addresses too. WEB: the web app's addresses, the network's first.
   */
  listen(opts: { socket: string; port: number; lan?: LanListen }): Promise<{ http: string; port: number; web: string[] }>;
  /** Refuse new connections at once; connections in flight may finish. */
  stopAccepting(): void;
  /** Close both servers, ending whatever connections are still open (event streams). */
  close(): Promise<void>;
}

/**
 * The web app on the home network (issue 44): on ADDRESSES at PORT, over HTTPS with TLS (else plain
 * HTTP, asked for), answering only to requests that name one of ADDRESSES or NAMES in Host.
 */
export interface LanListen {
  addresses: readonly string[];
  names: readonly string[];
  port: number;
  tls: { cert: string; key: string } | null;
}

/**
 * One fastify app, served twice: on the Unix socket (the CLI) and on 127.0.0.1 (the web UI).
 * fastify's serverFactory hands over its request handler, which a second http.Server shares,
 * so routes, hooks and error handling are the same on both. Every request carries the bearer
 * token; on TCP only loopback peers naming this server in Host get in (DNS rebinding).
 */
export function createApiServer(opts: ApiServerOptions): ApiServer {
  const viaSocket = new WeakSet<http.IncomingMessage>();
  /** Requests that came over the home network: only a browser's session lets them in. */
  const viaLan = new WeakSet<http.IncomingMessage>();
  let socketServer: http.Server | undefined;
  let tcpServer: http.Server | undefined;
  const lanServers: http.Server[] = [];
  /** The connections each paired browser has made requests on: ended at once when it is revoked. */
  const browserSockets = new Map<string, Set<Socket>>();
  const holdFor = (id: string, socket: Socket): void => {
    let set = browserSockets.get(id);
    if (!set) browserSockets.set(id, (set = new Set()));
    if (set.has(socket)) return;
    set.add(socket);
    socket.once('close', () => {
      set.delete(socket);
      if (set.size === 0 && browserSockets.get(id) === set) browserSockets.delete(id);
    });
  };
  let handle: http.RequestListener | undefined;
  let allowedHosts = new Set<string>();
  let loopbackHost = '';
  const bridgeSecret = randomBytes(32).toString('base64url');
  let lanHosts = new Set<string>();
  const sessions = new UiSessions(opts.token);
  const lanBudget = new SessionBudget({ total: LIMITS.lanConnections, perAddress: LIMITS.lanConnectionsPerAddress, unproven: LIMITS.lanUnproven, firstRequestMs: LIMITS.headersMs });
  let unseenOf: ((id: string) => Unseen) | undefined;
  /** The party of REQ is a paired BROWSER: one that may not view is answered blinded, whatever answers it. */
  const browserParty = (req: FastifyRequest, reply: FastifyReply, lan: boolean, browser: { id: string; name: string; may: BrowserRights; share?: ShareScope }): void => {
    setParty(req.raw, { lan, browser: { id: browser.id, name: browser.name, may: { ...browser.may }, ...(browser.share ? { share: { ...browser.share } } : {}) } });
    if (!browser.may.view && unseenOf) answerUnseen(reply.raw, unseenOf(browser.id));
  };

  const app = Fastify({
    loggerInstance: opts.log as FastifyBaseLogger,
    // One line per request at info would drown the log; failures are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: LIMITS.bodyBytes,
    requestTimeout: LIMITS.requestMs,
    keepAliveTimeout: LIMITS.keepAliveMs,
    forceCloseConnections: 'idle',
    schemaController: lazySchemaCompilers,
    serverFactory: (handler) => {
      handle = handler;
      tcpServer = http.createServer(serverOptions(), handler);
      socketServer = http.createServer(serverOptions(), (req, res) => {
        viaSocket.add(req);
        handler(req, res);
      });
      socketServer.on('clientError', (_err, socket: Socket) => {
        if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
        else socket.destroy();
      });
      return tcpServer;
    },
  });

  app.addHook('onRequest', async (req, reply) => {
    // Node keeps the first of two Host (or Authorization) headers and drops the rest unseen: a
    // request that names two hosts or two credentials is ambiguous, so it is refused whole.
    const repeated = repeatedHeader(req.raw.rawHeaders);
    if (repeated) return deny(reply, 400, 'BAD_REQUEST', `more than one ${repeated} header`);
    // A browser away from home, through the bridge (p2p-http.ts): its Noise key said who it is.
    const bridged = req.headers[BRIDGE_SECRET_HEADER];
    if (bridged === undefined) {
      // What the bridge says is taken from the bridge alone.
      delete req.headers[BRIDGE_BROWSER_HEADER];
      delete req.headers[BRIDGE_PEER_HEADER];
    }
    if (bridged !== undefined) {
      if (!isBridgeSecret(bridged, bridgeSecret) || viaLan.has(req.raw) || viaSocket.has(req.raw)) return deny(reply, 403, 'FORBIDDEN', 'a bridged request comes from the bridge only');
      if (!req.url.startsWith('/api/')) return deny(reply, 404, 'ROUTE_NOT_FOUND', 'a browser away from home gets the web app from the relay box, and only the API from here');
      const id = req.headers[BRIDGE_BROWSER_HEADER];
      if (typeof id !== 'string') {
        if ((req.routeOptions.url === PAIR_AWAY_PATH || req.routeOptions.url === SHARE_OPEN_PATH) && req.method === 'POST') return;
        return deny(reply, 401, 'UNAUTHORIZED', 'this browser is not paired with this device: open a pairing address made with `vss ui pair --away` on it', 'none');
      }
      const browser = sessions.browserById(id) ?? sessions.guestById(id);
      if (!browser) return deny(reply, 401, 'UNAUTHORIZED', 'this browser is no longer paired with this device (revoked), or the album it was shown is no longer shared', 'revoked');
      browserParty(req, reply, false, browser);
      if (browser.share) {
        if (!guestMayCall(req.method, req.routeOptions.url, browser.share.upload)) return deny(reply, 403, 'FORBIDDEN', GUEST_REFUSED);
        return;
      }
      if (!browserMayCall(browser.may, req.method, req.routeOptions.url)) {
        const rights = Object.entries(browser.may).filter(([, on]) => on).map(([k]) => k).join(', ') || 'nothing';
        return deny(reply, 403, 'FORBIDDEN', `the browser ${browser.name} may ${rights}: not this (the rest is for this machine)`);
      }
      return;
    }
    if (viaLan.has(req.raw)) {
      if (!lanHosts.has((req.headers.host ?? '').toLowerCase())) return deny(reply, 403, 'FORBIDDEN', 'the Host header does not name this server');
      // The daemon's token never crosses the network: a device there is a paired browser, or nothing.
      if (req.headers.authorization !== undefined) return deny(reply, 403, 'FORBIDDEN', 'the daemon\'s token is taken on this machine only; a browser on the network signs in with the address `vss ui pair` prints');
      if (lanBudget.isUnproven(req.raw.socket) && sessions.authenticates(req.headers.cookie, true)) lanBudget.proven(req.raw.socket);
    } else if (!viaSocket.has(req.raw)) {
      if (!isLoopback(req.raw.socket.remoteAddress)) return deny(reply, 403, 'FORBIDDEN', 'only this machine may use the API');
      if (!allowedHosts.has((req.headers.host ?? '').toLowerCase())) {
        return deny(reply, 403, 'FORBIDDEN', 'the Host header does not name this server');
      }
    }
    // The web UI's pages check their own session (a ticket in the address, or the cookie) and answer in HTML.
    if (isUiPath(req.url)) return;
    // A shared album's link is its own credential (issue 61): opened by the app's page, never by another site's.
    if (req.routeOptions.url === SHARE_OPEN_PATH && req.method === 'POST' && req.headers.authorization === undefined) {
      const refused = refusedOrigin(req.headers['sec-fetch-site'], false);
      if (refused) return deny(reply, 403, 'FORBIDDEN', refused);
      if (req.headers[UI_HEADER] !== '1') return deny(reply, 403, 'FORBIDDEN', `opening a shared album's link must carry ${UI_HEADER}: 1`);
      return;
    }
    const m = viaLan.has(req.raw) ? null : /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? '');
    if (m && tokenMatches(m[1]!, opts.token)) return;
    if (!m && sessions.presented(req.headers.cookie)) {
      // Where the request comes from is judged first: a refused one does not keep a session alive.
      const refused = refusedOrigin(req.headers['sec-fetch-site'], false);
      if (refused) return deny(reply, 403, 'FORBIDDEN', refused);
    }
    const lan = viaLan.has(req.raw);
    const who = m ? undefined : sessions.signedIn(req.headers.cookie, lan);
    if (who) {
      if (who.browser) browserParty(req, reply, lan, who.browser);
      else setParty(req.raw, { lan, browser: null });
      // A guest of a shared album reaches its album and nothing else (browser-rights.ts GUEST_OPERATIONS).
      if (who.browser?.share && !guestMayCall(req.method, req.routeOptions.url, who.browser.share.upload)) return deny(reply, 403, 'FORBIDDEN', GUEST_REFUSED);
      // A paired browser (and any browser on the network) does what its rights say, and only that:
      // the rest is this machine's (browser-rights.ts).
      const may = who.browser?.share ? undefined : who.browser?.may ?? (lan ? VIEW_ONLY : undefined);
      if (may && !browserMayCall(may, req.method, req.routeOptions.url)) {
        const rights = Object.entries(may).filter(([, on]) => on).map(([k]) => k).join(', ') || 'nothing';
        return deny(reply, 403, 'FORBIDDEN', `${who.browser ? `the browser ${who.browser.name}` : 'a browser on the home network'} may ${rights}: not this (the rest is for this machine)`);
      }
      if (who.browser) holdFor(who.browser.id, req.raw.socket);
      if (needsUiHeader(req.method) && req.headers[UI_HEADER] !== '1') {
        return deny(reply, 403, 'FORBIDDEN', `a request the session cookie authenticates must carry ${UI_HEADER}: 1 to change anything`);
      }
      return;
    }
    // A browser is told why it is signed out, from the cookie it brought (the web app shows it: web/src/signed-out.tsx).
    const reason = sessions.whyNotSignedIn(req.headers.cookie);
    if (viaLan.has(req.raw)) return deny(reply, 401, 'UNAUTHORIZED', reason === 'none' ? 'this browser is not signed in to this device: open the address `vss ui pair` prints on it' : SIGNED_OUT[reason].why, reason);
    void reply.header('www-authenticate', 'Bearer');
    if (reason !== 'none') return deny(reply, 401, 'UNAUTHORIZED', SIGNED_OUT[reason].why, reason);
    return deny(reply, 401, 'UNAUTHORIZED', 'missing or wrong bearer token (it is in the data dir: daemon.token)', reason);
  });

  app.setErrorHandler((err: FastifyError | VssError, req: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = errorReply(err);
    if (status >= 500) req.log.error({ err, url: req.url, method: req.method }, 'request failed');
    return reply.code(status).send(body);
  });

  app.setNotFoundHandler((req, reply) => deny(reply, 404, 'ROUTE_NOT_FOUND', `no such route: ${req.method} ${req.url.split('?')[0]}`));

  /** One server a LAN address (never every interface: a network joined later is not served unasked). Its web app addresses. */
  async function listenLan(lan: LanListen): Promise<string[]> {
    const scheme = lan.tls ? 'https' : 'http';
    lanHosts = new Set([...lan.addresses, ...lan.names].map((h) => hostPort(h, lan.port).toLowerCase()));
    for (const address of lan.addresses) {
      const onRequest: http.RequestListener = (req, res) => {
        viaLan.add(req);
        handle!(req, res);
      };
      const server = lan.tls
        ? https.createServer({ ...serverOptions(), cert: lan.tls.cert, key: lan.tls.key, minVersion: 'TLSv1.2', handshakeTimeout: LIMITS.handshakeMs }, onRequest)
        : http.createServer(serverOptions(), onRequest);
      server.on('clientError', (_err, sock: Socket) => sock.destroy());
      // A home's browsers need a handful each; the network cannot hold more open than this, nor one address most of it.
      lanBudget.attach(server);
      lanServers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', (err: NodeJS.ErrnoException) => reject(new VssError('IO', err.code === 'EADDRINUSE'
          ? `port ${lan.port} on ${address} is taken: choose another with vss daemon start --lan --lan-port N`
          : `cannot serve the web app on ${hostPort(address, lan.port)}: ${err.message}`, { cause: err })));
        server.listen(lan.port, address, () => resolve());
      });
    }
    // Best first, the machine's `.local` name among them (its servers are these addresses').
    return homeUrls(scheme, lan.addresses, lan.names, lan.port);
  }

  return {
    app,
    sessions,
    viaLan: (req) => viaLan.has(req),
    bridgeSecret,
    loopbackHost: () => loopbackHost,
    keepUnseen(fn) {
      unseenOf = fn;
    },
    endBrowser(id) {
      for (const socket of browserSockets.get(id) ?? []) socket.destroy();
      browserSockets.delete(id);
    },
    async listen({ socket, port, lan }) {
      if (Buffer.byteLength(socket) > MAX_SOCKET_PATH_BYTES) {
        throw new VssError('IO', `the data dir's path is too long for a Unix socket (at most ${MAX_SOCKET_PATH_BYTES} bytes); use a shorter --data-dir`, { path: socket });
      }
      await app.listen({ host: '127.0.0.1', port });
      const bound = (tcpServer!.address() as AddressInfo).port;
      allowedHosts = new Set([`127.0.0.1:${bound}`, `localhost:${bound}`, `[::1]:${bound}`]);
      loopbackHost = `127.0.0.1:${bound}`;
      await new Promise<void>((resolve, reject) => {
        socketServer!.once('error', reject);
        socketServer!.listen(socket, () => {
          socketServer!.off('error', reject);
          resolve();
        });
      });
      // The token guards every request; owner-only keeps other users from even connecting.
      chmodSync(socket, 0o600);
      const web = lan ? await listenLan(lan) : [];
      return { http: `http://127.0.0.1:${bound}`, port: bound, web: [...web, `http://127.0.0.1:${bound}/ui/`] };
    },
    stopAccepting() {
      for (const s of [tcpServer, socketServer, ...lanServers]) {
        if (s?.listening) {
          s.close();
          s.closeIdleConnections();
        }
      }
    },
    async close() {
      const socketClosed = socketServer?.listening ? new Promise<void>((r) => socketServer!.close(() => r())) : Promise.resolve();
      // Answers already written (a scan's result line) still reach their clients: connections
      // close as they go idle, for a moment, before the rest are cut.
      const deadline = Date.now() + LIMITS.drainMs;
      while (Date.now() < deadline && (await openConnections(socketServer)) + (await openConnections(tcpServer)) > 0) {
        socketServer?.closeIdleConnections();
        tcpServer?.closeIdleConnections();
        await new Promise((r) => setTimeout(r, 20));
      }
      socketServer?.closeAllConnections();
      const lanClosed = lanServers.map((s) => (s.listening ? new Promise<void>((r) => s.close(() => r())) : Promise.resolve()));
      for (const s of lanServers) s.closeAllConnections();
      const appClosed = app.close();
      tcpServer?.closeAllConnections();
      await Promise.all([appClosed, socketClosed, ...lanClosed]);
    },
  };
}

function serverOptions(): http.ServerOptions {
  return { requestTimeout: LIMITS.requestMs, headersTimeout: LIMITS.headersMs, keepAliveTimeout: LIMITS.keepAliveMs };
}

/** Headers a request may carry once only. */
const SINGLE_HEADERS = new Map([['host', 'Host'], ['authorization', 'Authorization']]);

/** The first header of SINGLE_HEADERS that RAW (name, value, name, value, …) carries more than once. */
function repeatedHeader(raw: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (!SINGLE_HEADERS.has(name)) continue;
    if (seen.has(name)) return SINGLE_HEADERS.get(name);
    seen.add(name);
  }
  return undefined;
}

function deny(reply: FastifyReply, status: number, code: HttpErrorCode, message: string, reason?: SignedOutReason): FastifyReply {
  const body: ErrorBody = { error: { code, message, ...(reason !== undefined ? { reason } : {}) } };
  return reply.code(status).send(body);
}

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.') || address === '::1';
}

function openConnections(server: http.Server | undefined): Promise<number> {
  if (!server) return Promise.resolve(0);
  return new Promise((resolve) => server.getConnections((err, n) => resolve(err ? 0 : n)));
}
