import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LibraryLockedError, UsageError, VssError } from '../core/errors.js';
import { crashPoint } from '../core/crash-point.js';
import { blake3File } from '../core/file-blake3.js';
import { FileLock } from '../core/file-lock.js';
import { libraryLayout } from '../library/layout.js';
import type { LibraryBackupRecord } from '../store/library-backups.js';
import type { Observations } from '../library/restore.js';
import type { Installation } from '../library/installation.js';
import type { LibraryRef, LibrarySummary } from './types.js';

/** What `vss library restore` did: the library, the snapshot it came back from (made when), and the database as it was, kept. */
export interface LibraryRestoreResult {
  library_id: string;
  name: string;
  path: string;
  restored: string;
  made_at: number;
  before: string;
  /** Jobs the snapshot had open (queued, running, paused), cancelled rather than taken up again. */
  jobs_cancelled: number;
  /** Files found rotten, and bucket objects found gone or changed, since the snapshot: what the disks say now, kept. */
  kept_rot: number;
  kept_lost_objects: number;
  /** Other devices of the library whose copies are not counted until each is heard from again (it opens the library, or syncs). */
  unconfirmed_devices: number;
}

/** What `vss library recover` made: the library (its name; its id beside), where, from the snapshot made when, and the contents the bucket holds for it. */
export interface LibraryRecoverResult {
  library: string;
  library_id: string;
  path: string;
  made_at: number;
  /** The bucket, a volume of this device now, by its name. */
  volume: string;
  /** Contents the recovered library knows an object of in that bucket. */
  contents: number;
  jobs_cancelled: number;
  /** The library's other devices (the one that made the snapshot among them), whose copies are not counted until each is heard from. */
  unconfirmed_devices: number;
}

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

  /**
   * Bring a library's database back as the snapshot at PATH has it (`vss library backup` made it):
   * refused when it is of another library, damaged (checked whole first), of a newer vss, or while
   * the library is open (a daemon that has it: `library close`, or `daemon stop`). The library is
   * the one named, else the current one, else (none selected: closed first) the one the snapshot
   * is of. The database as it is now is kept first, as a snapshot in the library's `backups/`
   * folder (`before`), so the restore can itself be undone. One step (library/restore.ts): killed
   * anywhere, the library is the old one or the restored one, whole. Peers are told the database
   * was replaced (a new epoch: they send the full set again), and what they hold of the shared
   * data that is newer comes back; the rot and lost bucket objects found since are kept.
   */
  async restore(path: string, opts: { library?: string } = {}): Promise<LibraryRestoreResult> {
    const { readSnapshot, snapshotDatabase } = await import('../library/snapshot.js');
    const { observationsOf, restoreDatabase } = await import('../library/restore.js');
    const file = resolve(path);
    const facts = readSnapshot(file);
    const ref = opts.library !== undefined ? this.find(opts.library) : this.hasCurrent() ? this.current() : this.find(facts.library_id);
    if (facts.library_id !== ref.id) {
      throw new UsageError(`${file} is a snapshot of library ${JSON.stringify(facts.library_name)} (${facts.library_id}), not of ${JSON.stringify(ref.name)} (${ref.id}): it is not restored`);
    }
    // The library's lock is held from the first look to the last write: nothing else opens it meanwhile.
    const layout = libraryLayout(ref.path);
    let lock: FileLock;
    try {
      lock = FileLock.acquire(layout.lockFile);
    } catch (err) {
      if (err instanceof LibraryLockedError) throw new VssError('LIBRARY_LOCKED', `library ${ref.name} is open (${err.message}): close it first (vss library close ${ref.name}, or vss daemon stop), then restore`, { path: ref.path, cause: err });
      throw err;
    }
    try {
      let before: string;
      // The snapshots made so far are files on disk, whatever the database restored remembers of them: their rows go over.
      let snapshots: LibraryBackupRecord[];
      let observations: Observations;
      const lib = this.installation.openLibrary(ref.path, { shared: true });
      try {
        // A snapshot this library made is the bytes it made: one changed since is not taken, whatever SQLite's check says.
        const made = lib.store.libraryBackups.list().find((b) => resolve(b.path) === file);
        if (made) {
          const now = await blake3File(file);
          if (now.checksum !== made.blake3) throw new VssError('IO', `${file} changed since it was made (its BLAKE3 is not the one recorded): it is not restored`, { path: file });
        }
        const dir = join(lib.root, 'backups');
        mkdirSync(dir, { recursive: true });
        const kept = await snapshotDatabase(lib.db, dir, { library_id: lib.config.id, library_name: `${lib.config.name}-before-restore`, made_at: Date.now() });
        before = kept.path;
        // Recorded here too: a restore killed before its last step leaves this library with the snapshot it made.
        lib.store.libraryBackups.add({ snapshot: kept.snapshot, path: kept.path, bytes: kept.bytes, blake3: kept.blake3, made_at: kept.made_at, target: 'library', volume_id: null });
        snapshots = lib.store.libraryBackups.list();
        observations = observationsOf(lib.store, lib.deviceId);
      } finally {
        lib.close();
      }
      crashPoint('restore:before-kept');
      const done = await restoreDatabase(file, layout, {
        device: this.installation.device, epoch: randomUUID(), observations,
        cancelNote: 'cancelled: the library was restored from a snapshot, which had it open; ask again if it is still wanted',
        also: (store) => { for (const { id: _id, ...s } of snapshots) store.libraryBackups.add(s); },
      });
      return {
        library_id: ref.id, name: ref.name, path: ref.path, restored: file, made_at: facts.made_at, before,
        jobs_cancelled: done.jobsCancelled, kept_rot: done.carried.rot, kept_lost_objects: done.carried.lost, unconfirmed_devices: done.unconfirmed,
      };
    } finally {
      lock.release();
    }
  }

  /**
   * A library brought back from its encrypted bucket with the recovery phrase alone (issue 60):
   * the newest snapshot there (found by the key the phrase gives), checked, installed in the data
   * dir's libraries folder and made current, the bucket a volume of this device again. A phrase
   * that opens nothing there is refused, nothing written (guardian/library-recover.ts).
   */
  async recover(from: string, opts: { phrase: string; endpoint?: string; region?: string; path_style?: boolean }): Promise<LibraryRecoverResult> {
    const { recoverLibrary, secretOf } = await import('../guardian/library-recover.js');
    const secret = await secretOf(opts.phrase);
    const r = await recoverLibrary(this.installation, { from, secret, endpoint: opts.endpoint ?? null, region: opts.region ?? null, pathStyle: opts.path_style === true });
    return { library: r.name, library_id: r.library_id, path: r.path, made_at: r.made_at, volume: r.volume, contents: r.contents, jobs_cancelled: r.jobs_cancelled, unconfirmed_devices: r.unconfirmed_devices };
  }

  /** Whether a library is selected as current on this device. */
  hasCurrent(): boolean {
    return this.installation.registry.current() !== null;
  }
}
