import type { Stream } from '@libp2p/interface';
import type { Library } from '../../library/library.js';
import type { FeedName } from '../messages/table.js';
import type { RemoteDevice } from '../peer-link.js';
import { Availability } from '../availability/availability.js';
import { availabilityFeed, availabilitySource } from '../availability/exchange.js';
import { libraryFeed, librarySource } from '../library/exchange.js';
import type { RowSigner } from '../library/row-signature.js';
import { sharedFeed, sharedSource } from '../shared/exchange.js';
import { serveFeed, type FeedHost, type ServeFeedOptions } from './engine.js';
import type { Feed, FeedSource } from './feed.js';

/*
 * Every feed this device serves and follows (feed.ts), by name: a new kind of "what changed here
 * since a cursor" is one entry here (and its head and page rows in the peer-message table),
 * never a protocol of its own.
 */
const FEEDS: { [F in FeedName]: { feed: Feed<F>; source(lib: Library, signer?: RowSigner): FeedSource<F> } } = {
  availability: { feed: availabilityFeed, source: (lib) => availabilitySource(new Availability(lib)) },
  library: { feed: libraryFeed, source: (lib, signer) => librarySource(lib, signer) },
  shared: { feed: sharedFeed, source: sharedSource },
};

/** Serve one /vss/feed stream from a paired device: any feed of a library the two share (LIBOF: the library open here); SIGNER signs this device's rows. */
export function serveFeeds(stream: Stream, remote: RemoteDevice, libOf: (libraryId: string) => Library | undefined, opts: ServeFeedOptions & { signer?: RowSigner } = {}): Promise<void> {
  const host: FeedHost = {
    feed: (name) => FEEDS[name]?.feed,
    source: (libraryId, name) => {
      const lib = libOf(libraryId);
      return lib && (FEEDS[name].source(lib, opts.signer) as FeedSource<FeedName>);
    },
  };
  return serveFeed(stream, remote, host, opts);
}
