/**
 * What the network side's failures are, apart from the node (peer-node.ts) so that what only
 * tells them apart does not load libp2p's whole stack with it.
 */
import { VssError } from '../../core/errors.js';

/**
 * A peer that answered with its own key and would not serve this device: it hung up on the
 * connection as it opened (its gate admits only the devices it is paired with: it unpaired this
 * one), or it does not offer the protocol (a vss without it). Another try does not help.
 */
export class PeerRefused extends VssError {
  /**
   * WHY: `not-paired`, the device hung up; `relay`, the relay it was dialled through would not
   * carry this device to it (a relay carries a stranger only to a device whose pairing code is
   * open); `protocol`, it does not serve it. PEERID: the device refused (when known).
   */
  constructor(readonly why: 'not-paired' | 'relay' | 'protocol', message: string, cause: unknown, readonly peerId?: string) {
    super('PEER', message, { cause });
    this.name = 'PeerRefused';
  }
}

/**
 * A write libp2p made on its own to a stream that was closing (a connection through a relay whose
 * own connection was being closed: a yamux window update sent on it), thrown from inside its event
 * dispatch and so uncaught. libp2p has aborted that stream before throwing, so its state is whole;
 * one closing connection must not end the daemon (every device's daemon would stop each time the
 * relay box is restarted or hangs up on a stranger).
 */
export function isLibp2pWriteOnClosingStream(err: unknown): boolean {
  return err instanceof Error && err.name === 'StreamStateError' && /^Cannot write to a stream that is (closing|closed)$/.test(err.message)
    && /node_modules\/@(libp2p|chainsafe)\//.test(err.stack ?? '');
}
