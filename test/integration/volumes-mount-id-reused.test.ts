import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { mountedVolumes } from '../../src/volumes/detect.js';
import { loopSkipReason, makeLoopVolume, type LoopVolume } from '../loop-volume.js';

const skip = loopSkipReason();

/**
 * One process watching the mounts (a daemon between polls, a CLI call in a test): the kernel
 * gives a freed mount id to the next mount, so a drive swapped for another at the same folder,
 * with no look between, comes back under the id the first one had. It must be seen as the drive
 * it is: a location on it recorded on the other drive's volume is a copy counted on the wrong disk.
 */
describe('a drive swapped for another under a reused mount id', { skip }, () => {
  const drives: LoopVolume[] = [];
  const at = mkdtempSync(join(tmpdir(), 'vss-swap-'));
  after(() => {
    for (const d of drives) d.remove();
    rmSync(at, { recursive: true, force: true });
  });

  it('is known by its own fingerprint, not the one cached for the mount id', () => {
    const a = makeLoopVolume({ sizeMiB: 8, mountAt: at });
    drives.push(a);
    const b = makeLoopVolume({ sizeMiB: 8, mount: false });
    drives.push(b);
    const seenA = mountedVolumes().find((v) => v.mountPoint === at);
    assert.equal(seenA?.fingerprint, a.fsUuid.toLowerCase());
    // Swapped with no look between: the cache still holds A's mount.
    a.unplug();
    b.plug(at);
    const seenB = mountedVolumes().find((v) => v.mountPoint === at);
    assert.ok(seenB, 'the second drive is mounted');
    assert.equal(seenB.fingerprint, b.fsUuid.toLowerCase(), `mount ids ${seenA!.mountId} then ${seenB.mountId}: the second drive is itself`);
    // And back again: A is A.
    b.unplug();
    a.plug(at);
    assert.equal(mountedVolumes().find((v) => v.mountPoint === at)?.fingerprint, a.fsUuid.toLowerCase());
  });
});
