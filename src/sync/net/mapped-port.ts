import type { Connection, Stream } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import type { Logger } from 'pino';
import { PeerChannel } from '../messages/channel.js';
import type { PeerNode } from './peer-node.js';

/** How long one question may take: the answerer's dial (DIAL_MS) and the two messages. */
const ASK_MS = 10_000;
/** How long the answerer's dial back may take. */
const DIAL_MS = 6_000;
/** A mapped address nobody could confirm is asked about again after this (or when a device connects). */
const ASK_AGAIN_MS = 60_000;
/** Devices asked about one address, at most, one after the other. */
const ASK_AT_MOST = 4;

export interface MappedPortOptions {
  node: PeerNode;
  log: Logger;
  isPaired(peerId: string): boolean;
  /** An address was confirmed and is announced now (the daemon rewrites daemon.json). */
  confirmed(addr: string): void;
}

/**
 * A port mapped on the router (UPnP) is announced only once it is known to work (issue 29 item 3,
 * what AutoNAT does): a paired device connected directly is asked to dial this one at the mapped
 * address on a connection of its own (/vss/dialback). A router that maps but forwards nothing, or
 * a second NAT behind the router (carrier-grade NAT), would otherwise send every device elsewhere
 * to an address that never answers.
 */
export class MappedPortCheck {
  private readonly askedAt = new Map<string, number>();
  private asking = false;
  private readonly answering = new Set<string>();

  constructor(private readonly opts: MappedPortOptions) {}

  /** Called every second and when a device connects: asks about a mapped address when there is one to ask about and a device to ask. */
  tick(): void {
    if (this.asking) return;
    const now = Date.now();
    const addr = this.opts.node.unconfirmedMappedAddrs().find((a) => now - (this.askedAt.get(a) ?? -Infinity) >= ASK_AGAIN_MS);
    if (!addr) return;
    const peers = this.opts.node.directlyConnected().filter((p) => this.opts.isPaired(p)).slice(0, ASK_AT_MOST);
    if (peers.length === 0) return;
    this.asking = true;
    this.askedAt.set(addr, now);
    void this.ask(addr, peers).finally(() => { this.asking = false; });
  }

  /** A device connected: it may be the one outside that can answer. */
  deviceConnected(): void {
    this.askedAt.clear();
    this.tick();
  }

  private async ask(addr: string, peers: string[]): Promise<void> {
    const answers: Array<{ peer: string; reason: string }> = [];
    for (const peer of peers) {
      const signal = AbortSignal.timeout(ASK_MS);
      try {
        const ch = new PeerChannel(await this.opts.node.openConnected(peer, 'dialback', signal), 'dialback');
        await ch.send('dialback.ask', { addr }, signal);
        const { body } = await ch.receive(['dialback.result'], { signal });
        await ch.close();
        if (body.ok) {
          this.opts.node.confirmMapped(addr);
          this.opts.log.info({ addr, by: peer }, 'a paired device reached this one at its mapped port: announced');
          this.opts.confirmed(addr);
          return;
        }
        answers.push({ peer, reason: body.reason });
      } catch (err) {
        answers.push({ peer, reason: (err as Error).message });
      }
    }
    this.opts.log.warn({ addr, answers }, 'no paired device reached this one at its mapped port: not announced (the router may forward nothing, or a second NAT sits behind it)');
  }

  /**
   * Answer FROM's question: dial it at the address it names, only if that is where FROM's
   * connection comes from as this device sees it (a paired device cannot aim the dial elsewhere).
   */
  async serve(stream: Stream, from: string, connection: Connection): Promise<void> {
    const ch = new PeerChannel(stream, 'dialback');
    const { body } = await ch.receive(['dialback.ask'], { signal: AbortSignal.timeout(ASK_MS) });
    const refuse = (reason: string) => ch.send('dialback.result', { ok: false, refused: true, reason }).then(() => ch.close());
    const asked = tcpHostOf(body.addr);
    if (!asked) return refuse(`not an address to dial back: ${body.addr} (only /ip4|ip6/HOST/tcp/PORT)`);
    const seen = connection.direct ? tcpHostOf(connection.remoteAddr.toString(), true) : undefined;
    if (seen === undefined || seen !== asked) return refuse(`it is not where your connection comes from as this device sees it (${connection.remoteAddr.toString()})`);
    if (this.answering.has(from)) return refuse('a dial back for you is under way');
    this.answering.add(from);
    try {
      await this.opts.node.dialBack(body.addr, from, AbortSignal.timeout(DIAL_MS));
      await ch.send('dialback.result', { ok: true, refused: false, reason: '' });
    } catch (err) {
      await ch.send('dialback.result', { ok: false, refused: false, reason: `the dial failed: ${(err as Error).message}`.slice(0, 400) });
    } finally {
      this.answering.delete(from);
    }
    await ch.close();
  }
}

/** The host of a plain TCP address (/ip4|ip6/HOST/tcp/PORT, nothing else unless ANYTAIL), or undefined. */
function tcpHostOf(addr: string, anyTail = false): string | undefined {
  try {
    const parts = multiaddr(addr).getComponents();
    const [ip, tcp] = parts;
    if (!ip || !tcp || (ip.name !== 'ip4' && ip.name !== 'ip6') || tcp.name !== 'tcp') return undefined;
    if (!anyTail && parts.length !== 2) return undefined;
    return ip.value;
  } catch {
    return undefined;
  }
}
