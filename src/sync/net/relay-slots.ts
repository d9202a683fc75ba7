import type { Logger } from 'pino';
import { isRelayedAddr } from './multiaddrs.js';
import type { PeerNode } from './peer-node.js';
import { WINDOW_ASK_MS } from './relay-windows.js';
import { PeerChannel } from '../messages/channel.js';
import type { PairedDevices } from '../pairing/paired-devices.js';

/** A relay that gave no slot is asked again this soon, then twice as late each time, this many times (≤ 31 s in all). */
const SLOT_RETRY_MS = 1_000;
const SLOT_RETRIES = 5;

export interface RelaySlotsOptions {
  /** The node running now: a retry for a node since replaced is dropped. */
  node(): PeerNode | undefined;
  stopped(): boolean;
  trust: PairedDevices;
  log: Logger;
  /** The browsers paired with this device away from home (issue 46 item 4), told to each relay. */
  browsers?: { peerIds(): string[] };
  /** This device's addresses changed (a slot gives it relayed ones). */
  onListening?: (addrs: string[]) => void;
  /** Dial every paired device again: a relay back reaches those only it reaches. */
  redialAll(): void;
}

/**
 * This device's side of the relays it holds a slot on (paired devices that relay): the slot asked
 * for, so the library's other devices reach this one through it wherever they are; which browsers
 * paired away from home it may carry here; and whether it may carry strangers here while a pairing
 * code is open. The relay's own side is `relay-windows.ts` and `relayed-browsers.ts`.
 */
export class RelaySlots {
  constructor(private readonly opts: RelaySlotsOptions) {}

  /**
   * A paired device that relays (it serves the relay protocol to this one) gets asked for a slot,
   * so the library's other devices can reach this one through it wherever they are. A slot ends
   * with the connection to the relay; identify on the next connection asks again.
   */
  async reserveIfRelay(node: PeerNode, peerId: string, addrs: string[], attempt = 0): Promise<void> {
    if (this.opts.trust.byPeerId(peerId) === undefined || !(await node.servesRelay(peerId))) return;
    if (node.relayedAddresses().some((a) => a.includes(`/p2p/${peerId}/p2p-circuit`))) return;
    // Where this device reached it: the relay's other addresses (its loopback, another LAN) may be nowhere from here.
    const direct = node.directAddrOf(peerId) ?? addrs.find((a) => !isRelayedAddr(a));
    if (!direct) return;
    try {
      const relayed = await node.reserveOn(direct);
      this.opts.log.info({ relay: peerId, relayed }, 'holding a slot on a relay');
      void this.tellRelayBrowsers(node, peerId);
      this.opts.onListening?.(node.addresses());
      // A relay back (restarted, or this device moved): the devices only it reaches are dialled through it now, not at the next round.
      this.opts.redialAll();
    } catch (err) {
      // A relay that is a member of the library may not have heard yet that this device is one
      // too (issue 46: the record travels as this device joins): asked again a few times.
      if (attempt < SLOT_RETRIES && this.opts.node() === node && !this.opts.stopped()) {
        setTimeout(() => void this.reserveIfRelay(node, peerId, addrs, attempt + 1), SLOT_RETRY_MS * 2 ** attempt).unref();
        this.opts.log.debug({ relay: peerId, err: (err as Error).message, attempt }, 'a relay gave no slot yet');
        return;
      }
      this.opts.log.warn({ relay: peerId, err: (err as Error).message }, 'a relay gave no slot');
    }
  }

  /** Tell each relay this device holds a slot on which browsers paired away from home it may carry to it (a browser paired or revoked). */
  async tellRelaysBrowsers(): Promise<void> {
    const node = this.opts.node();
    if (!node) return;
    await Promise.all([...relaysHeld(node)].map((relay) => this.tellRelayBrowsers(node, relay)));
  }

  private async tellRelayBrowsers(node: PeerNode, relay: string): Promise<void> {
    const browsers = this.opts.browsers?.peerIds() ?? [];
    try {
      const signal = AbortSignal.timeout(WINDOW_ASK_MS);
      const ch = new PeerChannel(await node.openConnected(relay, 'relayBrowsers', signal), 'relayBrowsers');
      await ch.send('relayBrowsers.set', { browsers }, signal);
      await ch.close();
    } catch (err) {
      // An older relay: browsers away from home are not carried through it.
      this.opts.log.debug({ err, relay }, 'telling a relay of the browsers paired away from home failed');
    }
  }

  /**
   * Ask each relay this device holds a slot on to carry strangers to it for FORMS (a pairing code
   * is open: a device elsewhere may join by an invite naming the relay), or no longer with 0.
   */
  async askRelaysForStrangers(forMs: number): Promise<void> {
    const node = this.opts.node();
    if (!node) return;
    await Promise.all([...relaysHeld(node)].map(async (relay) => {
      const signal = AbortSignal.timeout(WINDOW_ASK_MS);
      try {
        const ch = new PeerChannel(await node.openConnected(relay, 'relayWindow', signal), 'relayWindow');
        await ch.send('relayWindow.open', { for_ms: forMs }, signal);
        await ch.close();
      } catch (err) {
        // An older relay, or one gone: an invite through it fails for a stranger, as before; the words still work on a LAN.
        this.opts.log.debug({ err, relay }, 'asking a relay to carry strangers failed');
      }
    }));
  }
}

/** The relays NODE holds a slot on now (their ids, from its relayed addresses). */
function relaysHeld(node: PeerNode): Set<string> {
  return new Set(node.relayedAddresses().map((a) => /\/p2p\/([^/]+)\/p2p-circuit/.exec(a)?.[1]).filter((r): r is string => r !== undefined));
}
