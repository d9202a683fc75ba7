import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VssError } from '../core/errors.js';
import { writeFileAtomicSync } from '../core/fs-atomic.js';
import { FileLock } from '../core/file-lock.js';

interface Grant {
  library_id: string;
  location_uuid: string;
  path: string;
}

interface GrantsFile {
  version: 1;
  grants: Grant[];
  /** Libraries this installation knew before grants existed: their locations are granted once, at their next open. */
  adopt: Array<{ library_id: string; root: string }>;
}

const FILE = 'location-grants.json';
const LOCK_FILE = '.location-grants.lock';

/**
 * The folders the user added as locations on this device, per library. A library's database
 * may come from anyone (a copied library, a hand edit), so a location row alone never lets vss
 * read, write or delete a folder: the row must match a grant here, in this device's own data dir,
 * written when the user added the location.
 */
export class LocationGrants {
  private readonly file: string;
  private readonly lockFile: string;
  private cached: GrantsFile | undefined;

  constructor(dataDir: string) {
    this.file = join(dataDir, FILE);
    this.lockFile = join(dataDir, LOCK_FILE);
  }

  /**
   * Make the grants file if there is none, before any library is made or opened: an installation
   * from before grants existed lists KNOWN libraries for adoption; a new one starts with none.
   */
  init(known: () => Array<{ id: string; path: string }>): void {
    if (existsSync(this.file)) return;
    FileLock.withLock(this.lockFile, () => {
      if (existsSync(this.file)) return;
      this.write({ version: 1, grants: [], adopt: known().map((l) => ({ library_id: l.id, root: l.path })) });
    });
  }

  /** Whether the user added PATH as location LOCATION_UUID of library LIBRARY_ID on this device. */
  has(libraryId: string, locationUuid: string, path: string): boolean {
    const match = (f: GrantsFile) => f.grants.some((g) => g.library_id === libraryId && g.location_uuid === locationUuid && g.path === path);
    // Another process may have added the location since this one read the file: look once more.
    if (this.cached && match(this.cached)) return true;
    return match(this.read());
  }

  grant(libraryId: string, locationUuid: string, path: string): void {
    this.update((f) => {
      f.grants = f.grants.filter((g) => !(g.library_id === libraryId && g.location_uuid === locationUuid));
      f.grants.push({ library_id: libraryId, location_uuid: locationUuid, path });
    });
  }

  revoke(libraryId: string, locationUuid: string): void {
    this.update((f) => {
      f.grants = f.grants.filter((g) => !(g.library_id === libraryId && g.location_uuid === locationUuid));
    });
  }

  /**
   * The one-time step of an upgrade: if the library at ROOT was known here before grants existed,
   * grant the locations its database has for this device (LOCATIONS), once.
   */
  adopt(libraryId: string, root: string, locations: () => Array<{ uuid: string; path: string }>): void {
    const pending = (f: GrantsFile) => f.adopt.some((a) => a.library_id === libraryId && a.root === root);
    if (!pending(this.read())) return;
    this.update((f) => {
      if (!pending(f)) return;
      for (const l of locations()) f.grants.push({ library_id: libraryId, location_uuid: l.uuid, path: l.path });
      f.adopt = f.adopt.filter((a) => !(a.library_id === libraryId && a.root === root));
    });
  }

  private update(change: (f: GrantsFile) => void): void {
    FileLock.withLock(this.lockFile, () => {
      const f = this.read();
      change(f);
      this.write(f);
    });
  }

  private read(): GrantsFile {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return (this.cached = { version: 1, grants: [], adopt: [] });
      // Refuse rather than start empty: an empty list would be written back over the user's grants.
      throw new VssError('DEVICE_INVALID', `${FILE} is damaged: ${(err as Error).message}`, { path: this.file, cause: err });
    }
    const r = raw as Partial<GrantsFile>;
    const str = (v: unknown): v is string => typeof v === 'string';
    const grants = (Array.isArray(r.grants) ? r.grants : []).filter((g) => g && str(g.library_id) && str(g.location_uuid) && str(g.path));
    const adopt = (Array.isArray(r.adopt) ? r.adopt : []).filter((a) => a && str(a.library_id) && str(a.root));
    return (this.cached = { version: 1, grants, adopt });
  }

  private write(f: GrantsFile): void {
    writeFileAtomicSync(this.file, JSON.stringify(f, null, 2) + '\n', 0o600);
    this.cached = f;
  }
}
