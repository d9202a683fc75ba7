import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { VssError } from '../core/errors.js';
import { resolveDataDir } from '../device/data-dir.js';
import { loadOrCreateDevice, type Device } from '../device/identity.js';
import { Library } from '../library/library.js';
import { LibraryRegistry, type KnownLibrary } from '../library/registry.js';

export interface VssOptions {
  /** --data-dir; falls back to VSS_DATA_DIR, then the platform's app-data dir. */
  dataDir?: string;
}

export interface LibrarySummary extends KnownLibrary {
  current: boolean;
  available: boolean;
}

/**
 * The entry point of the core API for one installation: its device identity and the libraries
 * it knows. The CLI (and later the daemon) are thin adapters over this and the domain modules.
 */
export class Vss {
  readonly dataDir: string;
  readonly registry: LibraryRegistry;
  private cachedDevice: Device | undefined;

  constructor(opts: VssOptions = {}) {
    this.dataDir = resolveDataDir(opts.dataDir);
    this.registry = new LibraryRegistry(this.dataDir);
  }

  get device(): Device {
    this.cachedDevice ??= loadOrCreateDevice(this.dataDir);
    return this.cachedDevice;
  }

  /** Make NAME.sdlibrary in DIR (default: the data dir's libraries folder), open it and make it current. */
  createLibrary(name: string, dir?: string, opts: { makeCurrent?: boolean } = {}): Library {
    const lib = Library.create(dir ?? join(this.dataDir, 'libraries'), name, this.device);
    this.registry.remember({ id: lib.config.id, name: lib.config.name, path: lib.root }, opts.makeCurrent ?? true);
    return lib;
  }

  /** Open the library at PATH, else VSS_LIBRARY, else the current one. */
  openLibrary(path?: string, opts: { shared?: boolean } = {}): Library {
    const target = path ?? process.env.VSS_LIBRARY ?? this.registry.current();
    if (!target) {
      throw new VssError('NO_CURRENT_LIBRARY', 'no library is selected: run `vss library create NAME` or `vss library open PATH`');
    }
    return Library.open(target, this.device, opts);
  }

  /** Check that PATH is a library, remember it and make it current. */
  useLibrary(path: string): KnownLibrary {
    const lib = Library.open(path, this.device);
    try {
      const known = { id: lib.config.id, name: lib.config.name, path: lib.root };
      this.registry.remember(known, true);
      return known;
    } finally {
      lib.close();
    }
  }

  listLibraries(): LibrarySummary[] {
    const { libraries, current } = this.registry.list();
    return libraries.map((l) => ({ ...l, current: current !== null && resolve(current) === resolve(l.path), available: existsSync(join(l.path, 'library.json')) }));
  }

  currentLibrary(): KnownLibrary {
    const current = this.registry.current();
    if (!current) throw new VssError('NO_CURRENT_LIBRARY', 'no library is selected: run `vss library create NAME` or `vss library open PATH`');
    const known = this.registry.list().libraries.find((l) => resolve(l.path) === resolve(current));
    return known ?? { id: '', name: '', path: current };
  }
}
