import { linkSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fsyncDir } from '../core/fs-atomic.js';
import { VssError, errnoCode } from '../core/errors.js';
import type { Library } from '../library/library.js';
import { SIDECAR_KINDS } from './kinds.js';
import type { SidecarAddress } from './address.js';
import { inPlace } from './reconcile-fs.js';

/**
 * Set aside a sidecar file whose bytes are not what was recorded but that vss cannot make again
 * (a converted Live Photo movie, a fetched copy): moved to
 * `quarantine/{content_uuid}/{kind_dir}/{variant}.{time}.{ext}` inside the library, never
 * deleted, so the user can look at it and keep it. Returns where it went.
 */
export function quarantineFile(lib: Library, a: SidecarAddress, path: string, now = new Date()): string {
  const dir = join(lib.layout.quarantineDir, a.contentUuid, SIDECAR_KINDS[a.kind].dir);
  // A quarantine/ swapped for a symlink would move the file outside the library: refused.
  lib.roots.library.makeFolder(dir);
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  for (let n = 0; n < 100; n++) {
    const dest = join(dir, `${a.variant}.${stamp}${n ? `-${n}` : ''}.${a.format}`);
    try {
      // link + unlink rather than rename: an existing quarantined file is never replaced.
      inPlace(path, (p) => linkSync(p, dest));
    } catch (err) {
      if (errnoCode(err) === 'EEXIST') continue;
      throw err;
    }
    fsyncDir(dir);
    inPlace(path, unlinkSync);
    return dest;
  }
  throw new VssError('IO', 'too many quarantined copies of this sidecar', { path: dir });
}
