import { checksumFile } from '../core/file-blake3.js';
import { hashFileAsIs } from '../content/hash-file.js';
import { CAS_WHOLE } from '../content/identity.js';
import { wholeBlake3Of } from '../content/whole-blake3.js';
import type { Library } from '../library/library.js';
import { factsAt } from '../storage/local-tree.js';
import type { GuardCopy } from '../store/guardian.js';
import { COUNTS, fileHereVerdict, notCounted, REHASH_MAX_BYTES, shownHere, type Verdict } from './evidence.js';
import { recordRot } from './rot-found.js';

/*
 * A copy of this device read again before another copy of its content goes (DESIGN §19, §21),
 * since rot changes bytes and leaves size, times and inode as they were: the index alone cannot
 * tell. Two depths. Where someone waits (a delete, a move, a replace, a peer's lock) the last
 * good copies are hashed again only when small (`hashedAgain`: REHASH_MAX_BYTES, most photos).
 * The permanent step (emptying the trash, the 30-day sweep, `--permanent`) has nobody waiting
 * on it, so each copy it leans on is read whole, streamed, whatever its size (`readWhole`).
 * Either way, bytes that are not the content's are recorded as rot, as a scrub records them.
 */

/** Whether C's file may be hashed to tell its bytes at once: small enough (REHASH_MAX_BYTES), of a content whose id is its whole BLAKE3. */
export function hashable(lib: Library, c: GuardCopy): boolean {
  if (c.size > REHASH_MAX_BYTES || c.content_id === null) return false;
  return lib.store.contents.byId(c.content_id)?.cas_version === CAS_WHOLE;
}

/**
 * C (a file of this device that counts by its identity) hashed again when it is small and its
 * content's id is its whole BLAKE3: undefined when its bytes are the content's (or it is not
 * hashed: too large); else why not, with the rot recorded as a scrub records it.
 */
export async function hashedAgain(lib: Library, c: GuardCopy, signal?: AbortSignal): Promise<string | undefined> {
  if (c.entry_id === null || c.content_id === null || !hashable(lib, c)) return undefined;
  const content = lib.store.contents.byId(c.content_id)!;
  signal?.throwIfAborted();
  const where = shownHere(c);
  const read = await checksumFile(where, c.size).catch((err: unknown) => ({ ok: false as const, why: (err as Error).message }));
  if (read.ok && read.checksum === content.cas_id) return undefined;
  if (!read.ok) return `${where} could not be read again now (${'why' in read ? read.why : read.reason})`;
  recordRot(lib, c, content.cas_id, read.checksum, 'the guard, hashing again a copy another leans on');
  return `${where}: hashed again now, its bytes are not the content's (rot, recorded)`;
}

/** Whether the file of C, hashed now, holds its content's bytes (false when it is not hashable). */
export async function sameBytesNow(lib: Library, c: GuardCopy, signal?: AbortSignal): Promise<boolean> {
  const content = c.content_id !== null && hashable(lib, c) ? lib.store.contents.byId(c.content_id) : undefined;
  if (!content) return false;
  signal?.throwIfAborted();
  const read = await checksumFile(shownHere(c), c.size).catch(() => null);
  return read !== null && read.ok && read.checksum === content.cas_id;
}

/**
 * The whole BLAKE3 of the bytes going (a file in the trash, or deleted for good), read when asked:
 * what a copy of a sampled content never read whole is held to. Null when it cannot be read.
 */
export type GoingBytes = () => Promise<string | null>;

/** The bytes going at PATH, read whole once at the first ask. */
export function goingBytes(path: string, signal?: AbortSignal): GoingBytes {
  let read: Promise<string | null> | undefined;
  return () => (read ??= checksumFile(path, undefined, signal ? { signal } : {}).then((r) => (r.ok ? r.checksum : null), () => null));
}

/**
 * C (a file of this device that counts by its identity) read whole now, streamed in bounded
 * reads and cancelled by SIGNAL, whatever its size: it counts when its bytes are its content's
 * (its whole BLAKE3; for a sampled content never read whole, its sampled id and the bytes GOING,
 * read whole too, whose BLAKE3 is then learnt). Bytes that are not the content's while the file
 * stayed as indexed are rot, recorded; a file changed while it was read is an edit, not counted.
 */
export async function readWhole(lib: Library, c: GuardCopy, going: GoingBytes, signal?: AbortSignal): Promise<Verdict> {
  const where = shownHere(c);
  const content = c.content_id !== null ? lib.store.contents.byId(c.content_id) : undefined;
  if (c.entry_id === null || !content) return notCounted(`${where}: its content is not in this library's index now (rescan its location)`);
  signal?.throwIfAborted();
  let read: Awaited<ReturnType<typeof checksumFile>>;
  try {
    read = await checksumFile(where, c.size, signal ? { signal } : {});
  } catch (err) {
    if (signal?.aborted) throw err;
    return notCounted(`${where} could not be read whole now (${(err as Error).message})`);
  }
  if (!read.ok) return notCounted(read.reason === 'size' ? `${where} changed since it was indexed (its size is another now: rescan its location)` : `${where} is no longer a file`);
  // Read whole, then looked at again: a file that changed meanwhile was edited, and its bytes are not known.
  const after = fileHereVerdict({ ...c, rotten: false }, factsAt(where), where);
  if (!after.counts) return notCounted(`${after.why}, while it was read`);
  const expected = wholeBlake3Of(lib, content);
  if (expected !== null) {
    if (read.checksum === expected) return COUNTS;
    recordRot(lib, c, expected, read.checksum, 'the permanent step, reading whole a copy another leans on');
    return rotten(where);
  }
  // A content identified by samples, never read whole: its samples are checked as a scrub checks them.
  const sampled = await hashFileAsIs(where, 0);
  if (!sampled.ok) return notCounted(`${where} changed while it was read (${sampled.reason})`);
  if (sampled.casId !== content.cas_id) {
    recordRot(lib, c, content.cas_id, sampled.casId, 'the permanent step, reading whole a copy another leans on');
    return rotten(where);
  }
  // Its samples match, and the rest of its bytes are held to the bytes going: the same, or vss cannot tell which are the content's.
  if ((await going()) !== read.checksum) return notCounted(`${where}: read whole now, its bytes are not those of the copy going, and vss cannot tell which hold the content (vss guardian scrub reads both)`);
  lib.store.contents.learnBlake3(content.id, read.checksum);
  return COUNTS;
}

const rotten = (where: string) => notCounted(`${where}: read whole now, its bytes are not the content's (rot, recorded: vss guardian repair mends it from a good copy)`);
