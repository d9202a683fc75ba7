import { constants, createReadStream, lstatSync } from 'node:fs';
import { open, rm, stat } from 'node:fs/promises';
import type { Stream } from '@libp2p/interface';
import { hashFileForIdentity } from '../../content/hash-file.js';
import { originalFile } from '../../content/original-file.js';
import { VssError } from '../../core/errors.js';
import { Landing, resumableSize, verifyLanded, type KeptAttributes, type Landed } from '../../core/landing.js';
import { keptMode, modeFromPeer } from '../../core/kept-mode.js';
import type { Library } from '../../library/library.js';
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
    const file = originalFile(lib, req.content);
    if (file.state !== 'ready') return await refuse(file.reason);
    if (req.offset > file.size) return await refuse(`offset ${req.offset} is past the end (${file.size} bytes)`);
    const kept = keptOf(file.path);
    await ch.send('original.item', { size: file.size, offset: req.offset, cas_id: file.cas_id, cas_version: file.cas_version, mode: kept.mode, ...(kept.mtimeMs !== undefined ? { mtime_ms: kept.mtimeMs } : {}) });
    const end = Math.min(file.size, req.length === undefined ? file.size : req.offset + req.length);
    if (end > req.offset) {
      // Exactly the bytes announced: a file that shrank since it was checked ends the stream short, which the asker notices.
      for await (const chunk of createReadStream(file.path, { start: req.offset, end: end - 1, highWaterMark: CHUNK })) {
        await ch.writeBytes(chunk as Buffer);
      }
    }
  } finally {
    await ch.close();
  }
}

/** What the asker expects of the content: its facts as its owner sent them. */
export interface ExpectedOriginal {
  contentUuid: string;
  casId: string;
  casVersion: number;
  size: number;
}

export type { KeptAttributes };

/** The attributes a copy of the file at PATH (here) keeps. */
export function keptOf(path: string): KeptAttributes {
  const st = lstatSync(path);
  const mtimeMs = Math.floor(st.mtimeMs);
  return { mode: keptMode(st.mode), ...(mtimeMs >= 0 ? { mtimeMs } : {}) };
}

/** The attributes a peer sent (MODE, MTIME_MS, either absent from an older vss), as a copy keeps them. */
export function keptFromPeer(mode: number | undefined, mtimeMs: number | undefined): KeptAttributes {
  return { mode: modeFromPeer(mode, MODE_OF_OLDER_PEER), ...(mtimeMs !== undefined ? { mtimeMs } : {}) };
}

/**
 * Copy the file at SRC (a regular file, never through a final symlink) into the landing PARTIAL,
 * and check it against the content id WANT (a file changed while it was read is not kept).
 */
export async function copyToPartial(src: string, partial: string, want: { casId: string; casVersion: number }): Promise<{ size: number; wrong?: string }> {
  const from = await open(src, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  let landed: Landed | undefined;
  try {
    const land = await Landing.open(partial);
    try {
      for await (const chunk of from.createReadStream({ autoClose: false, highWaterMark: CHUNK })) await land.write([chunk as Buffer]);
    } finally {
      landed = await land.finish();
    }
  } finally {
    await from.close();
  }
  const wrong = await verifyLanded(landed!, { size: landed!.size, check: contentIdCheck(want) });
  return { size: landed!.size, ...(wrong !== undefined ? { wrong } : {}) };
}

/** A landing's check that its bytes are the content WANT names (its content id, as the indexer computes it). */
function contentIdCheck(want: { casId: string; casVersion: number }): (path: string) => Promise<string | undefined> {
  return async (path) => {
    const st = await stat(path);
    const id = await hashFileForIdentity(path, { size: st.size, mtimeMs: st.mtimeMs, inode: st.ino }, want.casVersion === 1 ? Number.MAX_SAFE_INTEGER : 0);
    if (!id.ok) return id.reason;
    return id.casId === want.casId ? undefined : `content id ${id.casId.slice(0, 16)}…`;
  };
}

/**
 * Receive a content's original from one device into PARTIAL (appending from its current size:
 * a transfer cut off resumes), then check the whole file against the content id. Returns the
 * bytes received and what the copy keeps of the owner's file. Throws VssError PEER when the owner
 * sent other facts or bytes (PARTIAL is then deleted), UNAVAILABLE when it refused or the stream
 * ended early (PARTIAL kept, to resume).
 */
export async function receiveOriginal(stream: Stream, libraryId: string, want: ExpectedOriginal, partial: string, opts: { signal?: AbortSignal; onBytes?: (n: number) => void } = {}): Promise<{ bytes: number; kept: KeptAttributes }> {
  const offset = resumableSize(partial, want.size);
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
    const land = await Landing.open(partial, { resumeOf: want.size });
    try {
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
      await rm(partial, { force: true });
      throw new VssError('PEER', 'the device sent more bytes than the file has');
    }
  } finally {
    await ch.close();
  }
  // Every byte checked against the content id (the prefix of a resumed transfer too).
  const wrong = await verifyLanded(landed!, { size: want.size, check: contentIdCheck(want) });
  if (wrong !== undefined) throw new VssError('PEER', `the bytes received are not content ${want.contentUuid} (${wrong}): nothing kept`);
  return { bytes: got, kept };
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
