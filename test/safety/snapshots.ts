/**
 * The safety model's library snapshots: `vss library backup` taken at one step, and `vss library
 * restore` of one of them at a later step (the device stopped as its daemon stops, the snapshot
 * brought back, the device started again). An older database forgets what happened since — its
 * tags, its jobs — but what the disks are now is no history: rot found since the snapshot is still
 * rot (case S4 of the faults of 2026-11-27), and no byte a guard relied on may be lost for it.
 */
import { statSync } from 'node:fs';
import { LibrariesApi } from '../../src/api/libraries.js';
import { Installation } from '../../src/library/installation.js';
import { Violation, type Model, type Outcome, type Real } from './real.js';
import { answered, Step } from './step.js';

/** `vss library backup` on device D: a snapshot of its library's database, kept for a later restore. */
export class Backup extends Step {
  constructor(private readonly d: number) {
    super();
  }
  check(): boolean {
    return true;
  }
  protected plan(): string {
    return `D${this.d}: library backup`;
  }
  protected async act(r: Real): Promise<Outcome> {
    const dev = r.device(this.d);
    try {
      const made = await dev.life.run(() => dev.api.backup.make());
      r.snapshots.push({ device: dev.index, path: made.path, step: r.trace.length + 1 });
      this.said = `${dev.name}: library backup → snapshot #${r.snapshots.filter((s) => s.device === dev.index).length - 1} made`;
    } catch (err) {
      this.said = `${dev.name}: library backup → ${answered(err)}`;
    }
    return {};
  }
}

/**
 * `vss library restore` on device D of its Kth snapshot (modulo): its daemon stops, the snapshot
 * comes back, it starts again (connected: the others pull its rows of the new epoch). Every file
 * the device had recorded as rotten and that is as it was (size, times, inode) is still recorded
 * as rotten after it: rot is an observation of the disk now, not the library's history.
 */
export class Restore extends Step {
  constructor(private readonly d: number, private readonly k: number) {
    super();
  }
  check(): boolean {
    return true;
  }
  protected plan(): string {
    return `D${this.d}: library restore of snapshot #${this.k}`;
  }
  protected async act(r: Real, _m: Model): Promise<Outcome> {
    const dev = r.device(this.d);
    const mine = r.snapshots.filter((s) => s.device === dev.index);
    if (mine.length === 0) {
      this.said = `${dev.name}: library restore: no snapshot taken yet`;
      return {};
    }
    const snap = mine[this.k % mine.length]!;
    const rotten = dev.api.guardian.rot({ limit: 1000 }).map((x) => ({ path: x.path, identity: identity(x.path) })).filter((x) => x.identity !== null);
    let said = 'done';
    await r.world.restart(dev.index, async () => {
      try {
        await new LibrariesApi(new Installation({ dataDir: dev.dataDir })).restore(snap.path, { library: r.world.libraryId });
      } catch (err) {
        said = answered(err);
      }
    });
    this.said = `${dev.name}: library restore of the snapshot of step ${snap.step} (daemon stopped, started again) → ${said}`;
    // Asked for: what was acknowledged since the snapshot is gone with the database it was in (a restore refused keeps it).
    if (said === 'done') r.restoredTo(dev.index, snap.step);
    if (r.checks('word')) {
      const again = r.device(dev.index);
      const now = new Set(again.api.guardian.rot({ limit: 1000 }).map((x) => x.path));
      const forgotten = rotten.filter((x) => identity(x.path) === x.identity && !now.has(x.path));
      if (forgotten.length > 0) {
        throw new Violation('the Guardian forgets rot', `after ${this.toString()}, ${again.name} no longer records as rotten ${forgotten.map((x) => x.path).join(', ')}, which it had found rotten and which is as it was on the disk`);
      }
    }
    return { changed: [dev.index] };
  }
}

/** A file's identity on the disk (size, times, inode), or null when it is not there. */
function identity(path: string): string | null {
  try {
    const s = statSync(path, { bigint: true });
    return `${s.size}:${s.mtimeNs}:${s.ctimeNs}:${s.ino}`;
  } catch {
    return null;
  }
}
