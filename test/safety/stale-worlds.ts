import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseMountInfo } from '../../src/volumes/mountinfo.js';

/** What a world's folder is named: its process's pid, then when it was made. */
export const WORLD_PREFIX = 'vss-safety-';

/**
 * Remove the worlds under BASE whose process is gone: a run killed -9 never reached its `after`
 * hooks, so its drive stayed mounted (a loop device held) and its folders in memory. Each mount
 * under such a folder is let go (lazily: nothing of a dead process still reads it), then the
 * folder. A world whose pid is alive is another run's, whatever its age: left alone.
 */
export function removeStaleWorlds(base: string): void {
  let names: string[];
  try {
    names = readdirSync(base).filter((n) => n.startsWith(WORLD_PREFIX));
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(name.slice(WORLD_PREFIX.length).split('-')[0]);
    if (!Number.isInteger(pid) || pid <= 0 || existsSync(`/proc/${pid}`)) continue;
    const dir = join(base, name);
    for (const at of mountsUnder(dir)) spawnSync('umount', ['-l', at]);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The mount points at or under DIR, deepest first. */
function mountsUnder(dir: string): string[] {
  let text = '';
  try {
    text = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  const points = parseMountInfo(text).map((m) => m.mountPoint);
  return points.filter((p) => p === dir || p.startsWith(`${dir}/`)).sort((a, b) => b.length - a.length);
}
