import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { errnoCode } from '../core/errors.js';
import { mountedVolumes, volumeHolding } from '../volumes/detect.js';

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
}

/** The anchor of DIR: DIR itself, or its nearest existing ancestor. */
export function anchorOf(dir: string): Anchor {
  let p = dir;
  for (;;) {
    try {
      const dev = statSync(p).dev;
      const fingerprint = volumeHolding(mountedVolumes(), p)?.fingerprint;
      return { path: p, dev, ...(fingerprint !== undefined ? { fingerprint } : {}) };
    } catch (err) {
      const code = errnoCode(err);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
    }
    const up = dirname(p);
    if (up === p) throw new Error(`no folder of ${dir} exists`);
    p = up;
  }
}

/** Whether ANCHOR's folder is there on the filesystem it was on (the drive is plugged in and mounted). */
export function reachable(anchor: Anchor): boolean {
  try {
    const dev = statSync(anchor.path).dev;
    if (anchor.fingerprint === undefined) return dev === anchor.dev;
    return volumeHolding(mountedVolumes(), anchor.path)?.fingerprint === anchor.fingerprint;
  } catch {
    return false;
  }
}

/** Errors a side that went away mid-operation answers with (an unplugged drive, a lazy unmount). */
export const GONE_CODES = new Set(['ENOENT', 'EIO', 'ENODEV', 'ENXIO', 'ESTALE', 'ENOTDIR']);

export function looksGone(err: unknown): boolean {
  const code = errnoCode(err);
  return code !== undefined && GONE_CODES.has(code);
}
