import { randomUUID } from 'node:crypto';
import { VssError } from '../../core/errors.js';
import { queueUserJob } from '../../jobs/user-job.js';
import { endedResult } from '../../jobs/wait-for-job.js';
import { UUID_RE } from '../../sidecars/address.js';
import { itemsInto, planSend } from './sources.js';
import { DROP_MAX_ITEMS } from '../../sync/messages/table.js';
import { PairedDevices } from '../../sync/pairing/paired-devices.js';
import { addingPreview } from '../file-op-preview.js';
import type { OpHost, Way } from '../op.js';
import { deviceParamsOf, networkTimeoutMs, runToDevice, type Said, type ToDeviceParams } from './to-device-run.js';

/** The job kind of `vss files send` (issue 21, Spacedrop): files pushed to a paired device's inbox, verified there. */
const FILES_SEND = 'files-send';
/** Tries before a send fails for good on errors that are not the device being away (that only waits). */
const MAX_ATTEMPTS = 8;

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

/** A send as queued (the job's params): to which device, the transfer its offers are named from, and the contents named that had no file here (the CLI and the web app read them). */
interface SendParams extends ToDeviceParams {
  not_here?: string[];
}

/** Files or folders (absolute paths) or contents held here (uuids) to send to TO, a paired device's name or uuid. */
export interface SendInput {
  refs: string[];
  to: string;
}

/**
 * `vss files send` (issue 21, Spacedrop): files pushed to a paired device's inbox, verified there
 * with a full BLAKE3, as a durable job of the daemon (`files-send`) run by the way to a device
 * (to-device-run.ts, as a copy's or a protect's): it needs the daemon's P2P node, waits while the
 * device is away, resumes after a cut or a restart of either side, and a cancel drops what the
 * receiver had.
 */
export const filesSend: Way<SendInput, SendResult> = {
  name: FILES_SEND,
  plan(host, input) {
    const { items, notHere, target } = planned(host, input);
    const params: SendParams = { device: target.device_uuid, transfer: randomUUID(), ...(notHere.length > 0 ? { not_here: notHere } : {}) };
    const bytes = items.reduce((n, it) => n + it.size, 0);
    // Of no content: sends never wait on each other's open job.
    return { size: { files: items.length, bytes }, queue: () => queueUserJob(host.lib, { kind: FILES_SEND, maxAttempts: MAX_ATTEMPTS, bytes, params: JSON.stringify(params), items: itemsInto(items, '') }, 'the send') };
  },
  // Inbox names are chosen by the receiver, and its free space is not known here.
  preview(host, input) {
    const { items, notHere } = planned(host, input);
    const bytes = items.reduce((n, it) => n + it.size, 0);
    return { ...addingPreview('send', { files: items.length, bytes, on_conflict: null, conflicts: [], free_bytes: null }), ...(notHere.length > 0 ? { not_here: notHere } : {}) };
  },
  kind: (host) => ({
    name: FILES_SEND, concurrency: 2, timeoutMs: networkTimeoutMs,
    // Into the device's inbox (a send queued by an older vss held its files in its params: they become its rows).
    run: (job, ctx) => {
      const p = deviceParamsOf<SendParams>(host.lib, job, ['device', 'transfer'], 'what to send where');
      return runToDevice(host, job, p, ctx, sent(notHereOf(p)));
    },
  }),
  result: (job) => endedResult<SendResult>(job, 'the send'),
};

/** A send checked as it would be queued: the daemon's node, the device, the files. */
function planned(host: OpHost, { refs, to }: SendInput) {
  if (!host.network()) throw new VssError('NO_DAEMON', 'sending needs the daemon\'s P2P node: start it (vss daemon start) and send again');
  const target = PairedDevices.load(host.dataDir).find(to);
  const { items, not_here: notHere } = planSend(host.lib, refs);
  return { items, notHere, target };
}

/** The contents JOB's params (P) say were left out, as uuids (anything else there is not trusted as one). */
function notHereOf(p: SendParams): string[] {
  const n = p.not_here;
  return Array.isArray(n) ? n.filter((u): u is string => typeof u === 'string' && UUID_RE.test(u)).slice(0, DROP_MAX_ITEMS) : [];
}

/** A send's result, from its rows: where each file is in the receiver's inbox, and what was left out. */
function sent(notHere: string[]): Said {
  return (rows, dev, _p, bytesSent) => {
    const done = rows.filter((it) => it.state === 'done');
    const left = rows.filter((it) => it.state === 'skipped');
    const result: SendResult = {
      device_id: dev.device_uuid, device: dev.name, total_bytes: done.reduce((n, it) => n + it.size, 0), bytes_sent: bytesSent,
      files: done.map((it) => ({ path: it.src, saved_as: it.final ?? it.dst ?? '', size: it.size })),
      ...(left.length > 0 ? { left_out: left.map((it) => ({ path: it.src, reason: it.note ?? 'left out' })) } : {}),
      ...(notHere.length > 0 ? { not_here: notHere } : {}),
    };
    return { note: `${done.length} file${done.length === 1 ? '' : 's'} sent to ${dev.name}${left.length > 0 ? `, ${left.length} left out` : ''}`, result };
  };
}
