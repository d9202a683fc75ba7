import '../../src/sync/net/polyfill.js';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { identify } from '@libp2p/identify';
import { tcp } from '@libp2p/tcp';
import { multiaddr } from '@multiformats/multiaddr';
import { createLibp2p, type Libp2p } from 'libp2p';
import { p2pFetch, type FrameStream, type P2pFetchInit } from '../../src/sync/net/http-frames.js';

export const HTTP_PROTOCOL = '/vss/http/1.0.0';

/**
 * A browser away from home as the home device sees it (issue 46 item 4), played by Node: its own
 * Ed25519 key, no listening address, reaching the home device through the relay box's circuit and
 * asking its API over `/vss/http/1`. Over TCP to the box, not a secure WebSocket (Node 20 has no
 * WebSocket client built in): what the box and the home check is the same either way.
 */
export class AwayBrowser {
  private constructor(private readonly node: Libp2p, readonly peerId: string) {}

  static async start(): Promise<AwayBrowser> {
    const node = await createLibp2p({
      privateKey: await generateKeyPair('Ed25519'),
      addresses: { listen: [] },
      transports: [tcp(), circuitRelayTransport()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: { identify: identify() },
      connectionGater: { denyDialMultiaddr: () => false },
    });
    return new AwayBrowser(node, node.peerId.toString());
  }

  /** fetch(PATH) of the home at CIRCUIT (the box's address + /p2p-circuit/p2p/HOME), over a connection dialled when none is open. */
  async fetch(circuit: string, path: string, init: P2pFetchInit = {}): Promise<Response> {
    const conn = await this.node.dial(multiaddr(circuit), { signal: AbortSignal.timeout(15_000) });
    return p2pFetch(async () => (await conn.newStream(HTTP_PROTOCOL, { runOnLimitedConnection: true, signal: AbortSignal.timeout(15_000) })) as unknown as FrameStream, path, init);
  }

  /** Close every connection (the next fetch dials again). */
  async hangUpAll(): Promise<void> {
    await Promise.all(this.node.getConnections().map((c) => c.close().catch(() => undefined)));
  }

  /** Whether a connection to PEER is open now. */
  connectedTo(peer: string): boolean {
    return this.node.getConnections().some((c) => c.remotePeer.toString() === peer && c.status === 'open');
  }

  async stop(): Promise<void> {
    await this.node.stop();
  }
}
