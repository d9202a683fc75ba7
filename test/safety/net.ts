/**
 * The safety model's network: paired devices in one process, each protocol stream a pair of real
 * libp2p streams (`streamPair` of @libp2p/utils: the Stream a muxer hands out, with its
 * back-pressure) whose far end is served by the device's real handlers, wired as the daemon's
 * PeerService wires them (src/sync/peer-service.ts). No Noise or TCP: who is on the other end is
 * known here, so a partition is a switch, not a firewall rule, and costs nothing to flip.
 *
 * Keep `handlersOf` in step with PeerService's handler table: a protocol the daemon serves and this
 * does not is refused here as by an older peer.
 */
import type { Stream } from '@libp2p/interface';
import { streamPair } from '@libp2p/utils';
import type { Logger } from 'pino';
import type { LibraryLink, LinkNetwork } from '../../src/sync/library-link.js';
import type { ProtocolName } from '../../src/sync/messages/table.js';
import type { RemoteDevice } from '../../src/sync/peer-link.js';
import { serveAvailability } from '../../src/sync/availability/exchange.js';
import { serveFeeds } from '../../src/sync/feeds/registry.js';
import { serveOriginal } from '../../src/sync/library/originals.js';
import { ensureInbox, readInbox } from '../../src/sync/drop/inbox.js';
import { placeInLocation } from '../../src/sync/drop/into-location.js';
import { serveDrop } from '../../src/sync/drop/receive.js';
import { readPeerForce } from '../../src/sync/drop/peer-force.js';
import { serveLock } from '../../src/sync/locks/serve-lock.js';
import { witnessesFor } from '../../src/sync/locks/witnesses.js';
import { PairedDevices } from '../../src/sync/pairing/paired-devices.js';
import { serveFetch } from '../../src/sync/transfer/fetch-protocol.js';
import type { RateLimiter } from '../../src/sync/transfer/rate-limiter.js';

type Handler = (stream: Stream, remote: RemoteDevice) => Promise<void>;

/** What the network needs of a device that is up: its data dir and its library's link. */
export interface NetDevice {
  remote: RemoteDevice;
  dataDir: string;
  link(): LibraryLink | undefined;
  upload: RateLimiter;
  log: Logger;
}

/** A device's protocol handlers, as the daemon's PeerService serves them (minus pairing: the world pairs by its trust files). */
export function handlersOf(d: NetDevice): Partial<Record<ProtocolName, Handler>> {
  const linkOf = (id: string) => {
    const link = d.link();
    return link && link.libraryId === id ? link : undefined;
  };
  return {
    availability: (stream, remote) => serveAvailability(stream, remote, (id) => linkOf(id)?.availability),
    fetch: (stream, remote) => serveFetch(stream, remote, (id) => linkOf(id)?.transfers, d.upload),
    original: (stream, remote) => serveOriginal(stream, remote, (id) => linkOf(id)?.library),
    drop: (stream, remote) => serveDrop(stream, remote, {
      inbox: () => ensureInbox(readInbox(d.dataDir).dir),
      place: (r, req) => placeInLocation((id) => linkOf(id)?.library, r, req, {
        witnesses: (lib) => witnessesFor(lib, linkOf(lib.config.id)?.network),
        peersMayForce: () => readPeerForce(d.dataDir),
      }),
      isPaired: (deviceUuid) => PairedDevices.load(d.dataDir).get(deviceUuid) !== undefined,
      log: d.log,
    }),
    lock: (stream, remote) => serveLock(stream, remote, (id) => linkOf(id)?.library, d.log),
    feed: (stream, remote) => serveFeeds(stream, remote, (id) => linkOf(id)?.library, {
      onChanged: (r, libraryId, feed) => linkOf(libraryId)?.feedChanged(r, feed),
    }),
  };
}

/** The devices of one world and who can reach whom: a device is reachable while it is up and neither end is cut off. */
export class InProcessNet {
  private readonly up = new Map<string, { device: NetDevice; handlers: Partial<Record<ProtocolName, Handler>> }>();
  private readonly cut = new Set<string>();
  /** Streams served now, so a kill or a partition can close them under their users, as a dropped connection would. */
  private readonly open = new Set<{ a: Stream; b: Stream; between: [string, string] }>();
  /** Handler failures (a peer hung up mid-stream is normal; kept for a look when a sequence fails). */
  readonly served: Promise<void>[] = [];

  /** DEVICE is up (started, or reopened after a kill). */
  start(device: NetDevice): void {
    this.up.set(device.remote.deviceUuid, { device, handlers: handlersOf(device) });
  }

  /** DEVICEUUID is down (killed): its streams are cut. */
  stop(deviceUuid: string): void {
    this.up.delete(deviceUuid);
    this.abortStreamsOf(deviceUuid);
  }

  /** DEVICEUUID is cut off from every other device until `heal`. */
  partition(deviceUuid: string): void {
    this.cut.add(deviceUuid);
    this.abortStreamsOf(deviceUuid);
  }

  heal(deviceUuid: string): void {
    this.cut.delete(deviceUuid);
  }

  isCut(deviceUuid: string): boolean {
    return this.cut.has(deviceUuid);
  }

  /** Whether A and B reach each other now. */
  reach(a: string, b: string): boolean {
    return a !== b && this.up.has(a) && this.up.has(b) && !this.cut.has(a) && !this.cut.has(b);
  }

  /** The devices SELF reaches now, as its link sees them. */
  connected(self: string): RemoteDevice[] {
    return [...this.up.values()].filter((u) => this.reach(self, u.device.remote.deviceUuid)).map((u) => u.device.remote);
  }

  /** What SELF's library link is given: the reachable devices, and streams to them served by their handlers. */
  linkNetwork(self: string): LinkNetwork {
    return {
      connected: () => this.connected(self),
      open: (peerId, protocol, signal) => this.openStream(self, peerId, protocol, signal),
      recentlyOnline: () => false,
      redial: () => undefined,
      settling: () => false,
      seen: () => undefined,
      named: () => undefined,
    };
  }

  private async openStream(self: string, peerId: string, protocol: ProtocolName, signal?: AbortSignal): Promise<Stream> {
    signal?.throwIfAborted();
    const to = [...this.up.values()].find((u) => u.device.remote.peerId === peerId);
    const from = this.up.get(self);
    if (!to || !from || !this.reach(self, to.device.remote.deviceUuid)) throw new Error(`${peerId} is not connected`);
    const handler = to.handlers[protocol];
    if (!handler) throw new Error(`protocol selection failed: ${protocol} is not served`);
    const [a, b] = await streamPair();
    const entry = { a, b, between: [self, to.device.remote.deviceUuid] as [string, string] };
    this.open.add(entry);
    const served = handler(b, from.device.remote)
      .catch(() => undefined)
      .finally(() => {
        this.open.delete(entry);
        if (b.status === 'open') b.abort(new Error('served'));
      });
    this.served.push(served);
    if (this.served.length > 64) this.served.splice(0, this.served.length - 64);
    return a;
  }

  private abortStreamsOf(deviceUuid: string): void {
    for (const e of [...this.open]) {
      if (!e.between.includes(deviceUuid)) continue;
      this.open.delete(e);
      e.a.abort(new Error('the connection was cut'));
      e.b.abort(new Error('the connection was cut'));
    }
  }

  /** Every handler still serving has ended (after a step). */
  async quiet(): Promise<void> {
    await Promise.all(this.served.splice(0));
  }
}
