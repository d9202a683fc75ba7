import { platform } from 'node:os';
import type { Library } from '../../library/library.js';
import type { SyncFolder, SyncListingRow } from '../../store/entries.js';
import { Availability } from '../availability/availability.js';
import type { MessageOut } from '../messages/channel.js';
import { MEDIA_METADATA_CHARS } from '../messages/table.js';
import { foldersInQueries, pagesOf, type FactsOut, type PagedFolder, type PagedRow, type PageOut } from './pages.js';
import { FolderDigest, headText, type RowSigner } from './row-signature.js';

/** What a peer asked: changes since SEQ of EPOCH, or to go on with a pull that was cut off. */
export interface PullAsk {
  epoch: string | null;
  seq: number;
  resume?: { full: boolean; toSeq: number; afterSeq: number; afterId: number; afterName: string };
}

export type HeadOut = MessageOut<'feed.library.head'>;
export type { PageOut } from './pages.js';


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

  // A resumed pull may stand inside a folder: it comes first, from the name reached.
  const folders = () => foldersInQueries(
    (after: SyncFolder | undefined, limit) => store.entries.foldersToSend(deviceId, {
      full, fromSeq, toSeq, limit,
      afterSeq: after ? (full ? 0 : after.seq) : start.seq,
      afterId: after ? after.id : start.name === '' ? start.id : start.id - 1,
    }),
    (f): PagedFolder => ({ location: f.location_id, path: f.rel_path, id: f.id, seq: f.seq, afterName: f.id === start.id ? start.name : '' }),
  );
  // The folder being signed, and its digest (a folder's parts come one after the other).
  let signing: { f: PagedFolder; digest: FolderDigest } | undefined;
  const pages = () => pagesOf(folders(), {
    listing: (f, afterName, limit) => store.entries.listingToSend(f.id, afterName, limit).map(pagedRow),
    ...(signer ? {
      sign: (f: PagedFolder, part: readonly PagedRow[], last: boolean) => {
        if (signing?.f !== f) {
          signing = { f, digest: FolderDigest.of(libraryId, device.uuid, epoch, f) };
          // A pull resumed inside a folder: the signature covers the whole listing, the part sent before too.
          if (f.afterName !== '') digestUpTo(signing.digest, store, f.id, f.afterName);
        }
        signing.digest.add(part.map((r) => r.entry), part.map((r) => r.verified), factsOfRows(part));
        return last ? signer.sign(signing.digest.text()) : undefined;
      },
    } : {}),
  });
  return { head, pages };
}

/** The part of folder FOLDERID's listing up to and including AFTERNAME, added to DIGEST. */
function digestUpTo(digest: FolderDigest, store: Library['store'], folderId: number, afterName: string): void {
  let from = '';
  for (;;) {
    const rows = store.entries.listingToSend(folderId, from, 1024);
    // In the database's order (UTF-8 bytes), not JavaScript's (UTF-16 units).
    const part = rows.filter((r) => Buffer.compare(Buffer.from(r[0]), Buffer.from(afterName)) <= 0).map(pagedRow);
    if (part.length > 0) digest.add(part.map((r) => r.entry), part.map((r) => r.verified), factsOfRows(part));
    if (part.length < rows.length || rows.length < 1024) return;
    from = rows[rows.length - 1]![0];
  }
}

/** The facts of the contents ROWS hold, by uuid. */
function factsOfRows(rows: readonly PagedRow[]): (contentUuid: string) => FactsOut | undefined {
  const facts = new Map<string, FactsOut>();
  for (const r of rows) if (r.facts !== undefined) facts.set(r.facts[0], r.facts);
  return (uuid) => facts.get(uuid);
}

function pagedRow(r: SyncListingRow): PagedRow {
  const mtime = r[3] === null || !(r[3] >= 0) ? null : Math.round(r[3]);
  return { entry: [r[0], r[1], r[2], mtime, r[4]], verified: r[11], facts: contentOf(r) };
}

function contentOf(r: SyncListingRow): FactsOut | undefined {
  if (r[4] === null || r[5] === null || r[6] === null || r[7] === null || r[9] === null || r[10] === null) return undefined;
  const media = r[8] !== null && r[8].length <= MEDIA_METADATA_CHARS ? r[8] : null;
  return [r[4], r[9], r[10], r[5], r[6], r[7], media];
}
