import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMountInfo } from '../../src/volumes/mountinfo.js';
import { loopSkipReason, makeLoopVolume } from '../loop-volume.js';
import { memoryTempDir } from '../support/memory-dir.js';
import { removeStaleWorlds, WORLD_PREFIX } from './stale-worlds.js';

const mounted = (at: string) => parseMountInfo(readFileSync('/proc/self/mountinfo', 'utf8')).some((m) => m.mountPoint === at);

/** A pid no process has now: a child's, once it has ended. */
function deadPid(): number {
  const r = spawnSync('sh', ['-c', 'echo $$']);
  const pid = Number(String(r.stdout).trim());
  assert.ok(pid > 0 && !existsSync(`/proc/${pid}`));
  return pid;
}

describe('the safety model: a killed run\'s world', { skip: loopSkipReason() ?? false }, () => {
  it('is let go by the next (its drive unmounted, its folder removed); a living run\'s is left alone', () => {
    const base = memoryTempDir('vss-stale-worlds-');
    try {
      const dead = join(base.path, `${WORLD_PREFIX}${deadPid()}-x`);
      const alive = join(base.path, `${WORLD_PREFIX}${process.pid}-y`);
      mkdirSync(dead);
      mkdirSync(alive);
      // Made mounted, as the world's drive is.
      const drive = makeLoopVolume({ sizeMiB: 8, in: dead });
      const at = drive.mountPoint!;
      try {
        assert.ok(mounted(at));
        removeStaleWorlds(base.path);
        assert.ok(!mounted(at), 'the dead run\'s drive is unmounted');
        assert.ok(!existsSync(dead), 'and its world removed');
        assert.ok(existsSync(alive), 'a world whose process lives is another run\'s: kept');
      } finally {
        if (mounted(at)) drive.remove();
      }
    } finally {
      base.cleanup();
    }
  });
});
