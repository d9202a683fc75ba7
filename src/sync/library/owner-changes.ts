import { platform } from 'node:os';
import type { Library } from '../../library/library.js';
import type { SyncListingRow } from '../../store/entries.js';
import { Availability } from '../availability/availability.js';
import type { MessageOut } from '../messages/channel.js';
import { LIBRARY_PAGE_ROWS, MEDIA_METADATA_CHARS } from '../messages/table.js';
import { FolderDigest, headText, type RowSigner } from './row-signature.js';

/** What a peer asked: changes since SEQ of EPOCH, or to go on with a pull that was cut off. */
export interface PullAsk {
  epoch: string | null;
  seq: number;
  resume?: { full: boolean; toSeq: number; afterSeq: number; afterId: number; afterName: string };
}

export type HeadOut = MessageOut<'feed.library.head'>;
export type PageOut = MessageOut<'feed.library.page'>;

/** A page is sent when it holds this many bytes (about), well inside the protocol's 4 MiB. */
const PAGE_BYTES = 1024 * 1024;
/** Folders read per query. */
const FOLDERS_PER_QUERY = 256;

/**
 * This device's own rows of LIB as a peer asked for them (DESIGN §15): the head (who this device
 * is, its locations, what the pull brings) and the pages, each a query at a time so nothing holds
 * the database while a page is on its way. Changes are numbered on the same counter and epoch as
 * availability (§9). A delta is every folder numbered after the peer's SEQ, each with its whole
 * listing; a full copy every folder. A folder renumbered while the pull runs comes in the next one.
 */
export function ownerChanges(lib: Library, ask: PullAsk, opts: { signer?: RowSigner; held?: HeadOut['held'] } = {}): { head: HeadOut; pages(): IterableIterator<PageOut> } {
  const numbering = new Availability(lib);
  const epoch = numbering.epoch();
  const now = numbering.seq();
  const r = ask.resume;
  // A cut-off pull goes on where it stopped when it is of this database and no further than now.
  const resumed = r !== undefined && ask.epoch === epoch && r.toSeq <= now && (r.full || (ask.seq > 0 && ask.seq <= r.toSeq));
  const full = resumed ? r.full : !Number.isSafeInteger(ask.seq) || ask.seq <= 0 || ask.seq > now || ask.epoch !== epoch;
  const fromSeq = full ? 0 : ask.seq;
  const toSeq = resumed ? r.toSeq : now;
  const start = resumed ? { seq: r.afterSeq, id: r.afterId, name: r.afterName } : { seq: 0, id: 0, name: '' };

  const { store, device } = lib;
  const deviceId = lib.deviceId;
  const locations = store.locations.ofDevice(deviceId).map((l) => ({
    id: l.id, uuid: l.uuid, name: l.name, path: l.path, mode: l.index_mode, files: l.files, dirs: l.dirs, bytes: l.bytes, online: l.online === 1,
  }));
  const head: HeadOut = {
    device: { uuid: device.uuid, name: device.name, os: platform() }, epoch, full, from_seq: fromSeq, to_seq: toSeq, resumed, locations,
  };
  // Signed, so a member may pass these rows on (row-signature.ts).
  const { signer } = opts;
  const libraryId = lib.config.id;
  if (signer) head.sig = signer.sign(headText(libraryId, head));
  if (opts.held && opts.held.length > 0) head.held = opts.held;

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
    // A resumed pull may stand inside a folder: it comes first, from the name reached.
    let after = { seq: start.seq, id: start.name === '' ? start.id : start.id - 1 };
    for (;;) {
      const folders = store.entries.foldersToSend(deviceId, { full, fromSeq, toSeq, afterSeq: after.seq, afterId: after.id, limit: FOLDERS_PER_QUERY });
      for (const f of folders) {
        let afterName = f.id === start.id && start.name !== '' ? start.name : '';
        const digest = signer && FolderDigest.of(libraryId, device.uuid, epoch, { location: f.location_id, path: f.rel_path, id: f.id, seq: f.seq });
        // A pull resumed inside a folder: the signature covers the whole listing, the part sent before too.
        if (digest && afterName !== '') digestUpTo(digest, store, f.id, afterName);
        for (;;) {
          // Each entry may bring its content's facts: room for both, so every list of the page stays in bounds.
          const room = Math.floor((LIBRARY_PAGE_ROWS - rows - 1) / 2);
          if (room <= 0 || bytes >= PAGE_BYTES) {
            yield flush();
            continue;
          }
          const listing = store.entries.listingToSend(f.id, afterName, Math.min(room, 1024) + 1);
          const more = listing.length > Math.min(room, 1024);
          const part = more ? listing.slice(0, -1) : listing;
          const verified = part.some((r) => r[11] !== null) ? part.map((r) => r[11]) : undefined;
          const entries = part.map(toEntry);
          digest?.add(entries, verified, factsOfRows(part));
          const sig = digest && !more ? signer.sign(digest.text()) : undefined;
          page.folders.push({ location: f.location_id, path: f.rel_path, id: f.id, seq: f.seq, whole: !more, entries, ...(verified ? { verified } : {}), ...(sig ? { sig } : {}) });
          rows += 1 + part.length;
          bytes += 64 + f.rel_path.length + (verified ? 9 * verified.length : 0) + (sig ? 72 : 0);
          for (const row of part) {
            bytes += 48 + row[0].length;
            const c = contentOf(row);
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
      after = { seq: full ? 0 : last.seq, id: last.id };
    }
    if (page.folders.length > 0) yield flush();
  }
  return { head, pages };
}

/** The part of folder FOLDERID's listing up to and including AFTERNAME, added to DIGEST. */
function digestUpTo(digest: FolderDigest, store: Library['store'], folderId: number, afterName: string): void {
  let from = '';
  for (;;) {
    const rows = store.entries.listingToSend(folderId, from, 1024);
    // In the database's order (UTF-8 bytes), not JavaScript's (UTF-16 units).
    const part = rows.filter((r) => Buffer.compare(Buffer.from(r[0]), Buffer.from(afterName)) <= 0);
    if (part.length > 0) digest.add(part.map(toEntry), part.map((r) => r[11]), factsOfRows(part));
    if (part.length < rows.length || rows.length < 1024) return;
    from = rows[rows.length - 1]![0];
  }
}

/** The facts of the contents ROWS hold, by uuid, as a page carries them. */
function factsOfRows(rows: readonly SyncListingRow[]): (contentUuid: string) => PageOut['contents'][number] | undefined {
  const facts = new Map<string, PageOut['contents'][number]>();
  for (const r of rows) {
    const c = contentOf(r);
    if (c !== undefined) facts.set(c[0], c);
  }
  return (uuid) => facts.get(uuid);
}

function toEntry(r: SyncListingRow): PageOut['folders'][number]['entries'][number] {
  const mtime = r[3] === null || !(r[3] >= 0) ? null : Math.round(r[3]);
  return [r[0], r[1], r[2], mtime, r[4]];
}

function contentOf(r: SyncListingRow): PageOut['contents'][number] | undefined {
  if (r[4] === null || r[5] === null || r[6] === null || r[7] === null || r[9] === null || r[10] === null) return undefined;
  const media = r[8] !== null && r[8].length <= MEDIA_METADATA_CHARS ? r[8] : null;
  return [r[4], r[9], r[10], r[5], r[6], r[7], media];
}
