import type { PeerService, PeerServiceOptions } from '../sync/peer-service.js';

export type { PeerService, PeerServiceOptions, LibraryHost } from '../sync/peer-service.js';

/** Start the network side (DESIGN §9). libp2p loads here, in the daemon, never in a light command. */
export async function startPeerService(opts: PeerServiceOptions): Promise<PeerService> {
  const { PeerService } = await import('../sync/peer-service.js');
  return PeerService.start(opts);
}
