import { queueUserJob } from '../../jobs/user-job.js';
import { randomUUID } from 'node:crypto';
import type { Stream } from '@libp2p/interface';
import { UsageError, VssError } from '../../core/errors.js';
import { CancelledByUser, type JobOutcome, type JobRunContext } from '../../jobs/job-kind.js';
import type { JobRow } from '../../jobs/states.js';
import { isTransient, TryAgainLater } from '../../jobs/transient.js';
import { paramsJson } from '../../jobs/wait-for-job.js';
import type { Library } from '../../library/library.js';
import type { ProtocolName } from '../messages/table.js';
import { DROP_MAX_ITEMS } from '../messages/table.js';
import { UUID_RE } from '../../sidecars/address.js';
import { placeInLibrary } from '../../files/places.js';
import { openInside } from '../../storage/confined-open.js';
import { keptOfFacts } from '../library/originals.js';
import { PeerRefused } from '../net/peer-node.js';
import { waitForNetwork } from '../network-wait.js';
import { sendable, type PlannedItem } from './plan.js';
import { cancelDrop, DropRefused, sendDrop, type DropItem } from './send.js';

/** The job kind of `vss files send` (issue 21, Spacedrop): files pushed to a paired device's inbox, verified there. */
export const FILES_SEND = 'files-send';

/** Tries before a send fails for good: the receiver may come back within the backoff (2 s, 8 s, 32 s, 2 min, …). */
const MAX_ATTEMPTS = 8;
/** A send may take this long at least, and longer when large (as if it went at 256 KiB/s). */
const MIN_TIMEOUT_MS = 10 * 60_000;
const SLOWEST_BYTES_PER_S = 256 * 1024;
/** `params` longer than this are not ours: DROP_MAX_ITEMS paths of a few hundred characters. */
const MAX_PARAMS_CHARS = 1024 * 1024;
const OPEN_TIMEOUT_MS = 10_000;
/** A stream that closed as it opened (a connection going down) is opened once more, this soon, before the device counts as unreachable. */
const REOPEN_AFTER_MS = 500;

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

/** What the user asked: to which device, which files (TRANSFER names the send across attempts). */
export interface SendParams {
  device: string;
  transfer: string;
  items: PlannedItem[];
  /** Contents named that had no file here when it was queued: left out, said in the result. */
  not_here?: string[];
}

/** What a send made: where each file is in the receiver's inbox. */
export interface SendResult {
  device_id: string;
  device: string;
  files: Array<{ path: string; saved_as: string; size: number }>;
  total_bytes: number;
  /** Bytes that crossed the network in the last attempt (a resumed send: only the rest). */
  bytes_sent: number;
  /** Contents named that had no file on this device when it was queued: not sent. */
  not_here?: string[];
}

/** How long a send job may run: long enough for its bytes at the slowest speed expected. */
export function sendTimeoutMs(job: JobRow): number {
  return Math.max(MIN_TIMEOUT_MS, (job.bytes / SLOWEST_BYTES_PER_S) * 1000);
}

/**
 * Run the send job JOB (the `run` of the kind `files-send`, src/ops/transfer/send.ts). NETWORK: the
 * daemon's network as it is when the job runs (undefined without one: the send waits); TARGET:
 * the paired device of that uuid now.
 */
export async function runSend(network: () => DropNetwork | undefined, target: (deviceUuid: string) => DropTarget | undefined, job: JobRow, ctx: JobRunContext): Promise<JobOutcome> {
  const p = paramsOf(job);
  const dev = target(p.device);
  if (!dev) throw new VssError('NOT_FOUND', `device ${p.device} is not paired with this one any more`);
  const net = network();
  if (!net) {
    const wait = waitForNetwork(undefined, `to send to ${dev.name}`);
    if (wait) return wait;
    throw new TryAgainLater('this daemon\'s P2P node is not running');
  }
  // Each file as it is now, readable: its BLAKE3 is taken as its bytes are sent (the receiver checks every byte against it).
  const items: DropItem[] = [];
  for (const it of p.items) {
    ctx.signal.throwIfAborted();
    // Checked again where it is now: a folder on its way may have become a symlink since it was queued.
    let checked: CheckedSource;
    try {
      checked = await checkedSource(ctx.lib, it.path);
    } catch (err) {
      if (!(err instanceof VssError) || err.code === 'IO') throw new VssError('NOT_FOUND', `${it.path} cannot be read to send: ${messageOf(err)}`, { path: it.path, cause: err });
      throw err;
    }
    items.push({ ...checked, name: it.name });
  }
  const total = items.reduce((n, it) => n + it.size, 0);
  let done = 0;
  const open = async (signal: AbortSignal) => {
    try {
      return await openOnce(net, dev, signal);
    } catch (err) {
      if (err instanceof PeerRefused || signal.aborted) throw err;
      // A stream that closed as it opened: the connection was going down (the device hung up). A fresh dial says why.
      await new Promise((r) => setTimeout(r, REOPEN_AFTER_MS));
      return openOnce(net, dev, signal);
    }
  };
  try {
    const stream = await open(AbortSignal.any([ctx.signal, AbortSignal.timeout(OPEN_TIMEOUT_MS)]));
    const sent = await sendDrop(stream, p.transfer, items, {
      signal: ctx.signal,
      onBytes: (n) => { done += n; ctx.progress(done, total); },
      reopen: () => open(AbortSignal.any([ctx.signal, AbortSignal.timeout(OPEN_TIMEOUT_MS)])),
    });
    const result: SendResult = {
      device_id: dev.device_uuid, device: dev.name, total_bytes: total, bytes_sent: sent.bytesSent,
      files: items.map((it, i) => ({ path: it.path, saved_as: sent.saved[i]!, size: it.size })),
      ...(notHereOf(p).length > 0 ? { not_here: notHereOf(p) } : {}),
    };
    return { state: 'completed', note: `${items.length} file${items.length === 1 ? '' : 's'} sent to ${dev.name}`, result: JSON.stringify(result) };
  } catch (err) {
    // Cancelled: the receiver is told, and drops what it had of this send. Stopped or paused: it keeps it, to resume.
    if (ctx.signal.reason instanceof CancelledByUser) {
      await openOnce(net, dev, AbortSignal.timeout(OPEN_TIMEOUT_MS)).then((s) => cancelDrop(s, p.transfer)).catch(() => undefined);
      throw err;
    }
    if (ctx.signal.aborted) throw err;
    // The device will not take it until the two are paired again (or it runs a vss that speaks Spacedrop): no retry helps.
    if (err instanceof PeerRefused) {
      throw new VssError('PEER', err.why === 'not-paired' ? `${dev.name} refused: this device is not paired with it` : `${dev.name} refused: ${err.message}`, { cause: err });
    }
    if (err instanceof DropRefused) throw err.retry ? new TryAgainLater(err.message, { cause: err }) : err;
    if (err instanceof VssError && (err.code === 'UNAVAILABLE' || err.code === 'NO_DAEMON')) {
      // A daemon just started has not met the receiver yet: that costs no attempt.
      const wait = waitForNetwork(net, `${dev.name} to connect`);
      if (wait) return wait;
      throw new TryAgainLater(err.message, { cause: err });
    }
    // A failure of this side's (a file changed while sent) ends the send: the receiver drops its partials now, not days later.
    if (!isTransient(err)) await openOnce(net, dev, AbortSignal.timeout(OPEN_TIMEOUT_MS)).then((s) => cancelDrop(s, p.transfer)).catch(() => undefined);
    throw err;
  }
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
  sendable(lib, path);
  const root = placeInLibrary(lib, path, 'a file to send').root.root;
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

/** A send as it will be queued: its job's `params` and bytes. */
export interface SendRequest {
  params: string;
  bytes: number;
}

/** A send of ITEMS to DEVICE, checked before it is queued: refused here when it is not one a job can hold. */
export function sendRequest(device: DropTarget, items: readonly PlannedItem[], notHere: readonly string[] = []): SendRequest {
  if (items.length === 0 || items.length > DROP_MAX_ITEMS) throw new UsageError(`a send holds 1 to ${DROP_MAX_ITEMS} files`);
  const params: SendParams = { device: device.device_uuid, transfer: randomUUID(), items: [...items], ...(notHere.length > 0 ? { not_here: [...notHere] } : {}) };
  const text = JSON.stringify(params);
  if (text.length > MAX_PARAMS_CHARS) throw new UsageError('too many files (or too long paths) for one send: send fewer at once');
  return { params: text, bytes: items.reduce((n, it) => n + it.size, 0) };
}

/** Queue the send REQ as a user's request (ahead of background work). */
export function queueSend(lib: Library, req: SendRequest): JobRow {
  // Of no content: sends never wait on each other's open job.
  return queueUserJob(lib, { kind: FILES_SEND, maxAttempts: MAX_ATTEMPTS, bytes: req.bytes, params: req.params }, 'the send');
}

/** The contents P says were left out, as uuids (anything else in a job's params is not trusted as one). */
function notHereOf(p: SendParams): string[] {
  return Array.isArray(p.not_here) ? p.not_here.filter((u): u is string => typeof u === 'string' && UUID_RE.test(u)).slice(0, DROP_MAX_ITEMS) : [];
}

function paramsOf(job: JobRow): SendParams {
  const o = paramsJson(job, MAX_PARAMS_CHARS) as Partial<SendParams> | undefined;
  const ok = o && typeof o.device === 'string' && typeof o.transfer === 'string' && Array.isArray(o.items) && o.items.length > 0 && o.items.length <= DROP_MAX_ITEMS
    && o.items.every((it) => typeof it?.path === 'string' && typeof it.name === 'string' && Number.isSafeInteger(it.size));
  if (!ok) throw new VssError('USAGE', `job ${job.id} does not say what to send where`);
  return o as SendParams;
}
