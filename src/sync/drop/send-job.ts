import type { Stream } from '@libp2p/interface';
import { VssError } from '../../core/errors.js';
import { timeoutForBytes } from '../../jobs/job-kind.js';
import type { JobRow } from '../../jobs/states.js';
import type { Library } from '../../library/library.js';
import type { ProtocolName } from '../messages/table.js';
import { openInside } from '../../storage/confined-open.js';
import { keptOfFacts } from '../library/originals.js';
import { PeerRefused } from '../net/peer-errors.js';
import { sendable } from './plan.js';
import type { DropItem } from './send.js';

/*
 * What a send to a paired device shares with every transfer there (its job runs as they do, in
 * ops/transfer/to-device-run.ts): the network it needs, the device as found when it runs, a
 * source checked as the offer will open it, a stream to the device, and a send's result.
 */

/** The job kind of `vss files send` (issue 21, Spacedrop): files pushed to a paired device's inbox, verified there. */
export const FILES_SEND = 'files-send';


/** What the job needs of the daemon's network: a stream of /vss/drop to a paired device (dialled if need be), and whether the network is still coming up. */
export interface DropNetwork {
  open(peerId: string, protocol: ProtocolName, signal?: AbortSignal): Promise<Stream>;
  settling?(): boolean;
  redial?(): void;
}

/** A paired device as the job finds it when it runs. */
export interface DropTarget {
  device_uuid: string;
  peer_id: string;
  name: string;
}

/** What a send made: where each file is in the receiver's inbox. */
export interface SendResult {
  device_id: string;
  device: string;
  files: Array<{ path: string; saved_as: string; size: number }>;
  total_bytes: number;
  /** Bytes that crossed the network in the last attempt (a resumed send: only the rest). */
  bytes_sent: number;
  /** Files left out, with why (changed or unreadable since it was queued, or refused by the receiver as not what was offered). */
  left_out?: Array<{ path: string; reason: string }>;
  /** Contents named that had no file on this device when it was queued: not sent. */
  not_here?: string[];
}

/** How long a job whose bytes cross the network may run (a send, a copy to a device, a content got): long enough for them at 256 KiB/s, the slowest speed expected. */
export function networkTimeoutMs(job: JobRow): number {
  return timeoutForBytes(job.bytes, 256 * 1024);
}

/** A /vss/drop stream to DEV; a failure to open one is the device's refusal (PeerRefused) or UNAVAILABLE. */
export async function openOnce(net: DropNetwork, dev: DropTarget, signal: AbortSignal): Promise<Stream> {
  try {
    return await net.open(dev.peer_id, 'drop', signal);
  } catch (err) {
    if (err instanceof PeerRefused) throw err;
    throw new VssError('UNAVAILABLE', `${dev.name} is not reachable now (${messageOf(err).slice(0, 200)})`, { cause: err });
  }
}

/** A file checked to send, as the send will open it: where, inside which location, which file, and what its offer says of it. */
export type CheckedSource = Omit<DropItem, 'name' | 'blake3'>;

/**
 * PATH checked as a file vss may send (`sendable`: in a location of this device, reached through
 * no symlinked folder) and opened as the send will open it (storage/confined-open.ts), once: its
 * size, mode and time then, and which file it is, which the send's open must find again.
 */
export async function checkedSource(lib: Library, path: string): Promise<CheckedSource> {
  return checkedMadeFile(sendable(lib, path).root.root, path);
}

/**
 * PATH, a file vss made itself in ROOT (a folder of the library's own, never a user's: a snapshot
 * of the library's database on its way to another device), opened as the send will open it, once:
 * as `checkedSource`, without a location (it lies in none).
 */
export async function checkedMadeFile(root: string, path: string): Promise<CheckedSource> {
  const { fh, facts } = await openInside(root, path);
  await fh.close();
  const kept = keptOfFacts(facts);
  return { path, root, checked: { dev: facts.dev, inode: facts.inode }, size: facts.size, mode: kept.mode, ...(kept.mtimeMs !== undefined ? { mtime_ms: kept.mtimeMs } : {}) };
}

/** What ERR says, whatever it is (libp2p may reject with an event rather than an Error). */
function messageOf(err: unknown): string {
  if (err instanceof Error && typeof err.message === 'string' && err.message !== '') return err.message;
  const type = (err as { type?: unknown } | undefined)?.type;
  return typeof type === 'string' ? `${type} event` : String(err);
}
