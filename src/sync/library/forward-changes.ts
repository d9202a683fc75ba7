import { VssError } from '../../core/errors.js';
import type { Library } from '../../library/library.js';
import type { ForwardListingRow } from '../../store/peer-entries.js';
import type { PeerFolderRecord } from '../../store/peer-folders.js';
import type { HeadOut, PullAsk } from './owner-changes.js';
import { foldersInQueries, pagesOf, type FactsOut, type PagedRow, type PageOut } from './pages.js';
import { PeerLibrary } from './peer-library.js';

/*
 * Another member's rows passed on (A → B → C; DESIGN §15 "Trust", issue 46 item 2): what this
 * device (B) holds of owner A, served to C as A would serve it — A's head and A's folders, each
 * with A's signature, a delta since C's seq of A's epoch or a full copy, paged as owner-changes.ts
 * pages. Only rows held whole and all signed are passed on; C checks every signature with A's key.
 */

/** OWNER's rows of LIB held here, as a peer asked for them (never resumed: C takes a passed-on folder whole). */
export function forwardChanges(lib: Library, owner: string, ask: PullAsk): { head: HeadOut; pages(): IterableIterator<PageOut> } {
  const held = new PeerLibrary(lib).heldHead(owner);
  if (!held) throw new VssError('PEER', `this device holds no rows of ${owner} signed whole to pass on`);
  const { head: signed, sig } = held;
  const toSeq = signed.to_seq;
  const full = !Number.isSafeInteger(ask.seq) || ask.seq <= 0 || ask.seq > toSeq || ask.epoch !== signed.epoch;
  const fromSeq = full ? 0 : ask.seq;
  const head: HeadOut = { ...signed, full, from_seq: fromSeq, to_seq: toSeq, resumed: false, sig };
  const { store } = lib;

  const folders = () => foldersInQueries(
    (after: PeerFolderRecord | undefined, limit) => store.peerFolders.toSend(owner, {
      full, fromSeq, toSeq, limit, afterSeq: after && !full ? after.seq : 0, afterId: after ? after.folder_id : 0,
    }),
    (f) => ({ location: f.location_id, path: f.path, id: f.folder_id, seq: f.seq, afterName: '', sig: f.sig }),
  );
  const pages = () => pagesOf(folders(), {
    listing: (f, afterName, limit) => store.peerEntries.listingToForward(owner, f.location, f.path, afterName, limit).map(pagedRow),
    // The owner's own signature, kept with the folder, goes with its last part.
    sign: (f, _part, last) => (last && f.sig ? f.sig : undefined),
  });
  return { head, pages };
}

function pagedRow(r: ForwardListingRow): PagedRow {
  const facts: FactsOut | undefined = r[4] === null || r[5] === null || r[6] === null || r[7] === null || r[8] === null || r[9] === null
    ? undefined : [r[4], r[5], r[6], r[7], r[8], r[9], r[10]];
  return { entry: [r[0], r[1], r[2], r[3] === null ? null : Math.round(r[3]), r[4]], verified: r[11], facts };
}
