import { timingSafeEqual } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { Connection, Stream } from '@libp2p/interface';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { BrowserDevices } from '../device/browser-devices.js';
import { encodeHead, readHead, requestHead, sendAll, type FrameStream, type ResponseHead } from '../sync/net/http-frames.js';

/**
 * A browser away from home asks this device's API (issue 46 item 4): each `/vss/http/1` stream is
 * one request, answered by the daemon's own routes through `inject` (the same hooks, rights and
 * errors as over HTTP). Its peer id is what its Noise session proved, end to end through the relay
 * box: a browser paired away from home (`BrowserDevices.byPeerId`) does what its rights say; a
 * stranger may only pair, with a live pairing address's ticket (`POST /api/ui/pair-away`).
 *
 * The routes learn who it is from two headers the bridge sets (any a caller sent are dropped):
 * the bridge's secret, made at start and never sent anywhere, and the browser device's id (or the
 * stranger's peer id). The server's hook trusts them only with the secret (`server.ts`).
 */
export const BRIDGE_SECRET_HEADER = 'x-vss-bridge';
export const BRIDGE_BROWSER_HEADER = 'x-vss-bridge-browser';
export const BRIDGE_PEER_HEADER = 'x-vss-bridge-peer';
export const PAIR_AWAY_PATH = '/api/ui/pair-away';

/** A request's head must come this soon after the stream opened. */
const HEAD_MS = 30_000;
/** Headers a caller's request does not pass on: the connection's own, the credentials of other paths, and the bridge's. */
const DROPPED = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'proxy-authorization', 'authorization', 'cookie', 'content-length']);

export interface BridgeOptions {
  app: FastifyInstance;
  browsers: BrowserDevices;
  /** The guest of a live shared album whose browser key is PEERID (issue 61), by its id. */
  guestOf?: (peerId: string) => string | undefined;
  /** The bridge's secret (ApiServer.bridgeSecret). */
  secret: string;
  /** A Host the server's hook takes (this daemon's own loopback address). */
  host: () => string;
  log: Logger;
}

/** Whether VALUE is the bridge's SECRET. */
export function isBridgeSecret(value: unknown, secret: string): boolean {
  if (typeof value !== 'string' || value.length !== secret.length) return false;
  return timingSafeEqual(Buffer.from(value), Buffer.from(secret));
}

/** The handler of `/vss/http/1` streams. */
export function browserBridge(o: BridgeOptions): (stream: Stream, peerId: string, connection: Connection) => Promise<void> {
  return async (stream, peerId) => {
    try {
      await serveOne(stream, peerId);
    } catch (err) {
      // A browser that gave up on a request (a page left, an image no longer shown) closes its stream: not worth a warning.
      const closed = (err as Error).name === 'StreamStateError' || (err as Error).name === 'StreamResetError';
      o.log[closed ? 'debug' : 'warn']({ err, peer: peerId }, 'a request of a browser away from home failed');
      throw err;
    }
  };

  async function serveOne(stream: Stream, peerId: string): Promise<void> {
    const s = stream as unknown as FrameStream;
    const signal = AbortSignal.timeout(HEAD_MS);
    const onAbort = () => stream.abort(new Error(`no request head in ${HEAD_MS / 1000} s`));
    signal.addEventListener('abort', onAbort, { once: true });
    let head;
    let body: ReadableStream<Uint8Array>;
    try {
      ({ head, body } = await readHead(s, requestHead));
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    const device = o.browsers.byPeerId(peerId);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(head.headers)) if (!DROPPED.has(k) && !k.startsWith('x-vss-bridge')) headers[k] = v;
    headers.host = o.host();
    headers[BRIDGE_SECRET_HEADER] = o.secret;
    // Who the browser is, as its Noise key proved: a paired browser, or a shared album's guest; the key itself always (a guest opening another link of the same home).
    const guest = device ? undefined : o.guestOf?.(peerId);
    if (device || guest) headers[BRIDGE_BROWSER_HEADER] = device?.id ?? guest!;
    headers[BRIDGE_PEER_HEADER] = peerId;
    const withBody = head.method !== 'GET' && head.method !== 'HEAD';
    const res = await o.app.inject({
      method: head.method as 'GET',
      url: head.path,
      headers,
      ...(withBody ? { payload: Readable.fromWeb(body as unknown as NodeReadableStream<Uint8Array>) } : {}),
      payloadAsStream: true,
    });
    const out: ResponseHead = { status: res.statusCode, headers: {} };
    for (const [k, v] of Object.entries(res.headers)) {
      if (v === undefined || k === 'connection' || k === 'keep-alive' || k === 'transfer-encoding') continue;
      out.headers[k] = Array.isArray(v) ? v.map(String) : String(v);
    }
    s.send(encodeHead(out));
    await sendAll(s, res.stream());
    await stream.close();
    if (device) o.browsers.noteSeen(device.id);
  }
}
