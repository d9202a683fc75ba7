import { VssError } from '../../core/errors.js';
import { endedResult } from '../../jobs/wait-for-job.js';
import { planSend } from '../../sync/drop/plan.js';
import { FILES_SEND, queueSend, runSend, sendRequest, sendTimeoutMs, type DropTarget, type SendResult } from '../../sync/drop/send-job.js';
import { PairedDevices } from '../../sync/pairing/paired-devices.js';
import { addingPreview } from '../file-op-preview.js';
import type { OpHost, Way } from '../op.js';

/** Files or folders (absolute paths) or contents held here (uuids) to send to TO, a paired device's name or uuid. */
export interface SendInput {
  refs: string[];
  to: string;
}

/**
 * `vss files send` (issue 21, Spacedrop): files pushed to a paired device's inbox, verified there
 * with a full BLAKE3, as a durable job of the daemon (`files-send`): it needs the daemon's P2P
 * node, resumes after a cut or a restart of either side, and a cancel drops what the receiver had.
 */
export const filesSend: Way<SendInput, SendResult> = {
  name: FILES_SEND,
  plan(host, input) {
    const { items, req } = planned(host, input);
    return { size: { files: items.length, bytes: req.bytes }, queue: () => queueSend(host.lib, req) };
  },
  // Inbox names are chosen by the receiver, and its free space is not known here.
  preview(host, input) {
    const { items, notHere, req } = planned(host, input);
    return { ...addingPreview('send', { files: items.length, bytes: req.bytes, on_conflict: null, conflicts: [], free_bytes: null }), ...(notHere.length > 0 ? { not_here: notHere } : {}) };
  },
  kind: (host) => ({
    name: FILES_SEND, concurrency: 2, timeoutMs: sendTimeoutMs,
    run: (job, ctx) => runSend(host.network, (uuid) => PairedDevices.load(host.dataDir).get(uuid), job, ctx),
  }),
  result: (job) => endedResult<SendResult>(job, 'the send'),
};

/** A send checked as it would be queued: the daemon's node, the device, the files. */
function planned(host: OpHost, { refs, to }: SendInput) {
  if (!host.network()) throw new VssError('NO_DAEMON', 'sending needs the daemon\'s P2P node: start it (vss daemon start) and send again');
  const target = pairedDevice(host.dataDir, to);
  const { items, not_here: notHere } = planSend(host.lib, refs);
  return { items, notHere, req: sendRequest(target, items, notHere) };
}

/** The paired device REF names: its name, its uuid, or a start of its uuid only it has (as `devices unpair` takes it). */
function pairedDevice(dataDir: string, ref: string): DropTarget {
  const store = PairedDevices.load(dataDir);
  const all = store.list();
  const byId = all.find((d) => d.device_uuid === ref);
  if (byId) return byId;
  const named = all.filter((d) => d.name === ref || d.name.toLowerCase() === ref.toLowerCase());
  if (named.length === 1) return named[0]!;
  if (named.length > 1) throw new VssError('USAGE', `${named.length} paired devices are called ${ref}: name it by its id (vss devices list)`);
  if (/^[0-9a-f-]{4,36}$/i.test(ref.trim())) {
    try {
      return store.find(ref);
    } catch (err) {
      if (!(err instanceof VssError && err.code === 'NOT_FOUND')) throw err;
    }
  }
  const known = all.map((d) => d.name).join(', ');
  throw new VssError('NOT_FOUND', `no paired device ${JSON.stringify(ref)}${known ? ` (paired: ${known})` : ': pair one first (vss pair start / vss pair join)'}`);
}
