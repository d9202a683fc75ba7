import type { KeyObject } from 'node:crypto';
import { VssError } from '../../core/errors.js';
import type { Library } from '../../library/library.js';
import type { PeerContentFacts } from '../../store/peer-contents.js';
import type { CheckedPage, PullInProgress } from './peer-library.js';
import { FolderDigest, signedBy } from './row-signature.js';

/** Entries of one folder held back while its parts come through another member, at most (a larger folder comes from its owner only). */
export const FORWARDED_FOLDER_ROWS = 200_000;

/** A pull of an owner's rows through another member: the owner's key, and the folder whose parts are held until its signature is checked. */
export interface ForwardedPull {
  /** The owner's key, read once for the pull (every folder is checked against it). */
  publicKey: KeyObject;
  epoch: string;
  fromSeq: number;
  open: { location: number; path: string; id: number; seq: number; digest: FolderDigest; parts: CheckedPage['folders']; contents: Map<string, PeerContentFacts> } | undefined;
}

/**
 * Of a page passed on by another member, the folders whose whole listing is now in and checked
 * against their owner's signature, with the facts of their contents; a folder's parts are held
 * until its last one. A folder not as its owner signed it refuses the pull (VssError PEER).
 */
export function signedFolders(lib: Library, pull: PullInProgress, fw: ForwardedPull, page: CheckedPage): CheckedPage {
  const facts = new Map(page.contents.map((c) => [c.content_uuid, c]));
  const out: CheckedPage = { folders: [], contents: [], named: [], entries: 0 };
  for (const f of page.folders) {
    if (fw.open && (fw.open.location !== f.location || fw.open.path !== f.path)) {
      throw new VssError('PEER', `library page folder ${JSON.stringify(f.path).slice(0, 80)} comes before the last part of ${JSON.stringify(fw.open.path).slice(0, 80)}`);
    }
    // Every part as the first says (the signed text has the folder's id and number from it): the last part's are what is kept.
    if (fw.open && (fw.open.id !== f.id || fw.open.seq !== f.seq)) {
      throw new VssError('PEER', `library page folder ${JSON.stringify(f.path).slice(0, 80)} has another id or number in its parts (${fw.open.id}/${fw.open.seq}, then ${f.id}/${f.seq})`);
    }
    const open = fw.open ??= { location: f.location, path: f.path, id: f.id, seq: f.seq, digest: FolderDigest.of(lib.config.id, pull.deviceUuid, fw.epoch, f), parts: [] as CheckedPage['folders'], contents: new Map() };
    open.digest.add(f.entries, f.verified, (uuid) => {
      const c = facts.get(uuid);
      return c && [c.content_uuid, c.cas_id, c.cas_version, c.kind, c.mime, c.size, c.media_metadata];
    });
    if (open.digest.entries > FORWARDED_FOLDER_ROWS) throw new VssError('PEER', `library folder ${JSON.stringify(f.path).slice(0, 80)} passed on has more than ${FORWARDED_FOLDER_ROWS} entries: it comes from its owner only`);
    open.parts.push(f);
    for (const r of f.rows) if (r.content_uuid !== null) open.contents.set(r.content_uuid, facts.get(r.content_uuid)!);
    if (!f.whole) continue;
    if (!signedBy(open.digest.text(), f.sig, fw.publicKey)) {
      throw new VssError('PEER', `library folder ${JSON.stringify(f.path).slice(0, 80)} passed on is not as its owner signed it`);
    }
    fw.open = undefined;
    // An older listing of a folder, signed by its owner then, never takes the place of a newer one here.
    const here = lib.store.peerFolders.get(pull.deviceUuid, f.location, f.path);
    if (here !== undefined && f.seq < here.seq) {
      throw new VssError('PEER', `library folder ${JSON.stringify(f.path).slice(0, 80)} passed on is numbered ${f.seq}, older than the ${here.seq} here`);
    }
    out.folders.push(...open.parts);
    out.contents.push(...open.contents.values());
    for (const p of open.parts) {
      out.entries += p.rows.length;
      if (!pull.full) for (const r of p.rows) if (r.content_uuid !== null) out.named.push(r.content_uuid);
    }
  }
  return out;
}
