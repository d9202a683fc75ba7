import { VssError } from '../../core/errors.js';
import type { Library } from '../../library/library.js';
import type { ForwardListingRow } from '../../store/peer-entries.js';
import { LIBRARY_PAGE_ROWS } from '../messages/table.js';
import type { HeadOut, PageOut, PullAsk } from './owner-changes.js';
import { PeerLibrary } from './peer-library.js';

/*
 * Another member's rows passed on (A → B → C; DESIGN §15 "Trust", issue 46 item 2): what this
 * device (B) holds of owner A, served to C as A would serve it — A's head and A's folders, each
 * with A's signature, a delta since C's seq of A's epoch or a full copy, paged as owner-changes.ts
 * pages. Only rows held whole and all signed are passed on; C checks every signature with A's key.
 */

const PAGE_BYTES = 1024 * 1024;
const FOLDERS_PER_QUERY = 256;

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

  function* pages(): IterableIterator<PageOut> {
    let page: PageOut = { folders: [], contents: [] };
    let rows = 0;
    let bytes = 0;
    let inPage = new Set<string>();
    const flush = (): PageOut => {
      const out = page;
      page = { folders: [], contents: [] };
      rows = 0;
      bytes = 0;
      inPage = new Set();
      return out;
    };
    let after = { seq: 0, id: 0 };
    for (;;) {
      const folders = store.peerFolders.toSend(owner, { full, fromSeq, toSeq, afterSeq: after.seq, afterId: after.id, limit: FOLDERS_PER_QUERY });
      for (const f of folders) {
        let afterName = '';
        for (;;) {
          const room = Math.floor((LIBRARY_PAGE_ROWS - rows - 1) / 2);
          if (room <= 0 || bytes >= PAGE_BYTES) {
            yield flush();
            continue;
          }
          const listing = store.peerEntries.listingToForward(owner, f.location_id, f.path, afterName, Math.min(room, 1024) + 1);
          const more = listing.length > Math.min(room, 1024);
          const part = more ? listing.slice(0, -1) : listing;
          const verified = part.some((r) => r[11] !== null) ? part.map((r) => r[11]) : undefined;
          const sig = !more && f.sig ? f.sig : undefined;
          page.folders.push({
            location: f.location_id, path: f.path, id: f.folder_id, seq: f.seq, whole: !more,
            entries: part.map((r) => [r[0], r[1], r[2], r[3] === null ? null : Math.round(r[3]), r[4]]),
            ...(verified ? { verified } : {}), ...(sig ? { sig } : {}),
          });
          rows += 1 + part.length;
          bytes += 64 + f.path.length + (verified ? 9 * verified.length : 0) + (sig ? 72 : 0);
          for (const row of part) {
            bytes += 48 + row[0].length;
            const c = factsOf(row);
            if (c === undefined || inPage.has(c[0])) continue;
            inPage.add(c[0]);
            page.contents.push(c);
            rows++;
            bytes += 160 + (c[6]?.length ?? 0);
          }
          if (!more) break;
          afterName = part[part.length - 1]![0];
        }
      }
      if (folders.length < FOLDERS_PER_QUERY) break;
      const last = folders[folders.length - 1]!;
      after = { seq: full ? 0 : last.seq, id: last.folder_id };
    }
    if (page.folders.length > 0) yield flush();
  }
  return { head, pages };
}

function factsOf(r: ForwardListingRow): PageOut['contents'][number] | undefined {
  if (r[4] === null || r[5] === null || r[6] === null || r[7] === null || r[8] === null || r[9] === null) return undefined;
  return [r[4], r[5], r[6], r[7], r[8], r[9], r[10]];
}
