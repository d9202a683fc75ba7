import { rm } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Stream } from '@libp2p/interface';
import { randomUUID } from 'node:crypto';
import { VssError } from '../../core/errors.js';
import { Landing, partialIn, placeLanded } from '../../core/landing.js';
import { answerWithin, PeerChannel } from '../messages/channel.js';
import { BROWSE_MAX_ENTRIES, REASON_CHARS } from '../messages/table.js';
import { STALL_MS } from '../drop/stall.js';
import { keptFromPeer } from '../library/originals.js';

const CHUNK = 1024 * 1024;

/** One entry of a paired device's browsable folder, as it listed it. */
export interface RemoteEntry {
  name: string;
  type: string;
  kind: string | null;
  size: number;
  modified: number | null;
}

/** The folder PATH of the device STREAM reaches (a browsable root's, issue 59), LIMIT entries at most. */
export async function listRemote(stream: Stream, path: string, limit = BROWSE_MAX_ENTRIES): Promise<{ entries: RemoteEntry[]; truncated: boolean }> {
  const ch = new PeerChannel(stream, 'browse');
  try {
    await ch.send('browse.list', { path, limit: Math.min(BROWSE_MAX_ENTRIES, limit) });
    const m = await ch.receive(['browse.listing', 'browse.refused'], { signal: answerWithin(STALL_MS) });
    if (m.name === 'browse.refused') throw new VssError('PATH_REFUSED', `refused: ${m.body.reason.slice(0, REASON_CHARS)}`, { path });
    return m.body;
  } finally {
    await ch.close();
  }
}

/** The folders the device STREAM reaches lets this one browse (none: it allows none). */
export async function rootsRemote(stream: Stream): Promise<string[]> {
  const ch = new PeerChannel(stream, 'browse');
  try {
    await ch.send('browse.roots', {});
    const m = await ch.receive(['browse.rootList', 'browse.refused'], { signal: answerWithin(STALL_MS) });
    if (m.name === 'browse.refused') throw new VssError('PATH_REFUSED', `refused: ${m.body.reason.slice(0, REASON_CHARS)}`);
    return m.body.paths;
  } finally {
    await ch.close();
  }
}

/**
 * The file PATH of the device STREAM reaches copied into DIR under its own name (a free one beside
 * a name taken), through the one landing: hashed as it arrives, kept only when its bytes hash to
 * the BLAKE3 the sender read, flushed, then placed. What came of a refused or cut transfer is removed.
 */
export async function fetchRemote(stream: Stream, path: string, dir: string, signal?: AbortSignal): Promise<{ path: string; size: number; blake3: string }> {
  const ch = new PeerChannel(stream, 'browse');
  const partial = partialIn(dir, `browse-${randomUUID()}`);
  let placed = false;
  try {
    await ch.send('browse.read', { path }, signal);
    const head = await ch.receive(['browse.file', 'browse.refused'], { signal: answerWithin(STALL_MS) });
    if (head.name === 'browse.refused') throw new VssError('PATH_REFUSED', `refused: ${head.body.reason.slice(0, REASON_CHARS)}`, { path });
    const { size, mtime_ms } = head.body;
    const land = await Landing.open(partial, { hash: true });
    let landed;
    try {
      for (let left = size; left > 0;) {
        const data = await ch.readBytes(Math.min(left, CHUNK), answerWithin(STALL_MS));
        if (data === null) throw new VssError('UNAVAILABLE', `the device stopped after ${size - left} of ${size} bytes of ${path}`);
        await land.write([...data]);
        left -= data.byteLength;
      }
      landed = await land.finish();
    } finally {
      await land.close();
    }
    const sum = await ch.receive(['browse.sum'], { signal: answerWithin(STALL_MS) });
    if (landed.blake3 !== sum.body.blake3) throw new VssError('PEER', `${path}: the bytes received hash otherwise than the device read them: nothing kept`, { path });
    const final = await placeLanded(partial, { dir, name: basename(path), conflict: 'keep-both', kept: keptFromPeer(undefined, mtime_ms) });
    placed = true;
    return { path: final, size, blake3: landed.blake3! };
  } finally {
    if (!placed) await rm(partial, { force: true });
    await ch.close();
  }
}
