import { VssError } from '../../core/errors.js';
import type { SidecarAddress } from '../../sidecars/address.js';

/**
 * A peer's bytes were not what its entry announced: wrong checksum, or more bytes than its size.
 * The entry is marked suspect, unless the bytes were appended to a partial another source began
 * (`resumed`): then nobody can tell whose bytes were wrong, and the transfer starts over.
 */
export class TransferLieError extends VssError {
  constructor(readonly lie: 'checksum' | 'size', readonly address: SidecarAddress, reason: string, readonly resumed: boolean) {
    super('PEER', reason);
    this.name = 'TransferLieError';
  }
}
