import { join } from 'node:path';

/** The one place that knows the names inside a `<Name>.sdlibrary` folder. */
export const LIBRARY_SUFFIX = '.sdlibrary';

export interface LibraryLayout {
  root: string;
  configFile: string;
  databaseFile: string;
  sidecarsDir: string;
  lockFile: string;
  /** Scratch space of running jobs and scans (intermediate files); a job runner's start removes what dead ones left. */
  scratchDir: string;
  /** Sidecar files that failed verification and that vss cannot make again: set aside, never deleted. */
  quarantineDir: string;
  /** Partial files of large fetches from peers, kept across restarts to be resumed (outside sidecars/, which reconcile sweeps). */
  transfersDir: string;
  /** What is made again when lost, bounded and dropped when cold (the thumbnails of browsed folders, issue 59). */
  cacheDir: string;
}

export function libraryLayout(root: string): LibraryLayout {
  return {
    root,
    configFile: join(root, 'library.json'),
    databaseFile: join(root, 'database.db'),
    sidecarsDir: join(root, 'sidecars'),
    lockFile: join(root, '.sdlibrary.lock'),
    scratchDir: join(root, 'tmp'),
    quarantineDir: join(root, 'quarantine'),
    transfersDir: join(root, 'transfers'),
    cacheDir: join(root, 'cache'),
  };
}
