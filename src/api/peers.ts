import { UsageError } from '../core/errors.js';
import type { PeerService, PeerServiceOptions } from '../sync/peer-service.js';

export type { PeerService, PeerServiceOptions, LibraryHost } from '../sync/peer-service.js';

/** Start the network side (DESIGN §9). libp2p loads here, in the daemon, never in a light command. */
export async function startPeerService(opts: PeerServiceOptions): Promise<PeerService> {
  const { PeerService } = await import('../sync/peer-service.js');
  return PeerService.start(opts);
}

/** `pair join`'s input, checked before a daemon is started for it: the words (count, list, checksum), the address and this device's new name. */
export async function checkPairJoin(words: string[], peer: string | undefined, name?: string, invite?: string): Promise<void> {
  const [{ parsePairingCode }, { parseMultiaddr }, { deviceNameProblem }, { parseInvite }] = await Promise.all([
    import('../sync/pairing/code.js'), import('../sync/net/multiaddrs.js'), import('../device/identity.js'), import('../sync/pairing/invite.js'),
  ]);
  if (invite !== undefined) parseInvite(invite);
  else parsePairingCode(words);
  if (peer !== undefined) parseMultiaddr(peer, { peer: true });
  const bad = name === undefined ? undefined : deviceNameProblem(name);
  if (bad !== undefined) throw new UsageError(bad);
}

/** A device's address as typed (`devices connect`): TCP, optionally ending in /p2p/<peer id>; checked before a daemon is started for it. */
export async function checkPeerAddress(addr: string): Promise<void> {
  const { parseMultiaddr } = await import('../sync/net/multiaddrs.js');
  parseMultiaddr(addr, { peer: true });
}

/** `daemon start --listen`'s addresses, checked before the daemon is spawned (a bad one is a usage error, not a failed start). */
export async function checkListenAddresses(addrs: readonly string[]): Promise<void> {
  // None given (every `daemon start` without --listen): the parser and its libp2p packages stay unloaded.
  if (addrs.length === 0) return;
  const { parseListenAddr } = await import('../sync/net/multiaddrs.js');
  for (const a of addrs) parseListenAddr(a);
}
