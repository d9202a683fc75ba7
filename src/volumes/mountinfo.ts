/**
 * The mount table of this process (Linux `/proc/self/mountinfo`, proc(5)): one line per mount,
 * `ID PARENT MAJ:MIN ROOT MOUNT_POINT OPTIONS [OPTIONAL…] - FSTYPE SOURCE SUPER_OPTIONS`. Paths
 * escape space, tab, newline and backslash as octal (`\040`).
 */

export interface MountLine {
  /** The mount's own id: a new mount (a drive plugged again) gets a new one. */
  mountId: string;
  /** `maj:min` of the device: a bind mount repeats its device's. */
  majMin: string;
  /** The folder of the filesystem mounted here (`/` for the whole filesystem, else a bind mount's). */
  root: string;
  mountPoint: string;
  fs: string;
  source: string;
  readOnly: boolean;
}

/** Filesystems that hold no user files: never volumes. */
const PSEUDO = new Set([
  'proc', 'sysfs', 'devtmpfs', 'devpts', 'cgroup', 'cgroup2', 'pstore', 'bpf', 'tracefs', 'debugfs', 'securityfs', 'configfs',
  'fusectl', 'mqueue', 'hugetlbfs', 'autofs', 'binfmt_misc', 'rpc_pipefs', 'nsfs', 'efivarfs', 'selinuxfs', 'ramfs', 'overlay',
  'squashfs', 'tmpfs', 'devfs', 'fuse.gvfsd-fuse', 'fuse.portal', 'fuse.lxcfs', 'nfsd',
]);

/** Octal escapes of proc(5) undone (`\040` → space). */
export function unescapeMountPath(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Every well-formed line of TEXT; a malformed one is skipped (the kernel writes it, but a line is never trusted to split right). */
export function parseMountInfo(text: string): MountLine[] {
  const out: MountLine[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const f = line.split(' ');
    const dash = f.indexOf('-', 6);
    if (f.length < 10 || dash < 0 || dash + 3 > f.length) continue;
    const opts = f[5]!.split(',');
    const superOpts = (f[dash + 3] ?? '').split(',');
    out.push({
      mountId: f[0]!, majMin: f[2]!, root: unescapeMountPath(f[3]!), mountPoint: unescapeMountPath(f[4]!), fs: f[dash + 1]!,
      source: unescapeMountPath(f[dash + 2]!), readOnly: opts.includes('ro') || superOpts.includes('ro'),
    });
  }
  return out;
}

/**
 * The mounts that can hold a user's files: block devices (a `/dev/` source) of a real filesystem,
 * one per device. A bind mount shows its device again under another folder: the mount of the
 * filesystem's own root is kept (the first one when there are several), so a drive is one volume.
 */
export function volumeMounts(lines: readonly MountLine[]): MountLine[] {
  const byDevice = new Map<string, MountLine>();
  for (const m of lines) {
    if (PSEUDO.has(m.fs) || !m.source.startsWith('/dev/')) continue;
    const had = byDevice.get(m.majMin);
    if (!had || (had.root !== '/' && m.root === '/')) byDevice.set(m.majMin, m);
  }
  return [...byDevice.values()];
}
