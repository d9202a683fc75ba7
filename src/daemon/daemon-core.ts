import type { Logger } from 'pino';
import type { Vss } from '../api/index.js';

export interface DaemonCoreOptions {
  vss: Vss;
  log: Logger;
}

/**
 * What a daemon owns besides its sockets: the open libraries and, per library, its location
 * watching, its continuous job work, its sidecar maintenance and its presence index. The HTTP
 * handlers reach the core API only through here.
 */
export class DaemonCore {
  private constructor(readonly vss: Vss, readonly log: Logger) {}

  static async start(opts: DaemonCoreOptions): Promise<DaemonCore> {
    return new DaemonCore(opts.vss, opts.log);
  }

  /** Stop watching and working, let the writes under way finish, close every library. */
  async close(): Promise<void> {
    // filled in by the integrator
  }
}
