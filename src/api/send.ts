import { VssError } from '../core/errors.js';
import type { JobRow } from '../jobs/states.js';
import type { SendResult } from '../ops/transfer/send.js';
import type { OpCall, OpHost } from '../ops/op.js';

export type { SendResult };

/** A send as the caller gets it once it has ended: what went where, and its job. */
export type Sent = SendResult & { job_id: number };

/**
 * Spacedrop (issue 21): files of this device, or contents of the library held here, pushed to a
 * paired device's inbox, verified there with a full BLAKE3. A send is a durable job of the daemon
 * (`files-send`, src/ops/transfer/send.ts): it needs the daemon's P2P node, resumes after a cut or a
 * restart of either side, and a cancel drops what the receiver had of it.
 */
export class SendApi {
  constructor(private readonly host: OpHost) {}

  /**
   * Send REFS (absolute file or folder paths, or content uuids) to TO (a paired device's name or
   * uuid) and wait for the receiver to confirm every file. ONQUEUED hears the job's id at once;
   * SIGNAL stops waiting (the send goes on).
   */
  async send(refs: string[], to: string, opts: Omit<OpCall, 'detach'> = {}): Promise<Sent> {
    const { job, result } = await this.perform(refs, to, opts);
    if (job === null || result === null) throw new VssError('IO', 'the send ended without a result');
    return { ...result, job_id: job.id };
  }

  /** `send` without waiting (`files send --detach`): the job, queued. */
  async queue(refs: string[], to: string): Promise<JobRow> {
    const { job } = await this.perform(refs, to, { detach: true });
    if (job === null) throw new VssError('IO', 'the send could not be queued');
    return job;
  }

  private async perform(refs: string[], to: string, call: OpCall) {
    const { performTransfer } = await import('../ops/facade.js');
    return performTransfer(this.host, { asked: 'send', refs, to }, call);
  }
}
