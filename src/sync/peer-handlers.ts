import type { Logger } from 'pino';
import { serveAvailability } from './availability/exchange.js';
import { ensureInbox, readInbox } from './drop/inbox.js';
import { placeInLocation } from './drop/into-location.js';
import { readPeerForce } from './drop/peer-force.js';
import type { DropProgress, FileReceived } from '../core/events.js';
import { serveDrop } from './drop/receive.js';
import { serveFeeds } from './feeds/registry.js';
import { serveOriginal } from './library/originals.js';
import { serveBrowse } from './browse/serve-browse.js';
import { rowSignerOf } from './net/device-key.js';
import type { LibraryLink } from './library-link.js';
import { serveLock } from './locks/serve-lock.js';
import { serveRemovalNotice } from './members/removal-notice.js';
import type { Library } from '../library/library.js';
import { witnessesFor } from './locks/witnesses.js';
import type { NetworkHandlers } from './network.js';
import type { RemoteDevice } from './peer-link.js';
import { serveFetch } from './transfer/fetch-protocol.js';
import type { RateLimiter } from './transfer/rate-limiter.js';

/** What a device's protocol handlers reach of it: its data dir, the link of each library it shares, its upload budget, whom it trusts. */
export interface PeerHandlerHost {
  dataDir: string;
  /** The link of a library this device shares, by id (undefined: not open here). */
  linkOf(libraryId: string): LibraryLink | undefined;
  /** What everything served draws from. */
  upload: RateLimiter;
  isPaired(deviceUuid: string): boolean;
  log: Logger;
  /** Told when a member told this device of its removal from LIB (issue 57). */
  membersChanged?(lib: Library): void;
  /** Told of a drop from REMOTE as it lands (the daemon's events). */
  onDropProgress?(remote: RemoteDevice, p: DropProgress): void;
  onReceived?(remote: RemoteDevice, f: FileReceived): void;
}

/**
 * The protocols a device serves its paired devices, one table (pairing aside: the pairing service
 * serves it to strangers too): what the daemon's node registers (peer-service.ts), and what a test
 * that runs devices without libp2p serves over its own streams, so the two never differ.
 */
export function peerHandlers(host: PeerHandlerHost): Omit<NetworkHandlers, 'pair' | 'browserHttp'> & Required<Pick<NetworkHandlers, 'drop' | 'lock'>> {
  const { linkOf } = host;
  const signer = rowSignerOf(host.dataDir);
  return {
    availability: (stream, remote) => serveAvailability(stream, remote, (id) => linkOf(id)?.availability),
    fetch: (stream, remote) => serveFetch(stream, remote, (id) => linkOf(id)?.transfers, host.upload),
    original: (stream, remote) => serveOriginal(stream, remote, (id) => linkOf(id)?.library),
    // Spacedrop: files sent here land in the device's inbox
    drop: (stream, remote) => serveDrop(stream, remote, {
      inbox: () => ensureInbox(readInbox(host.dataDir).dir),
      // Or into a folder of a location of this device (files copy|move DEVICE:/LOCATION/PATH)
      place: (r, req) => placeInLocation((id) => linkOf(id)?.library, r, req, {
        // A replace is weighed by this device's own Guardian, its witnesses asked over this node (DESIGN §19)
        witnesses: (lib) => witnessesFor(lib, linkOf(lib.config.id)?.network),
        peersMayForce: () => readPeerForce(host.dataDir),
      }),
      isPaired: (deviceUuid) => host.isPaired(deviceUuid),
      log: host.log.child({ module: 'drop' }),
      ...(host.onDropProgress ? { onProgress: (p: DropProgress) => host.onDropProgress!(remote, p) } : {}),
      ...(host.onReceived ? { onReceived: (f: FileReceived) => host.onReceived!(remote, f) } : {}),
    }),
    // Locks on this device's copies while another device drops its own (DESIGN §19)
    lock: (stream, remote) => serveLock(stream, remote, (id) => linkOf(id)?.library, host.log.child({ module: 'lock' })),
    // A folder this device made browsable (issue 59), read-only: listed, or a file of it read.
    browse: (stream, remote) => serveBrowse(stream, remote, host.dataDir),
    removal: (stream, remote) => serveRemovalNotice(stream, remote, (id) => linkOf(id)?.library, (lib) => host.membersChanged?.(lib)),
    feed: (stream, remote) => serveFeeds(stream, remote, (id) => linkOf(id)?.library, {
      onChanged: (r, libraryId, feed) => void linkOf(libraryId)?.feedChanged(r, feed),
      // This device's rows go out signed: a member may pass them on (DESIGN §15 "Trust")
      signer,
    }),
  };
}
