import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { writeFileAtomicSync } from '../core/fs-atomic.js';
import { FileLock } from '../core/file-lock.js';

export interface KnownLibrary {
  id: string;
  name: string;
  path: string;
}

interface RegistryFile {
  current: string | null;
  libraries: KnownLibrary[];
}

/** The data dir's list of libraries this device knows, and which one is current. */
export class LibraryRegistry {
  private readonly file: string;
  /** Held across each read-modify-write, so two processes never write from a stale copy. */
  private readonly lockFile: string;

  constructor(dataDir: string) {
    this.file = join(dataDir, 'libraries.json');
    this.lockFile = join(dataDir, '.libraries.lock');
  }

  private read(): RegistryFile {
    if (!existsSync(this.file)) return { current: null, libraries: [] };
    try {
      const raw = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<RegistryFile>;
      const libraries = Array.isArray(raw.libraries)
        ? raw.libraries.filter((l) => l && typeof l.path === 'string' && isAbsolute(l.path) && typeof l.id === 'string')
        : [];
      // vss writes absolute paths only; a hand-edited relative one would depend on the working folder.
      return { current: typeof raw.current === 'string' && isAbsolute(raw.current) ? raw.current : null, libraries };
    } catch {
      // A damaged registry only forgets the list; every library still opens by path.
      return { current: null, libraries: [] };
    }
  }

  list(): { libraries: KnownLibrary[]; current: string | null } {
    return this.read();
  }

  current(): string | null {
    return this.read().current;
  }

  /** Remember a library and make it current. */
  remember(lib: KnownLibrary, makeCurrent: boolean): void {
    const path = resolve(lib.path);
    FileLock.withLock(this.lockFile, () => {
      const reg = this.read();
      reg.libraries = reg.libraries.filter((l) => resolve(l.path) !== path);
      reg.libraries.push({ ...lib, path });
      if (makeCurrent) reg.current = path;
      writeFileAtomicSync(this.file, JSON.stringify(reg, null, 2) + '\n');
    });
  }

  /** Make no library current, if PATH (or, without one, any) is the current one; whether it was. */
  clearCurrent(path?: string): boolean {
    return FileLock.withLock(this.lockFile, () => {
      const reg = this.read();
      if (reg.current === null || (path !== undefined && resolve(reg.current) !== resolve(path))) return false;
      reg.current = null;
      writeFileAtomicSync(this.file, JSON.stringify(reg, null, 2) + '\n');
      return true;
    });
  }
}
