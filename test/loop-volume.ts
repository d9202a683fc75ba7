/**
 * Removable drives for tests: an ext4 image mounted through a loop device, "unplugged" by
 * unmounting it and "plugged back" at the same or another mount point. Each image has its own
 * filesystem UUID, so it is the same volume wherever it is mounted. Linux and root only:
 * `loopSkipReason()` says why not elsewhere. A test calls `remove()` in its `after` (also when it
 * fails): it unmounts (lazily, if something still holds a file) and deletes the image and folders.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let checked: string | false | undefined;

export function loopSkipReason(): string | false {
  if (checked !== undefined) return checked;
  checked = (() => {
    if (process.platform !== 'linux') return 'loop devices are Linux only';
    if (process.getuid?.() !== 0) return 'needs root to mount loop devices';
    for (const tool of ['mkfs.ext4', 'mount', 'umount', 'losetup', 'filefrag']) {
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
  /**
   * Flip the byte AT of the file PATH (on this volume, mounted) below the filesystem, as a failing
   * disk does: written to the block device, the file's cached pages dropped. Its size, mtime and
   * ctime stay and no watch hears of it, unlike a write through the filesystem (which moves ctime,
   * so the indexer takes it for an edit).
   */
  rot(path: string, at?: number): void;
}

export interface LoopVolumeOptions {
  sizeMiB: number;
  /** The folder its image and mount points are made in (default: the temporary folder). */
  in?: string;
  /** Mount at once (default true) at this folder (default: a fresh one). */
  mount?: boolean;
  mountAt?: string;
  readOnly?: boolean;
}

/** A fresh ext4 volume of SIZEMIB with no reserved blocks, so "full" is exactly when `statfs` says. */
export function makeLoopVolume(opts: LoopVolumeOptions): LoopVolume {
  const base = mkdtempSync(join(opts.in ?? tmpdir(), 'vss-vol-'));
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
    rot(path, at = 0) {
      if (!vol.mountPoint) throw new Error('the volume is not mounted');
      const fd = openSync(path, 'r');
      try { fsyncSync(fd); } finally { closeSync(fd); }
      // One 512-byte unit per line of the map: the extent holding AT, and where it starts on the device.
      const sector = Math.floor(at / 512);
      const map = run('filefrag', ['-v', '-b512', path]);
      let deviceAt: number | undefined;
      for (const m of map.matchAll(/^\s*\d+:\s+(\d+)\.\.\s*(\d+):\s+(\d+)\.\./gm)) {
        const [from, to, physical] = [Number(m[1]), Number(m[2]), Number(m[3])];
        if (sector >= from && sector <= to) deviceAt = (physical + sector - from) * 512 + (at % 512);
      }
      if (deviceAt === undefined) throw new Error(`no extent of ${path} holds byte ${at}: ${map}`);
      const device = mountSource(vol.mountPoint);
      const dev = openSync(device, 'r+');
      try {
        const b = Buffer.alloc(1);
        readSync(dev, b, 0, 1, deviceAt);
        b[0] = b[0]! ^ 0x20;
        writeSync(dev, b, 0, 1, deviceAt);
        fsyncSync(dev);
      } finally {
        closeSync(dev);
      }
      run('dd', [`if=${path}`, 'iflag=nocache', 'count=0', 'status=none']);
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

/**
 * The device mounted at DIR (the loop device of a plugged volume), as findmnt's SOURCE says it,
 * read from the mount table rather than from a findmnt started per rot (a fork of the test's whole
 * process each time). A mountinfo line: ID PARENT MAJ:MIN ROOT POINT OPTIONS [OPTIONAL…] - TYPE SOURCE SUPER.
 */
function mountSource(dir: string): string {
  let source: string | undefined;
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const f = line.split(' ');
    if (f[4] === dir) source = f[f.indexOf('-') + 2]; // the last mount there is the one seen
  }
  if (source === undefined) throw new Error(`nothing is mounted at ${dir}`);
  return source;
}
