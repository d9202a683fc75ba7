import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { webSockets } from '@libp2p/websockets';

/**
 * Browsers reach a relay box over a secure WebSocket on the port that serves them the web app
 * (issue 46 item 4; docs/spikes/browser-through-the-box): the box's HTTPS server owns the port and
 * TLS, and hands each `Upgrade:` request for `/` to libp2p's own WebSocket listener, which runs the
 * handshake and libp2p's inbound upgrade (Noise, yamux) as for any connection. One port: networks
 * that allow only 443 work, and the page's `connect-src 'self'` allows it as it is.
 *
 * @libp2p/websockets 10 takes no outside server: the listener is caught as the transport makes it
 * (it must itself listen somewhere: on loopback, told to no one, see `WSS_INTERNAL_LISTEN`).
 */
export class WssHandoff {
  private listener: { onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void; wsServer?: { options?: { maxPayload?: number } } } | undefined;

  /** The WebSocket transport for the node, its listener caught here. */
  transport(): ReturnType<typeof webSockets> {
    const factory = webSockets();
    return (components) => {
      const t = factory(components);
      const create = t.createListener.bind(t);
      t.createListener = (o) => {
        const made = create(o);
        const l = made as unknown as NonNullable<WssHandoff['listener']>;
        // One WebSocket message carries one Noise frame (at most 64 KiB): ws would take 100 MiB.
        if (l.wsServer?.options) l.wsServer.options.maxPayload = MAX_WS_MESSAGE_BYTES;
        this.listener = l;
        return made;
      };
      return t;
    };
  }

  /** The HTTPS server's `upgrade`: a WebSocket at `/` goes to libp2p, anything else is ended. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    let path: string;
    try {
      path = new URL(req.url ?? '', 'https://box').pathname;
    } catch {
      path = '';
    }
    if (!this.listener || path !== '/' || (req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
      socket.destroy();
      return;
    }
    this.listener.onUpgrade(req, socket, head);
  }
}

/** A WebSocket message a browser may send the box, at most. */
const MAX_WS_MESSAGE_BYTES = 1024 * 1024;
