import { VssError } from '../core/errors.js';
import type { JobKind } from '../jobs/job-kind.js';
import type { JobRow } from '../jobs/states.js';
import type { Library } from '../library/library.js';
import type { DropNetwork, DropTarget, SendResult } from '../sync/drop/send-job.js';
import type { LibraryContext } from './library-api.js';

export type { SendResult };

/** A send as the caller gets it once it has ended: what went where, and its job. */
export type Sent = SendResult & { job_id: number };

const dropModule = () => import('../sync/drop/send-job.js');

/**
 * Spacedrop (issue 21): files of this device, or contents of the library held here, pushed to a
 * paired device's inbox, verified there with a full BLAKE3. A send is a durable job of the daemon
 * (`files-send`): it needs the daemon's P2P node, resumes after a cut or a restart of either side,
 * and a cancel drops what the receiver had of it.
 */
export class SendApi {
  constructor(private readonly lib: Library, private readonly ctx: LibraryContext, private readonly network: () => DropNetwork | undefined) {}

  /**
   * Send REFS (absolute file or folder paths, or content uuids) to TO (a paired device's name or
   * uuid) and wait for the receiver to confirm every file. ONQUEUED hears the job's id at once;
   * SIGNAL stops waiting (the send goes on).
   */
  async send(refs: string[], to: string, opts: { signal?: AbortSignal; onQueued?: (jobId: number) => void } = {}): Promise<Sent> {
    const job = await this.queue(refs, to);
    opts.onQueued?.(job.id);
    const { sentOf } = await dropModule();
    return sentOf(this.lib, job.id, opts.signal);
  }

  /** `send` without waiting (`files send --detach`): the job, queued. */
  async queue(refs: string[], to: string): Promise<JobRow> {
    if (!this.network()) throw new VssError('NO_DAEMON', 'sending needs the daemon\'s P2P node: start it (vss daemon start) and send again');
    const target = await this.device(to);
    const [{ planSend }, { queueSend }] = await Promise.all([import('../sync/drop/plan.js'), dropModule()]);
    return queueSend(this.lib, target, planSend(this.lib, refs));
  }

  /** The `files-send` job kind for the daemon's job work, on the daemon's network while there is one. */
  async jobKinds(): Promise<JobKind[]> {
    const [{ filesSendKind }, { PairedDevices }] = await Promise.all([dropModule(), import('../sync/pairing/paired-devices.js')]);
    return [filesSendKind(this.network, (uuid) => PairedDevices.load(this.ctx.dataDir).get(uuid))];
  }

  /** The paired device REF names: its name, its uuid, or a start of its uuid only it has (as `devices unpair` takes it). */
  private async device(ref: string): Promise<DropTarget> {
    const { PairedDevices } = await import('../sync/pairing/paired-devices.js');
    const store = PairedDevices.load(this.ctx.dataDir);
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
}
