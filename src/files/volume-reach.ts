import { dirname, join, relative } from 'node:path';
import { isInside } from '../library/confine.js';
import { deviceAt } from '../storage/local-tree.js';
import { mountedVolumes, volumeAt, type MountedVolume } from '../volumes/detect.js';

/**
 * What a file operation needs to find again before it touches a side: a folder (a location's
 * root, or the nearest existing folder of a destination outside the library) and the device
 * number of the filesystem it was on when the operation was asked for. An unplugged drive's
 * mount point stays behind as an empty folder of the parent filesystem: the volume's fingerprint
 * (its filesystem UUID) tells the two apart, so a job waits for the drive instead of writing
 * into (or reading) the empty mount point, and knows the drive again when it comes back as
 * another device (sdb, then sdc). Where no volume is known (not Linux), the device number.
 */
export interface Anchor {
  path: string;
  dev: number;
  fingerprint?: string;
  /** Where its volume was mounted when the operation was asked for: the job follows the drive from there to wherever it is mounted now. */
  mount?: string;
}

/** The anchor of DIR: DIR itself, or its nearest existing ancestor. */
export function anchorOf(dir: string): Anchor {
  for (let p = dir; ; p = dirname(p)) {
    const dev = deviceAt(p);
    if (dev !== undefined) {
      const vol = volumeAt(p);
      return { path: p, dev, ...(vol ? { fingerprint: vol.fingerprint, mount: vol.mountPoint } : {}) };
    }
    if (dirname(p) === p) throw new Error(`no folder of ${dir} exists`);
  }
}

/** Whether ANCHOR's folder is there on the filesystem it was on (the drive is plugged in and mounted). */
export function reachable(anchor: Anchor): boolean {
  try {
    const dev = deviceAt(anchor.path);
    if (dev === undefined) return false;
    if (anchor.fingerprint === undefined) return dev === anchor.dev;
    return volumeAt(anchor.path)?.fingerprint === anchor.fingerprint;
  } catch {
    return false;
  }
}

/**
 * ANCHORS followed to where their drives are mounted now: a drive unplugged and mounted again at
 * another mount point holds the operation's folders at the same place relative to its root (as a
 * location follows its drive). Undefined when no drive of the operation moved; else the anchors
 * where they are now, and how any path of the operation maps there.
 */
export function followedAnchors(anchors: readonly Anchor[]): { anchors: Anchor[]; follow: (path: string) => string } | undefined {
  const moves: Array<[string, string]> = [];
  let vols: MountedVolume[] | undefined;
  for (const a of anchors) {
    if (a.fingerprint === undefined || a.mount === undefined) continue;
    // Still mounted where it was (nearly always): known from that mount alone.
    const there = volumeAt(a.mount);
    if (there?.mountPoint === a.mount && there.fingerprint === a.fingerprint) continue;
    vols ??= mountedVolumes();
    const at = vols.filter((v) => v.fingerprint === a.fingerprint);
    if (at.length === 0 || at.some((v) => v.mountPoint === a.mount)) continue;
    moves.push([a.mount, at[0]!.mountPoint]);
  }
  if (moves.length === 0) return undefined;
  // The deepest old mount point first: one drive may be mounted inside another's folder.
  moves.sort((x, y) => y[0].length - x[0].length);
  const follow = (path: string): string => {
    for (const [from, to] of moves) {
      if (path === from) return to;
      if (isInside(from, path)) return join(to, relative(from, path));
    }
    return path;
  };
  return {
    anchors: anchors.map((a) => {
      const path = follow(a.path);
      if (path === a.path) return a;
      const vol = vols!.find((v) => v.fingerprint === a.fingerprint)!;
      return { ...a, path, mount: vol.mountPoint };
    }),
    follow,
  };
}
