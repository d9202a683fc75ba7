import type { Stream } from '@libp2p/interface';
import { hashFileAsIs } from '../../content/hash-file.js';
import { CAS_WHOLE } from '../../content/identity.js';
import { bucketCopyOf, bucketObjectOf, openBucketCopy, readBucketObject } from '../../content/bucket-original.js';
import { originalFile } from '../../content/original-file.js';
import { describeFsError, VssError } from '../../core/errors.js';
import { Landing, PARTIAL_PREFIX, verifyLanded, type Expected, type KeptAttributes, type Landed } from '../../core/landing.js';
import { keptMode, modeFromPeer } from '../../core/kept-mode.js';
import type { Library } from '../../library/library.js';
import type { LocationStorage, NodeFacts, RangeReader } from '../../storage/port.js';
import { readChunks } from '../../storage/read-chunks.js';
import { answerWithin, PeerChannel } from '../messages/channel.js';
import { MODE_OF_OLDER_PEER, REASON_CHARS } from '../messages/table.js';
import type { RemoteDevice } from '../peer-link.js';

/*
 * /vss/original — a content's original file by address (DESIGN §15): the asker names a library and
 * a content uuid (never a path) and an offset; the owner serves only an indexed copy inside one of
 * its locations, unchanged since it was identified (content/original-file.ts), answering `item` and
 * exactly `size - offset` bytes, or `refused`. The asker checks every byte against the content id
 * before it keeps the file.
 */

/** Bytes read from disk and written to the stream at a time. */
const CHUNK = 1024 * 1024;
/** No byte for this long ends a transfer (a stalled peer); what came stays, to resume from. */
const STALL_MS = 30_000;

/** Serve one original stream from a paired device. */
export async function serveOriginal(stream: Stream, remote: RemoteDevice, libOf: (libraryId: string) => Library | undefined): Promise<void> {
  const ch = new PeerChannel(stream, 'original');
  const refuse = (reason: string) => ch.send('original.refused', { reason: reason.slice(0, REASON_CHARS) });
  try {
    const req = (await ch.receive(['original.request'], { signal: AbortSignal.timeout(30_000) })).body;
    const lib = remote.libraryIds.includes(req.lib) ? libOf(req.lib) : undefined;
    if (!lib) return await refuse(`library ${req.lib.slice(0, 64)} is not shared with this device`);
    const found = originalFile(lib, req.content);
    // No file here: an object of a bucket location of this device serves as well, else an object vss put in one of its bucket volumes (an encrypted one opened as it streams).
    const inBucket = found.state === 'ready' ? undefined : bucketCopyOf(lib, req.content);
    const object = found.state === 'ready' || inBucket ? undefined : bucketObjectOf(lib, req.content);
    if (found.state !== 'ready' && !inBucket && !object) return await refuse(found.reason);
    if (object) {
      if (req.offset > object.size) return await refuse(`offset ${req.offset} is past the end (${object.size} bytes)`);
      const end = Math.min(object.size, req.length === undefined ? object.size : req.offset + req.length);
      const chunks = readBucketObject(lib, object, req.offset, end - req.offset);
      // Its first block read before it is offered: a bucket away, or an object that does not authenticate, is refused saying why.
      let first: IteratorResult<Uint8Array>;
      try {
        first = await chunks.next();
      } catch (err) {
        return await refuse(`its copy in the bucket could not be read: ${(err as Error).message}`);
      }
      const kept = keptFromPeer(undefined, undefined);
      await ch.send('original.item', { size: object.size, offset: req.offset, cas_id: object.casId, cas_version: object.casVersion, mode: kept.mode });
      // The asker checks every byte against the content id; a later chunk that does not authenticate ends the stream short.
      if (!first.done) await ch.writeBytes(first.value);
      for await (const chunk of chunks) await ch.writeBytes(chunk);
      return;
    }
    const file = found.state === 'ready' ? found : { size: inBucket!.size, cas_id: inBucket!.casId, cas_version: inBucket!.casVersion };
    if (req.offset > file.size) return await refuse(`offset ${req.offset} is past the end (${file.size} bytes)`);
    let reader: RangeReader;
    let bucket: { close(): void } | undefined;
    try {
      // A location's storage opens it inside the location, through no symlink on its path (storage/confined-open.ts).
      if (found.state === 'ready') reader = await found.storage.openRead(found.rel);
      else ({ storage: bucket, reader } = await openBucketCopy(lib, inBucket!));
    } catch (err) {
      return await refuse(`its copy could not be read: ${describeFsError(err)}`);
    }
    try {
      // The file opened must be the one checked: a copy replaced since is not served (a range a viewer shows is never checked).
      if (found.state === 'ready' && changedSince(found.facts, reader.facts)) return await refuse('its copy changed as it was opened (a rescan identifies it again)');
      const kept = keptOfFacts(reader.facts);
      await ch.send('original.item', { size: file.size, offset: req.offset, cas_id: file.cas_id, cas_version: file.cas_version, mode: kept.mode, ...(kept.mtimeMs !== undefined ? { mtime_ms: kept.mtimeMs } : {}) });
      const end = Math.min(file.size, req.length === undefined ? file.size : req.offset + req.length);
      // Exactly the bytes announced: a file that shrank since it was checked ends the stream short, which the asker notices.
      for await (const chunk of readChunks(reader, req.offset, end, CHUNK)) await ch.writeBytes(chunk);
    } finally {
      await reader.close();
      bucket?.close();
    }
  } finally {
    await ch.close();
  }
}

/** Whether the file opened is not the one checked: another inode (on another device: a folder swapped meanwhile), or written since. */
function changedSince(checked: NodeFacts, opened: NodeFacts): boolean {
  return opened.dev !== checked.dev || opened.inode !== checked.inode || opened.size !== checked.size || opened.mtimeMs !== checked.mtimeMs;
}

/** What the asker expects of the content: its facts as its owner sent them. */
export interface ExpectedOriginal {
  contentUuid: string;
  casId: string;
  casVersion: number;
  size: number;
}

export type { KeptAttributes };

/** The attributes a copy of a file with FACTS keeps. */
export function keptOfFacts(facts: Pick<NodeFacts, 'mode' | 'mtimeMs'>): KeptAttributes {
  const mtimeMs = Math.floor(facts.mtimeMs);
  return { mode: keptMode(facts.mode), ...(mtimeMs >= 0 ? { mtimeMs } : {}) };
}

/** The attributes a peer sent (MODE, MTIME_MS, either absent from an older vss), as a copy keeps them. */
export function keptFromPeer(mode: number | undefined, mtimeMs: number | undefined): KeptAttributes {
  return { mode: modeFromPeer(mode, MODE_OF_OLDER_PEER), ...(mtimeMs !== undefined ? { mtimeMs } : {}) };
}

/** The name of the partial a copy of content KEY is written to in its folder until it is verified (a retry resumes it). */
export function partialName(key: string): string {
  return `${PARTIAL_PREFIX}${key}`;
}

/** How many bytes of a file of SIZE bytes the partial of KEY in INTO holds already (what a resumed transfer asks from). */
export async function resumableBytes(into: LocationStorage, key: string, size: number): Promise<number> {
  const f = await into.stat(partialName(key));
  return f?.kind === 'file' ? Math.min(f.size, size) : 0;
}

/** The landing of the partial of KEY in the folder INTO (its root), hashed as it writes: what lands is indexed by that BLAKE3. */
function landIn(into: LocationStorage, key: string, resumeOf?: number): Promise<Landing> {
  return into.land(partialName(key), key, { ...(resumeOf !== undefined ? { resumeOf } : {}), hash: true });
}

/**
 * Copy the file REL of FROM (a regular file, never through a symlink) into the partial of KEY in
 * INTO, and check it against the content id WANT (a file changed while it was read is not kept).
 * Returns the partial's path (to place it) and its size, or why its bytes are wrong (it is gone then).
 */
export async function copyToPartial(from: LocationStorage, rel: string, into: LocationStorage, key: string, want: { casId: string; casVersion: number }): Promise<{ path: string; size: number; blake3: string; wrong?: string }> {
  const reader = await from.openRead(rel);
  let landed: Landed | undefined;
  try {
    const land = await landIn(into, key);
    try {
      // To the end as it is now: a file that grew or shrank is caught by the content id.
      for await (const chunk of readChunks(reader, 0, Number.MAX_SAFE_INTEGER, CHUNK)) await land.write([chunk]);
    } finally {
      landed = await land.finish();
    }
  } finally {
    await reader.close();
  }
  const wrong = await verifyLanded(landed!, isContent(want, landed!.size));
  return { path: landed!.path, size: landed!.size, blake3: landed!.blake3!, ...(wrong !== undefined ? { wrong } : {}) };
}

/**
 * CHUNKS (an object of a bucket, streamed) written into the partial of KEY in INTO and checked:
 * SIZE bytes hashing to BLAKE3. Returns the partial's path and size, or why its bytes are wrong
 * (it is gone then).
 */
export async function streamToPartial(chunks: AsyncIterable<Uint8Array>, into: LocationStorage, key: string, want: { size: number; blake3: string }): Promise<{ path: string; size: number; blake3: string; wrong?: string }> {
  const land = await landIn(into, key);
  let landed: Landed;
  let written = 0;
  try {
    for await (const chunk of chunks) {
      written += chunk.length;
      // Never more than the object was recorded with: a bucket that sends more is not giving that object.
      if (written > want.size) throw new VssError('IO', `the object gave more than the ${want.size} bytes recorded`);
      await land.write([chunk]);
    }
  } finally {
    landed = await land.finish();
  }
  const wrong = await verifyLanded(landed, want);
  return { path: landed.path, size: landed.size, blake3: landed.blake3!, ...(wrong !== undefined ? { wrong } : {}) };
}

/**
 * What SIZE bytes of the content WANT names must be: a whole-file content id is the BLAKE3 the
 * landing took as they were written (not read again); another is computed as the indexer does.
 */
function isContent(want: { casId: string; casVersion: number }, size: number): Expected {
  if (want.casVersion === CAS_WHOLE) return { size, blake3: want.casId };
  return {
    size,
    check: async (path) => {
      const id = await hashFileAsIs(path, want.casVersion === 1 ? Number.MAX_SAFE_INTEGER : 0);
      if (!id.ok) return id.reason;
      return id.casId === want.casId ? undefined : `content id ${id.casId.slice(0, 16)}…`;
    },
  };
}

/**
 * Receive a content's original from one device into its partial in the folder INTO (appending
 * from its current size: a transfer cut off resumes), then check the whole file against the
 * content id. Returns the partial's path (to place it), the bytes received and what the copy
 * keeps of the owner's file. Throws VssError PEER when the owner sent other facts or bytes (the
 * partial is then deleted), UNAVAILABLE when it refused or the stream ended early (the partial
 * kept, to resume).
 */
export async function receiveOriginal(stream: Stream, libraryId: string, want: ExpectedOriginal, into: LocationStorage, opts: { signal?: AbortSignal; onBytes?: (n: number) => void } = {}): Promise<{ path: string; bytes: number; kept: KeptAttributes; blake3: string }> {
  const offset = await resumableBytes(into, want.contentUuid, want.size);
  const ch = new PeerChannel(stream, 'original');
  let got = 0;
  let kept: KeptAttributes;
  let landed: Landed | undefined;
  try {
    await ch.send('original.request', { lib: libraryId, content: want.contentUuid, offset }, opts.signal);
    const head = await ch.receive(['original.item', 'original.refused'], { signal: stallSignal(opts.signal) });
    if (head.name === 'original.refused') throw new VssError('UNAVAILABLE', `refused: ${head.body.reason.slice(0, REASON_CHARS)}`);
    const h = head.body;
    if (h.size !== want.size || h.cas_id !== want.casId || h.cas_version !== want.casVersion || h.offset !== offset) {
      throw new VssError('PEER', `the device offered ${h.size} bytes of content ${h.cas_id.slice(0, 16)}…, not the ${want.size} bytes of ${want.casId.slice(0, 16)}… it announced`);
    }
    kept = keptFromPeer(h.mode, h.mtime_ms);
    const land = await landIn(into, want.contentUuid, want.size);
    try {
      if (land.offset !== offset) throw new VssError('IO', `the partial file of content ${want.contentUuid} changed as its transfer began`);
      for (let left = want.size - offset; left > 0;) {
        const data = await ch.readBytes(Math.min(left, CHUNK), stallSignal(opts.signal));
        if (data === null) throw new VssError('UNAVAILABLE', `the device stopped after ${offset + got} of ${want.size} bytes`);
        await land.write([...data]);
        got += data.byteLength;
        left -= data.byteLength;
        opts.onBytes?.(data.byteLength);
      }
      landed = await land.finish();
    } finally {
      await land.close();
    }
    if (await ch.readBytes(1, AbortSignal.timeout(5_000)).catch(() => null) !== null) {
      await into.remove(partialName(want.contentUuid));
      throw new VssError('PEER', 'the device sent more bytes than the file has');
    }
  } finally {
    await ch.close();
  }
  // Every byte checked against the content id (the prefix of a resumed transfer too).
  const wrong = await verifyLanded(landed!, isContent(want, want.size));
  if (wrong !== undefined) throw new VssError('PEER', `the bytes received are not content ${want.contentUuid} (${wrong}): nothing kept`);
  return { path: landed!.path, bytes: got, kept, blake3: landed!.blake3! };
}

/**
 * LENGTH bytes of a content's original from START, as they come from one device (a viewer seeking
 * in a video held elsewhere; nothing is kept). The header must name the content the owner synced;
 * a range cannot be checked against the content id, so these bytes are shown, never kept.
 */
export async function* originalRange(stream: Stream, libraryId: string, want: ExpectedOriginal, start: number, length: number, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  const ch = new PeerChannel(stream, 'original');
  try {
    await ch.send('original.request', { lib: libraryId, content: want.contentUuid, offset: start, length }, signal);
    const head = await ch.receive(['original.item', 'original.refused'], { signal: stallSignal(signal) });
    if (head.name === 'original.refused') throw new VssError('UNAVAILABLE', `refused: ${head.body.reason.slice(0, REASON_CHARS)}`);
    const h = head.body;
    if (h.size !== want.size || h.cas_id !== want.casId || h.offset !== start) throw new VssError('PEER', 'the device offered another file than the content it announced');
    for (let left = Math.min(length, want.size - start); left > 0;) {
      const data = await ch.readBytes(Math.min(left, CHUNK), stallSignal(signal));
      if (data === null) throw new VssError('UNAVAILABLE', 'the device stopped before the range was whole');
      left -= data.byteLength;
      for (const part of data) yield part;
    }
  } finally {
    await ch.close();
  }
}

function stallSignal(signal: AbortSignal | undefined): AbortSignal {
  return answerWithin(STALL_MS, signal);
}
