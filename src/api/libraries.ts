import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { VssError } from '../core/errors.js';
import type { Installation } from '../library/installation.js';
import type { LibraryRef, LibrarySummary } from './types.js';

/** The libraries this device knows: create, list, select (DESIGN §11 `vss library`). */
export class LibrariesApi {
  constructor(private readonly installation: Installation) {}

  /** Make DIR/NAME.sdlibrary (default DIR: the data dir's libraries folder) and make it current. */
  create(name: string, opts: { dir?: string; makeCurrent?: boolean } = {}): LibraryRef {
    const lib = this.installation.createLibrary(name, opts.dir, { makeCurrent: opts.makeCurrent ?? true });
    try {
      return { id: lib.config.id, name: lib.config.name, path: lib.root };
    } finally {
      lib.close();
    }
  }

  /**
   * Take part in another device's library after pairing (DESIGN §9): the library with that id if
   * this device has it, else a new one with the same id and name in the data dir's libraries
   * folder (its own folder and locations); either way it becomes current.
   */
  join(id: string, name: string, opts: { use?: (path: string) => LibraryRef } = {}): LibraryRef & { created: boolean } {
    const known = this.list().find((l) => l.id === id && l.available);
    // A process that holds its libraries open (the daemon) makes one current its own way.
    if (known) return { ...(opts.use ?? ((path: string) => this.use(path)))(known.path), created: false };
    const taken = new Set(this.list().map((l) => resolve(l.path)));
    const dir = join(this.installation.dataDir, 'libraries');
    let folderName = name;
    for (let n = 2; existsSync(join(dir, `${folderName}.sdlibrary`)) || taken.has(resolve(join(dir, `${folderName}.sdlibrary`))); n++) folderName = `${name} (${n})`;
    const lib = this.installation.createLibrary(folderName, dir, { makeCurrent: true, id });
    try {
      return { id: lib.config.id, name: lib.config.name, path: lib.root, created: true };
    } finally {
      lib.close();
    }
  }

  list(): LibrarySummary[] {
    const { libraries, current } = this.installation.registry.list();
    return libraries.map((l) => ({
      id: l.id, name: l.name, path: l.path,
      current: current !== null && resolve(current) === resolve(l.path),
      available: existsSync(join(l.path, 'library.json')),
    }));
  }

  /** Check that PATH is a library, remember it and make it current. */
  use(path: string): LibraryRef {
    const known = this.installation.useLibrary(path);
    return { id: known.id, name: known.name, path: known.path };
  }

  /** Make a library that the caller has open (so checked) current. */
  select(ref: LibraryRef): LibraryRef {
    this.installation.registry.remember(ref, true);
    return { id: ref.id, name: ref.name, path: ref.path };
  }

  current(): LibraryRef {
    const current = this.installation.registry.current();
    if (!current) throw new VssError('NO_CURRENT_LIBRARY', 'no library is selected: run `vss library create NAME` or `vss library open PATH`');
    const known = this.installation.registry.list().libraries.find((l) => resolve(l.path) === resolve(current));
    return known ? { id: known.id, name: known.name, path: known.path } : { id: '', name: '', path: current };
  }

  /** Whether a library is selected as current on this device. */
  hasCurrent(): boolean {
    return this.installation.registry.current() !== null;
  }
}
