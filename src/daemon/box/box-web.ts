import { isIP, type AddressInfo } from 'node:net';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { VssError } from '../../core/errors.js';
import { WssHandoff } from '../../sync/net/wss-handoff.js';
import { limitConnections } from '../connection-limits.js';
import { userCert } from '../lan/device-cert.js';
import { hostPort } from '../lan/lan-addresses.js';
import { file, page } from '../ui/static.js';
import { defaultWebDir } from '../ui/web-dir.js';
import type { BoxWebSettings } from './box-settings.js';
import { lazySchemaCompilers } from '../schema-compilers.js';

/** What a page served by the box reads first: whose box it is, and where its libp2p listens for browsers. */
export interface BoxInfo {
  /** The box's libp2p peer id (null until its node runs). */
  peer_id: string | null;
  /** The secure WebSocket browsers dial: the page's own origin. */
  wss: string;
  /** The same as the box's libp2p address (`/dns/NAME/tcp/PORT/tls/ws/p2p/ID`), what a browser dials (null until its node runs). */
  multiaddr: string | null;
}

export const BOX_INFO_PATH = '/.well-known/vss-box.json';

const LIMITS = {
  /** A browser needs a handful; a box serves a few people's devices. */
  connections: 512,
  connectionsPerAddress: 32,
  handshakeMs: 10_000,
  headersMs: 10_000,
  requestMs: 30_000,
  keepAliveMs: 5_000,
} as const;

/** The box's web side, listening. */
export interface BoxWeb {
  /** Where browsers open the web app: `https://NAME:PORT/ui/`. */
  url: string;
  port: number;
  /** The secure WebSocket's multiaddr as the box announces it (`/dns4/NAME/tcp/PORT/tls/ws`). */
  announce: string;
  /** Hands the WebSocket upgrades to the node's listener (PeerNode's `wss.handoff`). */
  handoff: WssHandoff;
  close(): Promise<void>;
}

/**
 * A relay box serving browsers away from home (issue 46 item 4): over HTTPS with the user's
 * certificate on one port, the built web app (the same files the daemon serves at /ui/) and
 * BOX_INFO_PATH, and secure WebSockets at `/`, handed to libp2p. No API and no data: the box is not
 * the library, and what a browser asks of its home goes end to end through the box inside their
 * own Noise session. PEERID: the box's node's id once it runs.
 */
export async function startBoxWeb(settings: BoxWebSettings, o: { log: Logger; peerId: () => string | null; webDir?: string }): Promise<BoxWeb> {
  const { cert, key } = userCert(settings.cert, settings.key);
  const webDir = o.webDir ?? defaultWebDir();
  const handoff = new WssHandoff();
  const app: FastifyInstance = Fastify({
    loggerInstance: o.log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    https: { cert, key, minVersion: 'TLSv1.2', handshakeTimeout: LIMITS.handshakeMs },
    bodyLimit: 1024,
    requestTimeout: LIMITS.requestMs,
    keepAliveTimeout: LIMITS.keepAliveMs,
    forceCloseConnections: true,
    schemaController: lazySchemaCompilers,
  });
  const server = app.server;
  server.headersTimeout = LIMITS.headersMs;
  limitConnections(server, LIMITS.connections, LIMITS.connectionsPerAddress);
  server.on('upgrade', (req, socket, head) => handoff.upgrade(req, socket, head));

  let port = settings.port;
  const origin = () => hostPort(settings.name, port);
  const proto = isIP(settings.name) === 4 ? 'ip4' : isIP(settings.name) === 6 ? 'ip6' : 'dns';
  const announce = () => `/${proto}/${settings.name}/tcp/${port}/tls/ws`;
  app.get('/', (_req, reply) => reply.code(308).header('location', '/ui/').send());
  app.get('/ui', (_req, reply) => reply.code(308).header('location', '/ui/').send());
  app.get('/ui/', (req, reply) => file(req, reply, webDir, 'index.html'));
  app.get('/ui/*', (req, reply) => {
    const rest = (req.params as { '*': string })['*'];
    const parts = rest.split('/');
    if (parts.length > 4 || !parts.every((p) => /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(p) && !p.includes('..'))) return page(reply, 404, 'Not found', 'There is no such file in the web UI.');
    return file(req, reply, webDir, rest);
  });
  app.get(BOX_INFO_PATH, (_req, reply) => {
    const id = o.peerId();
    const info: BoxInfo = { peer_id: id, wss: `wss://${origin()}/`, multiaddr: id === null ? null : `${announce()}/p2p/${id}` };
    return reply.header('cache-control', 'no-store').send(info);
  });
  app.setNotFoundHandler((_req, reply) => page(reply, 404, 'Not found', 'This is a vss relay box: it serves the web app at /ui/ and nothing else.'));

  try {
    await app.listen({ host: '0.0.0.0', port: settings.port });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new VssError('IO', code === 'EADDRINUSE'
      ? `port ${settings.port} is taken: choose another with vss daemon start --box-web PORT`
      : `cannot serve browsers on port ${settings.port}: ${(err as Error).message}`, { cause: err });
  }
  port = (server.address() as AddressInfo).port;
  return {
    url: `https://${origin()}/ui/`,
    port,
    announce: announce(),
    handoff,
    close: async () => {
      server.closeAllConnections();
      await app.close();
    },
  };
}
