import type { Logger } from 'pino';
import { VssError, type LibraryApi, type Vss } from '../api/index.js';

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
  private readonly open = new Map<string, LibraryApi>();

  private constructor(readonly vss: Vss, readonly log: Logger) {}

  static async start(opts: DaemonCoreOptions): Promise<DaemonCore> {
    return new DaemonCore(opts.vss, opts.log);
  }

  /**
   * The open library with this id (or this folder; default: the current library), opened on
   * first use and kept open, held for writing, for the daemon's life.
   */
  library(ref?: { id?: string; path?: string }): LibraryApi {
    if (ref?.id !== undefined) {
      const byId = this.open.get(ref.id);
      if (byId) return byId;
      const known = this.vss.libraries.list().find((l) => l.id === ref.id);
      if (!known) throw new VssError('NOT_FOUND', `no library ${ref.id} on this device`);
      return this.openLibrary(known.path);
    }
    const path = ref?.path ?? this.vss.libraries.current().path;
    for (const lib of this.open.values()) if (lib.path === path) return lib;
    return this.openLibrary(path);
  }

  private openLibrary(path: string): LibraryApi {
    const lib = this.vss.openLibrary({ path, access: 'write' });
    this.open.set(lib.id, lib);
    return lib;
  }

  /** Stop watching and working, let the writes under way finish, close every library. */
  async close(): Promise<void> {
    for (const lib of this.open.values()) lib.close();
    this.open.clear();
  }
}
