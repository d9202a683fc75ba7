import type { FastifyInstance } from 'fastify';
import type { DaemonCore, DaemonEvent } from '../daemon-core.js';
import { OPERATIONS } from '../../api/remote/protocol.js';
import { fields, optBool, optString, uuid } from './input.js';
import { partyOf } from '../request-party.js';

const HEARTBEAT_MS = 15_000;
/** A client that lets this much pile up unread is cut off rather than grow the daemon. */
const MAX_BUFFERED = 4 * 1024 * 1024;
/** Event streams open at once (browser tabs, `events --follow`, monitors); more are refused. */
const MAX_STREAMS = 64;
/** Of those, what the home network's browsers may hold together, and one paired browser alone: never all of them. */
const MAX_NETWORK_STREAMS = 16;
const MAX_BROWSER_STREAMS = 4;

/**
 * The core's events as Server-Sent Events (DESIGN §12): the recent ones first (from
 * `Last-Event-ID` when the client reconnects; none with `recent=false`), then as they happen;
 * `follow=false` ends after the recent ones. `library` keeps one library's. Progress events are dropped for a slow reader,
 * state changes never are (until the reader is so far behind that it is disconnected).
 */
export function registerEventStream(app: FastifyInstance, core: DaemonCore): void {
  let openStreams = 0;
  let networkStreams = 0;
  const byBrowser = new Map<string, number>();
  app.get(OPERATIONS.events.path, async (req, reply) => {
    const party = partyOf(req.raw);
    const network = party.lan || party.browser !== null;
    const q = fields(req.query);
    const library = optString(q, 'library');
    const libraryId = library === undefined ? undefined : uuid(library, 'library');
    const follow = optBool(q, 'follow') ?? true;
    const history = optBool(q, 'recent') ?? true;
    const lastId = Number(req.headers['last-event-id'] ?? optString(q, 'since') ?? 0) || 0;
    if (follow && openStreams >= MAX_STREAMS) {
      return reply.code(503).send({ error: { code: 'UNAVAILABLE', message: `already ${MAX_STREAMS} event streams open` } });
    }
    const browser = party.browser?.id ?? null;
    if (follow && network && (networkStreams >= MAX_NETWORK_STREAMS || (browser !== null && (byBrowser.get(browser) ?? 0) >= MAX_BROWSER_STREAMS))) {
      return reply.code(503).send({ error: { code: 'UNAVAILABLE', message: `this browser, or the home network's, has as many event streams open as it may (${MAX_BROWSER_STREAMS}; ${MAX_NETWORK_STREAMS} together)` } });
    }
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    const send = (e: DaemonEvent) => {
      if (libraryId !== undefined && e.library_id !== libraryId) return;
      if (res.destroyed) return;
      if (res.writableLength > MAX_BUFFERED) return void res.destroy();
      if (res.writableNeedDrain && e.type.endsWith(':progress')) return;
      res.write(`id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
    };
    if (history) for (const e of core.recentEvents(lastId)) send(e);
    if (!follow) return void res.end();
    res.write(': connected\n\n');
    openStreams++;
    if (network) networkStreams++;
    if (browser !== null) byBrowser.set(browser, (byBrowser.get(browser) ?? 0) + 1);
    const off = core.onEvent(send);
    const beat = setInterval(() => { if (!res.destroyed) res.write(': keep-alive\n\n'); }, HEARTBEAT_MS);
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      openStreams--;
      if (network) networkStreams--;
      if (browser !== null) {
        const left = (byBrowser.get(browser) ?? 1) - 1;
        if (left <= 0) byBrowser.delete(browser);
        else byBrowser.set(browser, left);
      }
      clearInterval(beat);
      off();
      offClose();
    };
    const offClose = core.onClose(() => { stop(); res.end(); });
    res.on('close', stop);
  });
}
