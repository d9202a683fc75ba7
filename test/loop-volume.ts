/**
 * Removable drives for tests: an ext4 image mounted through a loop device, "unplugged" by
 * unmounting it and "plugged back" at the same or another mount point. Each image has its own
 * filesystem UUID, so it is the same volume wherever it is mounted. Linux and root only:
 * `loopSkipReason()` says why not elsewhere. A test calls `remove()` in its `after` (also when it
 * fails): it unmounts (lazily, if something still holds a file) and deletes the image and folders.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let checked: string | false | undefined;

export function loopSkipReason(): string | false {
  if (checked !== undefined) return checked;
  checked = (() => {
    if (process.platform !== 'linux') return 'loop devices are Linux only';
    if (process.getuid?.() !== 0) return 'needs root to mount loop devices';
    for (const tool of ['mkfs.ext4', 'mount', 'umount', 'losetup']) {
      const r = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
      if (r.status !== 0) return `${tool} is not installed`;
    }
    // Try one: a container may forbid loop devices even to root.
    let probe: LoopVolume | undefined;
    try {
      probe = makeLoopVolume({ sizeMiB: 8 });
      return false;
    } catch (err) {
      return `cannot mount a loop device here: ${(err as Error).message.split('\n')[0]}`;
    } finally {
      probe?.remove();
    }
  })();
  return checked;
}

export interface LoopVolume {
  /** The ext4 image file. */
  image: string;
  /** Where it is mounted now, or null while unplugged. */
  mountPoint: string | null;
  /** The filesystem UUID (what `blkid` says). */
  fsUuid: string;
  /** Mount at DIR (made if needed; default: a fresh folder), read-only if asked. Returns the mount point. */
  plug(dir?: string, opts?: { readOnly?: boolean }): string;
  /** Unmount; `lazy` detaches even while a file is open (`umount -l`). The mount point folder stays, empty. */
  unplug(opts?: { lazy?: boolean }): void;
  /** Unmount if mounted and delete the image and every folder made for it. */
  remove(): void;
}

export interface LoopVolumeOptions {
  sizeMiB: number;
  /** Mount at once (default true) at this folder (default: a fresh one). */
  mount?: boolean;
  mountAt?: string;
  readOnly?: boolean;
}

/** A fresh ext4 volume of SIZEMIB with no reserved blocks, so "full" is exactly when `statfs` says. */
export function makeLoopVolume(opts: LoopVolumeOptions): LoopVolume {
  const base = mkdtempSync(join(tmpdir(), 'vss-vol-'));
  const image = join(base, 'drive.img');
  const made = [base];
  const run = (cmd: string, args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  run('truncate', ['-s', `${opts.sizeMiB}M`, image]);
  run('mkfs.ext4', ['-q', '-F', '-m', '0', image]);
  const fsUuid = run('blkid', ['-o', 'value', '-s', 'UUID', image]).trim();
  let plugs = 0;
  const vol: LoopVolume = {
    image, fsUuid, mountPoint: null,
    plug(dir, o = {}) {
      if (vol.mountPoint) throw new Error(`already mounted at ${vol.mountPoint}`);
      const at = dir ?? join(base, `mnt${plugs++}`);
      mkdirSync(at, { recursive: true });
      if (!made.includes(at)) made.push(at);
      run('mount', ['-o', o.readOnly ? 'loop,ro' : 'loop', image, at]);
      vol.mountPoint = at;
      return at;
    },
    unplug(o = {}) {
      if (!vol.mountPoint) return;
      run('umount', o.lazy ? ['-l', vol.mountPoint] : [vol.mountPoint]);
      vol.mountPoint = null;
    },
    remove() {
      if (vol.mountPoint) {
        const r = spawnSync('umount', [vol.mountPoint]);
        if (r.status !== 0) spawnSync('umount', ['-l', vol.mountPoint]);
        vol.mountPoint = null;
      }
      for (const dir of made.reverse()) if (!isMounted(dir)) rmSync(dir, { recursive: true, force: true });
    },
  };
  if (opts.mount !== false) {
    try {
      vol.plug(opts.mountAt, { readOnly: opts.readOnly });
    } catch (err) {
      vol.remove();
      throw err;
    }
  }
  return vol;
}

function isMounted(dir: string): boolean {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((line) => line.split(' ')[4] === dir);
}
