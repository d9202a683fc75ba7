import { createHash, createPublicKey, sign, verify, type Hash, type KeyObject } from 'node:crypto';
import type { MessageIn, MessageOut } from '../messages/channel.js';

/*
 * An owner's signature on its device-owned rows (DESIGN §15 "Trust"): a member may pass another's
 * rows on (A → B → C) only as the owner signed them, so B cannot forge, alter or mix A's rows.
 * The owner signs the head of each pull (who it is, its locations, the epoch and the seq the pull
 * reaches) and each folder's whole listing (its entries in name order, with the facts of the
 * contents they hold), over text that does not depend on how the rows were paged: B sends them
 * paged its own way and C checks the same text. Contents' uuids are made from their cas ids, so a
 * listing names the bytes it holds.
 */

/** Text signed for a head: the owner's own words of what its rows are at a seq. */
const HEAD_LABEL = 'vss library head v1\n';
const FOLDER_LABEL = 'vss library folder v1\n';

type HeadFields = Pick<MessageIn<'feed.library.head'>, 'device' | 'epoch' | 'to_seq' | 'locations'>;

/** The text an owner signs for a head of LIB: its fields as JSON in one order (what is per pull — full, from, resumed — is not in it). */
export function headText(libraryId: string, h: HeadFields): string {
  const locations = h.locations.map((l) => [l.id, l.uuid, l.name, l.path, l.mode, l.files, l.dirs, l.bytes, l.online !== false]);
  return HEAD_LABEL + JSON.stringify([libraryId, h.device.uuid, h.device.name, h.device.os, h.epoch, h.to_seq, locations]);
}

type FolderOut = MessageOut<'feed.library.page'>['folders'][number];
type Entry = FolderOut['entries'][number];
/** A content's facts as a page carries them: [uuid, cas id, cas version, kind, mime, size, media]. */
type Facts = MessageOut<'feed.library.page'>['contents'][number];

/**
 * One folder's listing, hashed a part at a time (a folder may span pages): each entry with when it
 * was verified and its content's facts. The signed text is the folder's place and number with the digest.
 */
export class FolderDigest {
  private readonly hash: Hash = createHash('sha256');
  private rows = 0;

  constructor(private readonly head: string) {}

  static of(libraryId: string, owner: string, epoch: string, f: Pick<FolderOut, 'location' | 'path' | 'id' | 'seq'>): FolderDigest {
    return new FolderDigest(JSON.stringify([libraryId, owner, epoch, f.location, f.path, f.id, f.seq]));
  }

  /** A part's entries (in name order) with their verified times; FACTS: the facts of the contents they hold. */
  add(entries: readonly Entry[], verified: ReadonlyArray<number | null> | undefined, facts: (contentUuid: string) => Facts | undefined): void {
    for (const [i, e] of entries.entries()) {
      const content = e[4] === null ? null : facts(e[4]) ?? null;
      this.hash.update(JSON.stringify([e, verified?.[i] ?? null, content]) + '\n');
      this.rows++;
    }
  }

  get entries(): number {
    return this.rows;
  }

  text(): string {
    return FOLDER_LABEL + this.head + '\n' + this.hash.digest('hex');
  }
}

/** Signs this device's rows with its device key (src/sync/net/device-key.ts rowSignerOf). */
export interface RowSigner {
  sign(text: string): Uint8Array;
}

export function signText(text: string, key: KeyObject): Uint8Array {
  return new Uint8Array(sign(null, Buffer.from(text, 'utf8'), key));
}

/** Whether SIG is the signature of the key PUBLICKEY (SPKI PEM, or the key read once for a whole pull) over TEXT. */
export function signedBy(text: string, sig: Uint8Array | undefined | null, publicKey: string | KeyObject): boolean {
  if (!sig || sig.length !== 64) return false;
  try {
    return verify(null, Buffer.from(text, 'utf8'), typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey, sig);
  } catch {
    return false;
  }
}
