import type { Stream } from '@libp2p/interface';
import type { ProtocolName } from './messages/table.js';

/** A paired device as the network layer knows it once its key is checked. */
export interface RemoteDevice {
  /** The device's stable uuid (DESIGN §1), the `device_uuid` of its availability rows. */
  deviceUuid: string;
  /** Its libp2p peer id (from its Ed25519 key). */
  peerId: string;
  name: string;
  /** Libraries both devices share: a peer is served only these. */
  libraryIds: readonly string[];
  /** Its Ed25519 public key (SPKI PEM), as pinned when pairing. */
  publicKey?: string;
}

/**
 * What the sync parts (availability exchange, transfer, resolver, prefetch) get from the running
 * peer service: who is connected and a way to open a protocol stream to them. They never hold the
 * libp2p node themselves.
 */
export interface PeerLink {
  /** Paired devices connected now. */
  connected(): RemoteDevice[];
  /** Open one of our protocols to a connected (or dialable) paired device. */
  open(peerId: string, protocol: ProtocolName, signal?: AbortSignal): Promise<Stream>;
  /** Whether a paired device not connected now was lately (a cut link, a restart): it may be back soon. */
  recentlyOnline?(deviceUuid: string): boolean;
  /** Dial the paired devices not connected now, at once (someone waits for one of them). */
  redial?(): void;
  /**
   * Whether this process's network is still coming up (the node starting, or started moments
   * ago): a paired device not connected now may not have had the time to. A job that needs one
   * waits then without spending an attempt.
   */
  settling?(): boolean;
}

/** Serves one protocol stream from a paired device (the node has already checked the key). */
export type PeerStreamHandler = (stream: Stream, remote: RemoteDevice) => Promise<void>;
