import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError, VssError } from '../core/errors.js';
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

  /**
   * Make the library this device knows by NAME or ID (or an id's first characters) current. A
   * name two libraries share must be given by id; a library whose folder is gone is refused.
   */
  switch(nameOrId: string): LibraryRef {
    const known = this.find(nameOrId);
    if (!known.available) throw new VssError('NOT_FOUND', `library ${known.name} is not where it was (moved, or on a drive that is not here)`, { path: known.path });
    // Known, so checked when it was first opened: selected without opening it (a daemon may hold it).
    return this.select({ id: known.id, name: known.name, path: known.path });
  }

  /**
   * Stop using a library (default: the current one) as the current one: commands then need
   * `--library` or a `library switch`. Through a daemon it also lets go of the library (it stops
   * watching, working and serving it), so its folder can be copied or moved.
   */
  close(nameOrId?: string): LibraryRef & { was_current: boolean } {
    const ref = nameOrId === undefined ? this.current() : this.find(nameOrId);
    const wasCurrent = this.installation.registry.clearCurrent(ref.path);
    return { id: ref.id, name: ref.name, path: ref.path, was_current: wasCurrent };
  }

  /** The known library named (by id, an id's start, or a name no other has): else why not. */
  private find(nameOrId: string): LibrarySummary {
    const all = this.list();
    const want = nameOrId.trim();
    if (want === '') throw new UsageError('name a library by its name or id (`vss library list` shows them)');
    const byId = all.filter((l) => l.id === want.toLowerCase() || (want.length >= 4 && l.id.startsWith(want.toLowerCase())));
    if (byId.length === 1) return byId[0]!;
    const byName = all.filter((l) => l.name === want);
    if (byName.length === 1 && byId.length === 0) return byName[0]!;
    const many = byId.length > 1 ? byId : byName;
    if (many.length > 1) throw new UsageError(`${JSON.stringify(want)} names ${many.length} libraries: give one by id (${many.map((l) => `${l.id} at ${l.path}`).join('; ')})`);
    throw new VssError('NOT_FOUND', `no library ${JSON.stringify(want)} on this device: \`vss library list\` shows the ones it knows`);
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
