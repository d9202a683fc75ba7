import { watch, type FSWatcher } from 'node:fs';
import { sep } from 'node:path';
import { describeFsError, errnoCode } from '../core/errors.js';
import type { FolderWatches, WatchFailure } from './port.js';
import { isUnder, parentOf } from './rel-path.js';

/** Errors that mean the OS will not give us another watch, in words (ENOSPC is not a full disk here). */
const LIMIT_REASONS: Record<string, string> = {
  ENOSPC: 'ENOSPC; on Linux the limit is fs.inotify.max_user_watches',
  EMFILE: 'EMFILE, too many open files in this process',
  ENFILE: 'ENFILE, too many open files on the system',
};

/**
 * One OS watch per folder of a location (inotify on Linux), not per file: a folder's watch
 * reports anything created, deleted, renamed or written in it, and that is all the scanner needs
 * to know — it lists the folder again itself. Folders that could not be watched are remembered
 * so they can be polled instead.
 */
export class DirWatches implements FolderWatches {
  /** rel → the watch and the folder (inode) it was set on: a watch follows its folder when that moves. */
  private readonly watches = new Map<string, { w: FSWatcher; inode: number | null }>();
  /** Folders that should be watched but could not be: rel → why. */
  readonly unwatched = new Map<string, WatchFailure>();

  constructor(
    private readonly rootAbs: string,
    /** Something changed in this folder (or the folder itself). */
    private readonly onChange: (rel: string) => void,
  ) {}

  get size(): number {
    return this.watches.size;
  }

  /**
   * Watch exactly `dirs` at and beneath `top`: new ones are watched, those no longer there are
   * let go. Returns the folders newly watched and what could not be.
   */
  sync(top: string, dirs: ReadonlyArray<{ rel: string; inode: number | null }>): { added: string[]; failed: WatchFailure[] } {
    const want = new Map(dirs.map((d) => [d.rel, d.inode] as const));
    for (const [rel, held] of this.watches) {
      if (!isUnder(rel, top)) continue;
      // Gone, or another folder now has this name (the watched one moved away): let it go.
      if (!want.has(rel) || (held.inode !== null && want.get(rel) !== held.inode)) { held.w.close(); this.watches.delete(rel); }
    }
    for (const rel of this.unwatched.keys()) if (isUnder(rel, top) && !want.has(rel)) this.unwatched.delete(rel);
    const added: string[] = [];
    const failed: WatchFailure[] = [];
    for (const [rel, inode] of want) {
      if (this.watches.has(rel)) continue;
      const outcome = this.watchOne(rel, inode);
      if (outcome === true) { added.push(rel); this.unwatched.delete(rel); }
      else if (outcome) { failed.push(outcome); this.unwatched.set(rel, outcome); }
    }
    return { added, failed };
  }

  private watchOne(rel: string, inode: number | null): true | WatchFailure | null {
    const abs = rel === '' ? this.rootAbs : this.rootAbs + sep + rel.split('/').join(sep);
    let w: FSWatcher;
    try {
      // Not persistent: watching alone never keeps a process alive; the daemon's server does.
      w = watch(abs, { persistent: false }, () => this.onChange(rel));
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'ENOENT' || code === 'ENOTDIR') { this.onChange(parentOf(rel)); return null; } // gone already: its parent is listed again
      const limit = code !== undefined ? LIMIT_REASONS[code] : undefined;
      return { rel, reason: limit ?? describeFsError(err), limit: limit !== undefined };
    }
    w.on('error', () => {
      // The watch is dead (its folder went away, mostly): list both again; the next sync re-watches what is still there.
      w.close();
      if (this.watches.get(rel)?.w === w) this.watches.delete(rel);
      this.onChange(rel);
      this.onChange(parentOf(rel));
    });
    this.watches.set(rel, { w, inode });
    return true;
  }

  closeAll(): void {
    for (const { w } of this.watches.values()) w.close();
    this.watches.clear();
    this.unwatched.clear();
  }
}
