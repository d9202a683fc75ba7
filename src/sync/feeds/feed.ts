import type { MessageIn, MessageOut } from '../messages/channel.js';
import type { FeedName } from '../messages/table.js';
import type { RemoteDevice } from '../peer-link.js';

/*
 * The feed contract (Syncthing's Index/IndexUpdate): a kind of data whose owner numbers its
 * changes and whose followers ask "what changed since my cursor". The engine (engine.ts) carries
 * every feed the same way over /vss/feed/1.0.0:
 *   pull     → head, page… end   the follower acks each page; the owner keeps at most `window` unacked
 *   changed  → ok                (the receiver then pulls)
 * A feed says only what its head and pages hold (two rows of the peer-message table,
 * `feed.<name>.head` and `feed.<name>.page`), how the owner reads them and how a follower takes them in.
 */

export type { FeedName } from '../messages/table.js';
export type HeadName<F extends FeedName> = `feed.${F}.head`;
export type PageName<F extends FeedName> = `feed.${F}.page`;

/** A pull cut off inside, to go on from (a feed whose pages carry a position). */
export interface Position {
  full: boolean;
  toSeq: number;
  afterSeq: number;
  afterId: number;
  afterName: string;
}

/** Where a follower stands in one owner's feed: its changes up to SEQ of EPOCH are taken in here. */
export interface Cursor {
  epoch: string | null;
  seq: number;
  resume?: Position;
}

/** What an owner answers a pull with: the head, then the pages (each a query at a time: nothing holds the database while a page travels). */
export interface Changes<F extends FeedName> {
  head: MessageOut<HeadName<F>>;
  pages(): Iterable<{ page: MessageOut<PageName<F>>; items: number }>;
  /** Where the follower stands once every page is in (asked after the last page). */
  toSeq(): number;
}

/** The owner's side of a feed in one library. */
export interface FeedSource<F extends FeedName> {
  /** What changed here since CURSOR, as FROM asked for it. */
  changesSince(cursor: Cursor, from: RemoteDevice): Changes<F>;
  /** Another device's changes held here, passed on as it signed them (a feed whose owners sign: the library's). */
  forwarded?(owner: string, cursor: Cursor, from: RemoteDevice): Changes<F>;
}

/** The follower's side of a feed in one library, for one owner. */
export interface FeedSink<F extends FeedName, R> {
  /** Where this device stands in the owner's feed. */
  cursor(): Cursor;
  /** The owner's head answers ASKED: checked (a VssError PEER refuses it), and the pull begins. */
  begin(head: MessageIn<HeadName<F>>, asked: Cursor): FeedPull<F, R>;
}

/** One pull under way. */
export interface FeedPull<F extends FeedName, R> {
  /** A page, checked whole before anything of it is taken (a VssError PEER refuses it); the items it held. */
  apply(page: MessageIn<PageName<F>>): number;
  /** The page is acked (the owner reads its next ones meanwhile): a moment to commit. */
  acked?(): void;
  /** The owner stopped the pull with an error: what came so far may be kept. */
  refused?(): void;
  /** Every page came and the counts agree: the cursor moves to END's `to_seq` (a feed may check it). */
  end(end: MessageIn<'feed.end'>): R;
  /** Whatever ended the pull (whole, cut off, refused). */
  close?(): void;
}

/** A feed as the engine knows it. */
export interface Feed<F extends FeedName> {
  name: F;
  /** Pages sent ahead of the acks: enough that the owner reads the next while the follower writes. */
  window: number;
}
