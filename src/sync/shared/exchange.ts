import type { Stream } from '@libp2p/interface';
import type { Library } from '../../library/library.js';
import { SharedData } from '../../tags/shared-data.js';
import { fullStateOps, pruneSharedLog } from '../../tags/shared-log.js';
import { Availability } from '../availability/availability.js';
import { pullFeed, serveFeed, type ServeFeedOptions } from '../feeds/engine.js';
import type { Changes, Cursor, Feed, FeedPull, FeedSink, FeedSource } from '../feeds/feed.js';
import type { MessageOut } from '../messages/channel.js';
import { SHARED_OP_CHARS, SHARED_PAGE_OPS } from '../messages/table.js';
import type { RemoteDevice } from '../peer-link.js';

/*
 * The shared-data feed: the sender's log of operations on shared data, its own and those it took
 * in from others (DESIGN §15: any member may change shared data, so a device that met only one
 * member still gets every member's changes). Carried by the feed engine (src/sync/feeds/).
 */

/** A puller merges pages in one transaction until they hold this many operations (a few pages). */
const MERGE_OPS = 16_384;
/** A page's operations stop growing past this many characters (the frame's bound is 2 MiB). */
const PAGE_CHARS = 1024 * 1024;

type SharedPage = MessageOut<'feed.shared.page'>;

/** The feed's name and how far the owner reads ahead of the acks (one page: each is acked before the next). */
export const sharedFeed: Feed<'shared'> = { name: 'shared', window: 1 };

/** This device's log of LIB's shared data, as a peer asks for it. */
export function sharedSource(lib: Library): FeedSource<'shared'> {
  return {
    changesSince(cursor: Cursor, from: RemoteDevice): Changes<'shared'> {
      const epoch = new Availability(lib).epoch();
      const asked = cursor.epoch === epoch ? cursor.seq : 0;
      // Its pull says how far it has read this log: what every member has read is pruned.
      if (cursor.epoch === epoch) lib.store.sharedAcks.set(from.deviceUuid, asked);
      pruneSharedLog(lib);
      const head = lib.store.sharedOps.head();
      const oldest = lib.store.sharedOps.oldest();
      // What it has not read was pruned: the whole state instead, its cursor moving only at the end.
      const full = asked < head && (oldest === undefined || oldest > asked + 1);
      let seq = asked;
      function* pages(): IterableIterator<{ page: SharedPage; items: number }> {
        if (full) {
          let ops: string[] = [];
          let chars = 0;
          for (const op of fullStateOps(lib)) {
            const text = JSON.stringify(op);
            if (text.length > SHARED_OP_CHARS) continue;
            if (ops.length >= SHARED_PAGE_OPS || (ops.length > 0 && chars + text.length > PAGE_CHARS)) {
              yield { page: { seq: asked, ops }, items: ops.length };
              ops = [];
              chars = 0;
            }
            ops.push(text);
            chars += text.length;
          }
          if (ops.length > 0) yield { page: { seq: asked, ops }, items: ops.length };
          seq = head;
        }
        while (seq < head) {
          const rows = lib.store.sharedOps.since(seq, SHARED_PAGE_OPS);
          if (rows.length === 0) break;
          const ops: string[] = [];
          let chars = 0;
          for (const r of rows) {
            if (ops.length > 0 && chars + r.op.length > PAGE_CHARS) break;
            seq = r.seq;
            // An operation this device logged is at most a note's size; anything larger is not sent.
            if (r.op.length > SHARED_OP_CHARS) continue;
            ops.push(r.op);
            chars += r.op.length;
          }
          yield { page: { seq, ops }, items: ops.length };
        }
      }
      // Where the pages sent end: the head once they all went; short of it when the log ended early
      // under the pull, and then the puller asks again from there (a whole state, if it was pruned).
      return { head: { epoch, full, from_seq: asked, to_seq: head }, pages, toSeq: () => seq };
    },
  };
}

export interface SharedPullResult {
  pages: number;
  applied: number;
  known: number;
  refused: number;
}

/**
 * REMOTE's log of LIB's shared data taken in from where this device stopped: each page's
 * operations checked and merged (each once, in any order), then the cursor moved. A pull cut off
 * goes on from the last page taken in; operations that came twice change nothing. Pages are
 * merged a few at a time (up to MERGE_OPS operations) in one transaction with the cursor.
 */
export function sharedSink(lib: Library, remote: RemoteDevice): FeedSink<'shared', Omit<SharedPullResult, 'pages'>> {
  const cursors = lib.store.feedCursors;
  return {
    cursor: () => {
      const at = cursors.get(remote.deviceUuid, 'shared');
      return { epoch: at?.epoch ?? null, seq: at?.seq ?? 0 };
    },
    begin(head): FeedPull<'shared', Omit<SharedPullResult, 'pages'>> {
      const shared = new SharedData(lib);
      const out = { applied: 0, known: 0, refused: 0 };
      let pages: unknown[][] = [];
      let waiting = 0;
      let upTo: number | undefined;
      const merge = () => {
        if (upTo === undefined) return;
        const seq = upTo;
        const got = shared.receiveBatches(pages, remote.deviceUuid, () => cursors.set(remote.deviceUuid, 'shared', head.epoch, seq));
        out.applied += got.applied;
        out.known += got.known;
        out.refused += got.refused.length;
        pages = [];
        waiting = 0;
        upTo = undefined;
      };
      return {
        apply(page) {
          const ops: unknown[] = [];
          for (const text of page.ops) {
            try {
              ops.push(JSON.parse(text));
            } catch {
              out.refused++;
            }
          }
          pages.push(ops);
          waiting += ops.length;
          upTo = page.seq;
          return page.ops.length;
        },
        acked() {
          if (waiting >= MERGE_OPS) merge();
        },
        refused: merge,
        end(end) {
          merge();
          cursors.set(remote.deviceUuid, 'shared', head.epoch, end.to_seq);
          return out;
        },
      };
    },
  };
}

/** Serve one feed stream of shared data only (tests; the daemon serves every feed with serveFeeds). */
export function serveShared(stream: Stream, remote: RemoteDevice, libOf: (libraryId: string) => Library | undefined, opts: ServeFeedOptions = {}): Promise<void> {
  return serveFeed(stream, remote, {
    feed: (name) => (name === 'shared' ? sharedFeed : undefined),
    source: (libraryId, name) => {
      const lib = name === 'shared' ? libOf(libraryId) : undefined;
      return lib && sharedSource(lib);
    },
  }, opts);
}

/** Pull REMOTE's log of LIB's shared data from where this device stopped (see sharedSink). */
export async function pullShared(stream: Stream, lib: Library, remote: RemoteDevice, opts: { signal?: AbortSignal } = {}): Promise<SharedPullResult> {
  const got = await pullFeed(stream, 'shared', lib.config.id, sharedSink(lib, remote), remote, opts);
  return { pages: got.pages, applied: got.applied, known: got.known, refused: got.refused };
}
