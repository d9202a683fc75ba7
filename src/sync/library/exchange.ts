import type { Stream } from '@libp2p/interface';
import { VssError } from '../../core/errors.js';
import type { Library } from '../../library/library.js';
import { pullFeed, serveFeed, type ServeFeedOptions } from '../feeds/engine.js';
import type { Feed, FeedPull, FeedSink, FeedSource } from '../feeds/feed.js';
import type { RemoteDevice } from '../peer-link.js';
import { forwardChanges } from './forward-changes.js';
import { ownerChanges, type HeadOut, type PageOut } from './owner-changes.js';
import { PeerLibrary, type HeldOwner } from './peer-library.js';
import type { RowSigner } from './row-signature.js';

/*
 * The device-owned rows feed (DESIGN §15): an owner's own rows of a library (its locations, its
 * folders' listings, the facts of their contents), never another device's; carried by the feed
 * engine (src/sync/feeds/). Its head says who the owner is now and its locations; its pages carry
 * their position, so a pull cut off goes on from the last page applied.
 */

/** Rows one pull may bring, at most (a library of 10 million entries is far past what vss is built for). */
const MAX_PULL_ENTRIES = 10_000_000;

/** Pages sent ahead of the acks: enough that the owner reads the next pages while the puller writes. */
export const libraryFeed: Feed<'library'> = { name: 'library', window: 4 };

/**
 * This device's own rows of LIB, as a peer asks for them (owner-changes.ts), signed with SIGNER
 * when given; and the other members' rows held here, passed on as their owners signed them
 * (forward-changes.ts). The head says whose rows this device passes on.
 */
export function librarySource(lib: Library, signer?: RowSigner): FeedSource<'library'> {
  return {
    changesSince(cursor, from) {
      const held = new PeerLibrary(lib).held(from.deviceUuid);
      return changesOf(ownerChanges(lib, cursor, { ...(signer ? { signer } : {}), held }));
    },
    forwarded(owner, cursor) {
      // Never resumed: a folder passed on is taken whole (its signature covers the whole listing).
      return changesOf(forwardChanges(lib, owner, { epoch: cursor.epoch, seq: cursor.seq }));
    },
  };
}

function changesOf({ head, pages }: { head: HeadOut; pages(): IterableIterator<PageOut> }): ReturnType<FeedSource<'library'>['changesSince']> {
  return {
    head,
    *pages() {
      for (const page of pages()) {
        let items = 0;
        for (const f of page.folders) items += f.entries.length;
        yield { page, items };
      }
    },
    toSeq: () => head.to_seq,
  };
}

export interface LibraryPullResult {
  /** The name the owner goes by now (its head says it at every pull). */
  name: string;
  /** Other members' rows the owner says it passes on (its head). */
  held: HeldOwner[];
  full: boolean;
  resumed: boolean;
  pages: number;
  entries: number;
  toSeq: number;
  /**
   * Whether the pull changed what this device holds of the owner: rows came or went, its locations
   * changed, or its place in the owner's feed moved (another epoch, another seq). A device with no folders of its own
   * answers every pull with a full copy of nothing: that is no news, and passing it on as news
   * had members with none pull each other on end, each telling the next.
   */
  news: boolean;
  ms: number;
}

type Pulled = Omit<LibraryPullResult, 'pages' | 'ms'>;

/**
 * REMOTE's own rows taken into PEERS: what changed since the last pull, or the rest of a pull that
 * was cut off. Each page is applied as it comes, with the cursor, whole or not at all, and
 * committed in batches of about a second: a pull killed at any moment leaves whole pages and
 * resumes after the last one committed. A head or page that speaks for another device, names a
 * location not announced, or does not add up is refused (VssError PEER); the pages before it stay
 * applied, as a cut-off pull's do.
 */
export function librarySink(peers: PeerLibrary, remote: RemoteDevice, onPage?: (pages: number, entries: number, committed: boolean) => void, via?: RemoteDevice): FeedSink<'library', Pulled> {
  return {
    // Through another member never resumed: a folder passed on is taken whole, so a cut-off one comes again.
    cursor: () => {
      if (!via) return peers.askOwner(remote.deviceUuid);
      const c = peers.askFor(remote.deviceUuid);
      return { epoch: c.epoch, seq: c.seq };
    },
    begin(head, asked): FeedPull<'library', Pulled> {
      const pull = peers.begin(remote, asked, head, via);
      // Pages are checked as they come and written a batch at a time, never in a transaction
      // held while the next page is awaited (DESIGN §19).
      const writer = peers.batchWriter();
      let pages = 0;
      let taken = 0;
      // A batch made as this page was taken, told of once the page is acked.
      let made = false;
      return {
        apply(page) {
          const checked = peers.checkPage(pull, page);
          made = writer.add(() => { peers.writePage(pull, checked); }, page.folders.length + page.contents.length);
          pages++;
          taken += checked.entries;
          return checked.entries;
        },
        acked() {
          const committed = writer.maybeFlush() || made;
          made = false;
          onPage?.(pages, taken, committed);
          if (taken > MAX_PULL_ENTRIES) throw new VssError('PEER', `library pull brings more than ${MAX_PULL_ENTRIES} entries`);
        },
        end(end) {
          if (end.to_seq !== pull.toSeq) throw new VssError('PEER', `library pull ended saying seq ${end.to_seq}; it sent to seq ${pull.toSeq}`);
          if (pull.forwarded?.open) throw new VssError('PEER', `library pull ended inside folder ${JSON.stringify(pull.forwarded.open.path).slice(0, 80)}`);
          writer.flush();
          peers.finish(pull);
          // A resumed pull's head was taken by the part cut off, which told nobody: its end is news.
          const news = pull.entries > 0 || pull.removed > 0 || pull.locationsChanged || head.resumed || asked.epoch !== head.epoch || asked.seq !== pull.toSeq;
          return { name: head.device.name, held: via ? [] : head.held ?? [], full: pull.full, resumed: head.resumed, entries: pull.entries, toSeq: pull.toSeq, news };
        },
        close() {
          // Every page taken is whole and checked: keep them, whatever ended the pull.
          try {
            writer.flush();
          } catch {
            // Cut off by the error the pull already ends with.
          }
        },
      };
    },
  };
}

/** Serve one feed stream of device-owned rows only (tests and benches; the daemon serves every feed with serveFeeds). */
export function serveLibrary(stream: Stream, remote: RemoteDevice, libOf: (libraryId: string) => Library | undefined, opts: ServeFeedOptions & { signer?: RowSigner } = {}): Promise<void> {
  return serveFeed(stream, remote, {
    feed: (name) => (name === 'library' ? libraryFeed : undefined),
    source: (libraryId, name) => {
      const lib = name === 'library' ? libOf(libraryId) : undefined;
      return lib && librarySource(lib, opts.signer);
    },
  }, opts);
}

/** Pull REMOTE's own rows of LIBRARY_ID into PEERS (see librarySink). */
export async function pullLibrary(stream: Stream, peers: PeerLibrary, remote: RemoteDevice, libraryId: string, opts: { signal?: AbortSignal; onPage?: (pages: number, entries: number, committed: boolean) => void } = {}): Promise<LibraryPullResult> {
  const started = performance.now();
  const got = await pullFeed(stream, 'library', libraryId, librarySink(peers, remote, opts.onPage), remote, opts.signal ? { signal: opts.signal } : {});
  return { name: got.name, held: got.held, full: got.full, resumed: got.resumed, pages: got.pages, entries: got.entries, toSeq: got.toSeq, news: got.news, ms: performance.now() - started };
}
