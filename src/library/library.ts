import { existsSync, mkdirSync, rmSync, statSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { VssError, errnoCode } from '../core/errors.js';
import { diskSpace } from '../core/disk-space.js';
import { formatBytes } from '../core/format.js';
import { EventBus } from '../core/events.js';
import { placeSync } from '../core/fs-atomic.js';
import { openDatabase, type Db } from '../db/connection.js';
import { migrate } from '../db/migrations.js';
import { newEpoch, writeEmptyLibrary } from '../db/empty-library.js';
import { requestStop } from '../db/stop-request.js';
import { Stores } from '../store/stores.js';
import type { Device } from '../device/identity.js';
import type { LocationGrants } from '../device/location-grants.js';
import { defaultSettings, readLibraryConfig, writeLibraryConfig, type LibraryConfig } from './config.js';
import { LIBRARY_SUFFIX, libraryLayout, type LibraryLayout } from './layout.js';
import { FileLock } from '../core/file-lock.js';
import { LibraryRoots } from './roots.js';
import { removeStaged } from './restore.js';

const NAME_RE = /^[^/\\\0]{1,200}$/;

export interface OpenOptions {
  /** Skip the lock: for short commands that only read or flip a row beside a long-running one. */
  shared?: boolean;
  /**
   * The locations this device's user added (from the data dir). Without it no location is
   * trusted: nothing outside the library folder is read, written or deleted.
   */
  grants?: LocationGrants;
}

/** An open library: its folder, settings, database (and its stores), this device's row and its event bus. */
export class Library {
  readonly events = new EventBus();
  /** Every table's store: the only door to the database for the layers above (DESIGN §18). */
  readonly store: Stores;
  private ownRoots: LibraryRoots | undefined;

  private constructor(
    readonly layout: LibraryLayout,
    readonly config: LibraryConfig,
    readonly db: Db,
    readonly device: Device,
    readonly deviceId: number,
    private readonly lock: FileLock | null,
    readonly grants: LocationGrants | null,
    store: Stores,
  ) {
    this.store = store;
  }

  get root(): string {
    return this.layout.root;
  }

  /** Where this library may read, write and delete: its folder and the locations added on this device. */
  get roots(): LibraryRoots {
    this.ownRoots ??= new LibraryRoots(this.store, this.root, this.config.id, this.deviceId, this.grants);
    return this.ownRoots;
  }

  /** Make DIR/NAME.sdlibrary, built in a temporary folder and renamed so a crash leaves nothing half-made. */
  static create(parentDir: string, name: string, device: Device, opts: Pick<OpenOptions, 'grants'> & { id?: string } = {}): Library {
    if (!NAME_RE.test(name) || name === '.' || name === '..' || name.trim() === '') {
      throw new VssError('USAGE', `invalid library name ${JSON.stringify(name)}: use 1-200 characters without / or \\`);
    }
    const parent = resolve(parentDir);
    mkdirSync(parent, { recursive: true });
    const root = join(parent, `${name}${LIBRARY_SUFFIX}`);
    if (existsSync(root)) throw new VssError('ALREADY_EXISTS', 'a library already exists there', { path: root });

    const staging = join(parent, `.${name}${LIBRARY_SUFFIX}.creating-${process.pid}`);
    rmSync(staging, { recursive: true, force: true });
    const layout = libraryLayout(staging);
    mkdirSync(layout.sidecarsDir, { recursive: true });
    const config: LibraryConfig = {
      // A device that joins another's library by pairing takes that library's id (DESIGN §9).
      id: opts.id ?? randomUUID(),
      name,
      version: 1,
      createdAt: new Date().toISOString(),
      settings: defaultSettings(),
    };
    writeLibraryConfig(layout.configFile, config);
    // The empty database at the newest schema, its epoch its own (db/empty-library.ts): what the migrations make of nothing.
    writeEmptyLibrary(layout.databaseFile);
    const db = openDatabase(layout.databaseFile);
    migrate(db, layout.databaseFile);
    newEpoch(db);
    new Stores(db, device.uuid).checkpoint('TRUNCATE');
    db.close();
    try {
      // Its files were made durable as they were written: only the rename is left to flush.
      placeSync(staging, root, { synced: true });
    } catch (err) {
      rmSync(staging, { recursive: true, force: true });
      throw new VssError('ALREADY_EXISTS', `cannot create the library: ${(err as Error).message}`, { path: root, cause: err });
    }
    return Library.open(root, device, { ...(opts.grants ? { grants: opts.grants } : {}) });
  }

  /**
   * Open an existing library: take the lock, read its settings, run pending migrations, register
   * this device. `shared` skips the lock, for short commands that only read or flip a row
   * (`jobs list|cancel`) beside a long-running one; SQLite's own locking keeps each write whole.
   */
  static open(path: string, device: Device, opts: OpenOptions = {}): Library {
    const root = resolveLibraryRoot(path);
    const layout = libraryLayout(root);
    const lock = opts.shared ? null : FileLock.acquire(layout.lockFile);
    try {
      // A restore killed before its last step left its staged database: the library is the old one, whole.
      if (lock) removeStaged(layout);
      const config = readLibraryConfig(layout.configFile);
      mkdirSync(layout.sidecarsDir, { recursive: true });
      const db = openDatabase(layout.databaseFile);
      try {
        migrate(db, layout.databaseFile);
        const store = new Stores(db, device.uuid);
        const deviceId = store.devices.upsertSelf(device);
        store.availability.numberUnannounced();
        opts.grants?.adopt(config.id, root, () => store.locations.ofDevice(deviceId));
        return new Library(layout, config, db, device, deviceId, lock, opts.grants ?? null, store);
      } catch (err) {
        db.close();
        throw err;
      }
    } catch (err) {
      lock?.release();
      throw explainFullDisk(err, root);
    }
  }

  /** Ask the long writes under way (a scan's batches) to commit what they have and end. */
  requestStop(): void {
    requestStop(this.db);
  }

  close(): void {
    if (this.db.open) {
      try {
        this.store.checkpoint('PASSIVE');
      } catch {
        // Only an early checkpoint (the next open does it): a statement still reading holds the table.
      } finally {
        this.db.close();
      }
    }
    this.lock?.release();
  }
}

/** Accept the .sdlibrary folder itself or a path inside it; refuse anything that is not a library. */
function resolveLibraryRoot(path: string): string {
  let p = resolve(path);
  if (!existsSync(p)) throw new VssError('NOT_FOUND', 'no library at that path', { path: p });
  p = realpathSync(p);
  for (let cur = p; ; cur = dirname(cur)) {
    if (basename(cur).endsWith(LIBRARY_SUFFIX) && existsSync(join(cur, 'library.json'))) return cur;
    if (dirname(cur) === cur) break;
  }
  if (statSync(p).isDirectory() && existsSync(join(p, 'library.json'))) return p;
  throw new VssError('LIBRARY_INVALID', `not a library (expected a ${LIBRARY_SUFFIX} folder with library.json)`, { path: p });
}

/**
 * SQLite says only "disk I/O error" when it cannot even make its shared-memory file next to the
 * database: when the library's disk is full, say so, with what is free, so the user knows what to do.
 */
function explainFullDisk(err: unknown, root: string): unknown {
  const code = errnoCode(err) ?? '';
  if (!code.startsWith('SQLITE_IOERR') && code !== 'SQLITE_FULL' && code !== 'ENOSPC') return err;
  let free: number;
  try {
    free = diskSpace(root).freeBytes;
  } catch {
    return err;
  }
  if (free > 1024 * 1024) return err;
  return new VssError('IO', `cannot open the library: the disk holding it is full (${formatBytes(free)} free)`, { path: root, cause: err });
}
