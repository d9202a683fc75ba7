/**
 * The safety world's drive as the world treats it: an ext4 loop volume (test/loop-volume.ts) that
 * can be unplugged — its mount point left behind as an empty folder, as a drive pulled out leaves
 * it, every device's `drive` location offline — and plugged back at the same place, and whose
 * bits can rot below the filesystem (size, times and inode kept: what a failing disk does, which
 * no write through the filesystem can make).
 *
 * While it is away its files are what it held when it left (nobody can change them), and anything
 * found under the mount point was written where the drive left: the mount would hide it once the
 * drive is back (case S1 of the faults of 2026-11-27).
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { LoopVolume } from '../loop-volume.js';
import type { Held } from './reality.js';

/** What the drive held when it left: its files, and what its locations' trash folders held. */
export interface AwayDrive {
  files: Held[];
  trash: Held[];
}

export class WorldDrive {
  /** Where it is mounted: the same folder whether it is there or not. */
  readonly mountAt: string;
  /** The names at its top when the world was made (the devices' folders, `lost+found`): any other is a write outside every location. */
  readonly top: ReadonlySet<string>;
  private away: AwayDrive | null = null;

  constructor(private readonly vol: LoopVolume) {
    if (vol.mountPoint === null) throw new Error('the world\'s drive is made mounted');
    this.mountAt = vol.mountPoint;
    this.top = new Set(readdirSync(this.mountAt));
  }

  get plugged(): boolean {
    return this.away === null;
  }

  /** What it held when it left (null while it is plugged in). */
  get held(): AwayDrive | null {
    return this.away;
  }

  /**
   * Unplug it; NOW is what it holds at this moment (its files, its trash), kept as what it holds
   * while away. The reason it could not be unplugged (a file on it held open), or null.
   */
  unplug(now: AwayDrive): string | null {
    if (this.away) return 'it is unplugged already';
    try {
      this.vol.unplug();
    } catch (err) {
      // A drive in use is not pulled out here: a lazy unmount would leave it mounted out of sight, and plugging it again would mount it twice.
      return `it is busy: ${(err as Error).message.split('\n')[0]}`;
    }
    this.away = now;
    return null;
  }

  /** Plug it back at its mount point (over whatever was written there while it was away: the mount hides that). */
  plug(): void {
    if (!this.away) return;
    this.vol.plug(this.mountAt);
    this.away = null;
  }

  /** What is under its mount point while it is away (paths): written where the drive left. */
  strays(): string[] {
    if (this.plugged) return [];
    const out: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        out.push(p);
        if (e.isDirectory()) walk(p);
      }
    };
    walk(this.mountAt);
    return out;
  }

  /** Back as a world begins: plugged in, nothing left under its mount point from a sequence that wrote there. */
  reset(): void {
    if (this.plugged) return;
    for (const e of readdirSync(this.mountAt)) rmSync(join(this.mountAt, e), { recursive: true, force: true });
    this.plug();
  }

  /** Byte AT of the file PATH on it flips below the filesystem (LoopVolume.rot): its size, times and inode stay. */
  rot(path: string, at: number): void {
    this.vol.rot(path, at);
  }

  remove(): void {
    this.reset();
    this.vol.remove();
  }
}
