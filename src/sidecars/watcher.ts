import { lstatSync } from 'node:fs';
import { basename, relative, sep } from 'node:path';
import chokidar, { type FSWatcher } from 'chokidar';
import { childLog } from '../core/log.js';
import { TEMP_PREFIX } from '../core/fs-atomic.js';
import { blake3File } from '../core/file-blake3.js';
import type { Library } from '../library/library.js';
import { parseSidecarRelPath, type SidecarAddress } from './address.js';
import { SidecarManager } from './manager.js';

const log = childLog('sidecar-watcher');

/**
 * Keeps the database true when files under `sidecars/` change behind the manager's back: a
 * deleted file becomes missing (and pending again where it can be remade), a file that appears
 * or changes size at an address of a known content is hashed and recorded. What it misses (it
 * was not running, the kernel dropped events) reconcile finds.
 */
export class SidecarWatcher {
  private constructor(private readonly fsw: FSWatcher) {}

  static async start(lib: Library): Promise<SidecarWatcher> {
    const manager = new SidecarManager(lib);
    const fsw = chokidar.watch(lib.layout.sidecarsDir, {
      ignoreInitial: true,
      followSymlinks: false,
      // Our own writes land by rename; a foreign writer may still be writing: wait until the size settles.
      awaitWriteFinish: { stabilityThreshold: 150, pollInterval: 50 },
      ignored: (p: string) => basename(p).startsWith(TEMP_PREFIX),
    });
    const addressOf = (abs: string): SidecarAddress | null => parseSidecarRelPath(relative(lib.root, abs).split(sep).join('/'));

    fsw.on('unlink', (abs) => {
      const a = addressOf(abs);
      const row = a && manager.get(a);
      if (!a || !row || row.status !== 'ready' || row.source === 'reference') return;
      const status = manager.markMissing(a, 'the file was deleted outside vss');
      log.info({ path: abs, status }, 'sidecar file deleted');
    });

    const appeared = async (abs: string) => {
      const a = addressOf(abs);
      if (!a) return;
      if (lib.store.contents.kindOf(a.contentUuid) === undefined) return; // reconcile removes files of unknown contents
      let size: number;
      try {
        const st = lstatSync(abs);
        if (!st.isFile()) return;
        size = st.size;
      } catch {
        return; // gone again
      }
      const row = manager.get(a);
      if (row?.source === 'reference') return;
      if (row && row.status === 'ready' && row.size === size) return; // our own write, already recorded
      const { checksum } = await blake3File(abs);
      manager.record(a, { status: 'ready', source: row?.source ?? 'generated', size, checksum, sourceEntryId: null, error: null });
      log.info({ path: abs }, 'sidecar file recorded');
    };
    const onAppear = (abs: string) => {
      appeared(abs).catch((err: unknown) => log.warn({ path: abs, err }, 'could not record a sidecar file'));
    };
    fsw.on('add', onAppear);
    fsw.on('change', onAppear);
    fsw.on('error', (err) => log.warn({ err }, 'sidecar watcher error'));
    await new Promise<void>((res) => fsw.once('ready', () => res()));
    return new SidecarWatcher(fsw);
  }

  async close(): Promise<void> {
    await this.fsw.close();
  }
}
