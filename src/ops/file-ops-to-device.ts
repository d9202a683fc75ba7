import { VssError } from '../core/errors.js';
import { DEFAULT_ON_CONFLICT, type FileOpResult } from '../files/file-op.js';
import type { JobRow } from '../jobs/states.js';
import { PairedDevices } from '../sync/pairing/paired-devices.js';
import { FILES_COPY_TO_DEVICE, FILES_MOVE_TO_DEVICE, placeItems, placeParams, placeTarget, placeTimeoutMs, queuePlace, runPlace } from '../sync/drop/place-job.js';
import type { DurableOp } from './op.js';

/** Files of this device's locations (absolute paths) to TO, `DEVICE:/LOCATION[/PATH]`: a folder of a paired device's location. */
export interface ToDeviceInput {
  srcs: string[];
  to: string;
  /** A name taken there: skip, keep-both (default), replace; decided by the receiver. */
  onConflict?: string;
}

/**
 * `vss files copy|move SRC… DEVICE:/LOCATION/PATH` (issue 30, item 3): a durable job of the daemon
 * (it needs the P2P node) over /vss/drop's `place` (src/sync/drop/place-job.ts). Its plan checks
 * every source and resolves the target before anything is queued; a plan without side effects,
 * so a preview can show it the same way later.
 */
export function toDeviceOp(op: 'copy' | 'move'): DurableOp<ToDeviceInput, FileOpResult> {
  const name = op === 'copy' ? FILES_COPY_TO_DEVICE : FILES_MOVE_TO_DEVICE;
  return {
    name,
    action: op,
    asked: ({ srcs, to }) => ({ sources: srcs, target: to }),
    plan(host, input) {
      if (!host.network()) throw new VssError('NO_DAEMON', `a ${op} to another device needs the daemon's P2P node: start it (vss daemon start) and ${op} again`);
      const paired = PairedDevices.load(host.dataDir);
      const target = placeTarget(host.lib, input.to, (uuid) => paired.get(uuid));
      const items = placeItems(host.lib, input.srcs);
      const params = placeParams(op, host.lib, target, items, input.onConflict ?? DEFAULT_ON_CONFLICT);
      const bytes = items.reduce((n, it) => n + it.size, 0);
      return { size: { files: items.length, bytes }, queue: () => queuePlace(host.lib, op, params, bytes) };
    },
    kind: (host) => ({
      name, concurrency: 2, timeoutMs: placeTimeoutMs,
      run: (job, ctx) => runPlace(host.network, (uuid) => PairedDevices.load(host.dataDir).get(uuid), job, ctx),
    }),
    result(row: JobRow): FileOpResult {
      if (row.status === 'completed' && row.result !== null) return JSON.parse(row.result) as FileOpResult;
      if (row.status === 'cancelled') throw new VssError('WRONG_STATE', `the ${op} (job ${row.id}) was cancelled; files already confirmed there are kept`);
      throw new VssError('IO', `the ${op} (job ${row.id}) failed: ${row.error ?? 'no reason given'}`);
    },
  };
}
