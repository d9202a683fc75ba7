import type { Stream } from '@libp2p/interface';
import type { Logger } from 'pino';
import { PeerChannel } from '../messages/channel.js';
import { MEMBER_RECORDS_MAX, PEER_RECORD_BYTES } from '../messages/table.js';
import type { PeerNode } from './peer-node.js';

/** A push that takes longer than this is given up (the other side is slow or gone; the next connect tells again). */
const PUSH_TIMEOUT_MS = 5_000;
/** Records of devices not (yet) trusted kept at most: a member's admission arrives within seconds of its address. */
const PENDING_MAX = 256;

export interface MemberAddressesOptions {
  node: PeerNode;
  log: Logger;
  /** The paired devices that share a library with PEERID (peer ids, seen most recently first), PEERID left out. */
  sharedWith(peerId: string): string[];
  /** Whether PEERID is a paired device: a record of anyone else is dropped unread. */
  isPaired(peerId: string): boolean;
  /** A member's addresses, newer than any known, from its own signed record: remembered and dialled. */
  learned(peerId: string, addrs: string[]): void;
}

/**
 * Reconnecting through a third device (issue 19 item 6). Each device passes the members it is
 * connected to the signed peer records it holds of the other members they share a library with
 * (libp2p's envelope, as identify gave it or another member forwarded it): when A and B both
 * restart on new ports while C stays online, each reaches C at the address it remembers, and C
 * tells each where the other is now.
 *
 * Why signed records and not address strings: a record is signed by its own device's key, and
 * libp2p's peer store takes it only when that key signed it and it is newer than the one held, so
 * a member cannot make up or roll back another's addresses. Even so, an address only decides where
 * to dial: the connection is accepted only from the key pinned at pairing (the gater).
 */
export class MemberAddresses {
  /** Each member's certified addresses as last passed on: a record whose addresses did not change is not passed on again. */
  private readonly passedOn = new Map<string, string>();
  /** Records of devices not trusted here yet, as members passed them on (newest last, at most PENDING_MAX). */
  private readonly pending = new Map<string, { record: Uint8Array; from: string }>();

  constructor(private readonly opts: MemberAddressesOptions) {}

  /** TO connected: it is told where every member it shares a library with listens (as far as this device knows). */
  async tellAll(to: string): Promise<void> {
    const records = await this.recordsOf(this.opts.sharedWith(to));
    if (records.length > 0) await this.push(to, records);
  }

  /**
   * ABOUT's record may be new here (identify ran, or a member forwarded it): if its addresses
   * changed, the other connected members that share a library with it are told (EXCEPT: the one it came from).
   */
  async changed(about: string, except?: string): Promise<void> {
    const [record] = await this.recordsOf([about]);
    if (!record) return;
    const addrs = (await this.opts.node.certifiedAddrs(about)).sort().join(' ');
    if (this.passedOn.get(about) === addrs) return;
    this.passedOn.set(about, addrs);
    const online = new Set(this.opts.node.connectedPeers());
    const to = this.opts.sharedWith(about).filter((p) => p !== except && online.has(p));
    await Promise.all(to.map((p) => this.push(p, [record])));
  }

  /** A push from FROM (a paired device: the node serves this protocol to no one else). */
  async serve(stream: Stream, from: string): Promise<void> {
    const ch = new PeerChannel(stream, 'members');
    const { body } = await ch.receive(['members.records'], { signal: AbortSignal.timeout(PUSH_TIMEOUT_MS) });
    await ch.close();
    const self = this.opts.node.peerId;
    const seen = new Set<string>();
    for (const { peer_id: peerId, record } of body.records) {
      if (seen.has(peerId) || peerId === self) continue;
      seen.add(peerId);
      if (!this.opts.isPaired(peerId)) {
        // A member this device does not know yet (its admission is on its way in the library's
        // records): held, bounded, until it does (takePending), then taken like any other.
        this.pending.delete(peerId);
        this.pending.set(peerId, { record, from });
        while (this.pending.size > PENDING_MAX) this.pending.delete(this.pending.keys().next().value as string);
        continue;
      }
      await this.take(peerId, record, from);
    }
  }

  /** PEERIDS are members now: the records other members told of them while they were strangers here are taken. */
  async takePending(peerIds: string[]): Promise<void> {
    for (const peerId of peerIds) {
      const held = this.pending.get(peerId);
      if (!held || !this.opts.isPaired(peerId)) continue;
      this.pending.delete(peerId);
      await this.take(peerId, held.record, held.from);
    }
  }

  private async take(peerId: string, record: Uint8Array, from: string): Promise<void> {
    const addrs = await this.opts.node.acceptRecord(peerId, record);
    if (!addrs) return; // not its own signature, or not newer than the record held
    this.opts.log.debug({ peer: peerId, via: from, addrs }, 'a member told where another listens');
    this.opts.learned(peerId, addrs);
    await this.changed(peerId, from);
  }

  private async recordsOf(peerIds: string[]): Promise<Array<{ peer_id: string; record: Uint8Array }>> {
    const out: Array<{ peer_id: string; record: Uint8Array }> = [];
    for (const peerId of peerIds) {
      if (out.length >= MEMBER_RECORDS_MAX) break;
      const record = await this.opts.node.signedRecord(peerId);
      // A record above the bound (a device with very many addresses) would make the receiver refuse the whole push.
      if (record && record.byteLength <= PEER_RECORD_BYTES) out.push({ peer_id: peerId, record });
    }
    return out;
  }

  private async push(to: string, records: Array<{ peer_id: string; record: Uint8Array }>): Promise<void> {
    const signal = AbortSignal.timeout(PUSH_TIMEOUT_MS);
    try {
      const ch = new PeerChannel(await this.opts.node.openConnected(to, 'members', signal), 'members');
      await ch.send('members.records', { records }, signal);
      await ch.close();
    } catch (err) {
      // An older vss that does not speak /vss/members, or a peer gone meanwhile: it learns by other ways.
      this.opts.log.debug({ err, peer: to }, 'telling a member where others listen failed');
    }
  }
}
