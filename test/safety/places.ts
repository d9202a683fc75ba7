/**
 * Where bytes may land (DESIGN §22), as the safety model checks it after every step: inside a
 * location of a device, its library, its data dir or its inbox, never elsewhere — not in a person's
 * home folder beside them (`D0/home`, where a `.bashrc` waits: case N1 of the faults of
 * 2026-11-27), not at the top of a device's folder or of the drive, and never under the drive's
 * mount point while the drive is away (case S1).
 *
 * Read from the disks: each of those places listed (and the home folders' files by their identity
 * on the disk), before and after a step; what differs was written by the step.
 */
import { readdirSync, statSync, type Dirent } from 'node:fs';
import { join, relative } from 'node:path';
import type { World } from './world.js';

/** A person's own files beside the library: each device's home folder, made with the world. */
export const HOME = 'home';
/** What the home folder holds: files a party must never touch. */
export const HOME_FILES: Readonly<Record<string, string>> = {
  '.bashrc': 'export PATH="$HOME/bin:$PATH"\nalias ll="ls -l"\n',
  'notes/todo.txt': 'water the plants\n',
};
/** What a device's folder holds at its top: every other name there was written outside every place vss may write. */
const DEVICE_TOP = new Set(['data', 'libs', 'main', 'inbox', HOME]);

/** The places outside every location as they are now: each name found there, with its identity on the disk for a file of a home folder. */
export function outsideNow(world: World): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < world.size; i++) {
    const dir = join(world.root, `D${i}`);
    for (const e of list(dir)) if (!DEVICE_TOP.has(e.name)) out.set(`${relative(world.root, join(dir, e.name))} at the top of the device's folder`, '');
    walk(join(dir, HOME), (p, e) => out.set(relative(world.root, p), e.isFile() ? identity(p) : 'a folder'));
  }
  if (world.drive.plugged) {
    for (const e of list(world.drive.mountAt)) if (!world.drive.top.has(e.name)) out.set(`${e.name} at the top of the drive`, '');
  } else {
    for (const p of world.drive.strays()) out.set(`${relative(world.drive.mountAt, p)} under the mount point its drive left`, '');
  }
  return out;
}

/**
 * What changed outside every location between BEFORE and AFTER (outsideNow's), in words; none:
 * undefined. OWN: what the person did there in the step (a file saved in their home folder, one
 * moved out of it whose bytes landed): not vss's writing.
 */
export function outsideChanged(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>, own: ReadonlySet<string> = new Set()): string | undefined {
  const said: string[] = [];
  for (const [k, v] of after) {
    if (own.has(k)) continue;
    if (!before.has(k)) said.push(`made ${k}`);
    else if (before.get(k) !== v) said.push(`changed ${k}`);
  }
  for (const k of before.keys()) if (!after.has(k) && !own.has(k)) said.push(`removed ${k}`);
  return said.length === 0 ? undefined : said.slice(0, 6).join('; ');
}

function list(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

function walk(dir: string, on: (path: string, e: Dirent) => void): void {
  for (const e of list(dir)) {
    const p = join(dir, e.name);
    on(p, e);
    if (e.isDirectory()) walk(p, on);
  }
}

function identity(path: string): string {
  const s = statSync(path, { bigint: true });
  return `${s.size}:${s.mtimeNs}:${s.ctimeNs}:${s.ino}`;
}
