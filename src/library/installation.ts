import { join } from 'node:path';
import { VssError } from '../core/errors.js';
import { resolveDataDir } from '../device/data-dir.js';
import { loadOrCreateDevice, type Device } from '../device/identity.js';
import { LocationGrants } from '../device/location-grants.js';
import { Library } from './library.js';
import { LibraryRegistry, type KnownLibrary } from './registry.js';

export interface InstallationOptions {
  /** --data-dir; falls back to VSS_DATA_DIR, then the platform's app-data dir. */
  dataDir?: string;
}

/**
 * One installation of vss: its data dir, device identity and the libraries it knows. The core
 * API (src/api) stands on this; tests and benchmarks use it to reach a raw Library.
 */
export class Installation {
  readonly dataDir: string;
  readonly registry: LibraryRegistry;
  private cachedDevice: Device | undefined;
  private cachedGrants: LocationGrants | undefined;

  constructor(opts: InstallationOptions = {}) {
    this.dataDir = resolveDataDir(opts.dataDir);
    this.registry = new LibraryRegistry(this.dataDir);
  }

  get device(): Device {
    this.cachedDevice ??= loadOrCreateDevice(this.dataDir);
    return this.cachedDevice;
  }

  /** The locations added on this device; made before any library is opened, so an upgrade adopts only libraries known before it. */
  get grants(): LocationGrants {
    if (!this.cachedGrants) {
      void this.device; // the data dir exists from here on
      const grants = new LocationGrants(this.dataDir);
      grants.init(() => this.registry.list().libraries);
      this.cachedGrants = grants;
    }
    return this.cachedGrants;
  }

  /** Make NAME.sdlibrary in DIR (default: the data dir's libraries folder), open it and make it current. */
  createLibrary(name: string, dir?: string, opts: { makeCurrent?: boolean; id?: string } = {}): Library {
    const lib = Library.create(dir ?? join(this.dataDir, 'libraries'), name, this.device, { grants: this.grants, ...(opts.id !== undefined ? { id: opts.id } : {}) });
    this.registry.remember({ id: lib.config.id, name: lib.config.name, path: lib.root }, opts.makeCurrent ?? true);
    return lib;
  }

  /** Open the library at PATH, else VSS_LIBRARY, else the current one. */
  openLibrary(path?: string, opts: { shared?: boolean } = {}): Library {
    const target = path ?? process.env.VSS_LIBRARY ?? this.registry.current();
    if (!target) {
      throw new VssError('NO_CURRENT_LIBRARY', 'no library is selected: run `vss library create NAME` or `vss library open PATH`');
    }
    return Library.open(target, this.device, { ...opts, grants: this.grants });
  }

  /** Check that PATH is a library, remember it and make it current. */
  useLibrary(path: string): KnownLibrary {
    const lib = Library.open(path, this.device, { grants: this.grants });
    try {
      const known = { id: lib.config.id, name: lib.config.name, path: lib.root };
      this.registry.remember(known, true);
      return known;
    } finally {
      lib.close();
    }
  }
}
