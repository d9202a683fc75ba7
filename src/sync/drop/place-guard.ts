import { join, relative, sep } from 'node:path';
import { CAS_WHOLE } from '../../content/identity.js';
import type { LeavingFile } from '../../files/plan.js';
import { policyRefusal, weighDrop, type Witnesses } from '../../guardian/guard.js';
import type { Library } from '../../library/library.js';
import { factsAt } from '../../storage/local-tree.js';
import type { OfferedItem } from './journal.js';
import type { PlaceGuard } from './drop-place.js';

/*
 * Every side asks its own guard (DESIGN §19, issue 42): a paired device's `place` that replaces
 * files of this device's location is weighed by this device's Guardian, with its own policy and
 * its own witnesses (it may ask other devices to lock their copies too), exactly as a replace
 * asked here is (ops/transfer/run/). Refused with the guard's reason unless the sender forced
 * it and this device takes force from peers (its `peer_force` setting, peer-force.ts); what the
 * weighing holds lasts until the files are placed.
 */

/** The weighing (other devices asked to lock, small last copies hashed again) must end well within the sender's wait for an answer. */
const WEIGH_MS = 20_000;

/** Nothing indexed would be replaced: nothing to weigh or hold. */
const NOTHING: PlaceGuard = { holds: () => true, release: async () => undefined };

/** What the receiver's own Guardian weighs a replace with: its witnesses, and whether peers may force it. */
export interface PlaceGuardHost {
  /** What vouches for copies beyond this device's files: the paired devices connected now, asked through this daemon's network. */
  witnesses(lib: Library): Witnesses;
  /** Whether this device lets a paired device's --force past its Guardian (peer-force.ts). */
  peersMayForce(): boolean;
}

/**
 * The files of location LOCATIONID of LIB (its folder ROOT) that ITEMS, placed into DIR with
 * `replace`, would take the place of, weighed by this device's Guardian (a file the index does not
 * know, or whose bytes changed since, is refused as a local replace of it is: its bytes may be
 * nowhere else). A name free there, or taken by the very content that comes (its BLAKE3 offered
 * and the indexed file's), gives up nothing.
 */
export async function weighPlace(lib: Library, locationId: number, root: string, dir: string, items: readonly OfferedItem[], guard: PlaceGuardHost, asked: { forced: boolean }): Promise<PlaceGuard> {
  const leaving: LeavingFile[] = [];
  for (const it of items) {
    const path = join(dir, it.name);
    if (factsAt(path)?.kind !== 'file') continue;
    const rel = relative(root, path).split(sep).join('/');
    const there = lib.store.entries.fileAt(locationId, rel)?.content_uuid ?? undefined;
    if (there !== undefined && it.blake3 !== undefined) {
      const c = lib.store.contents.byUuid(there);
      if (c?.cas_version === CAS_WHOLE && c.cas_id === it.blake3) continue;
    }
    leaving.push({ locationId, rel, path, to: null, ...(there !== undefined ? { content_uuid: there } : {}) });
  }
  if (leaving.length === 0) return NOTHING;
  const opts = { forced: asked.forced, peersMayForce: guard.peersMayForce() };
  const forced = opts.forced && opts.peersMayForce;
  let hold;
  try {
    hold = await weighDrop(lib, leaving, forced ? {} : guard.witnesses(lib), { signal: AbortSignal.timeout(WEIGH_MS), forced });
  } catch (err) {
    return { refusal: { reason: `its Guardian could not weigh what this replace gives up now (${(err as Error).message}): try again later`, retry: true }, ...NOTHING };
  }
  if (hold.lockedBy) {
    await hold.release();
    return { refusal: { reason: `${hold.lockedBy.device} counts on ${hold.lockedBy.path} now (it is dropping its own copy): try again once it is done`, retry: true }, ...NOTHING };
  }
  if (!forced && hold.below.length > 0) {
    await hold.release();
    return { refusal: { reason: refusalOf(hold.below, opts), retry: false }, ...NOTHING };
  }
  return { holds: hold.holds, release: hold.release };
}

/** The guard's refusal as the sender reads it ("refused by the receiving device: this replace would …"), with what --force can do here. */
function refusalOf(below: Parameters<typeof policyRefusal>[1], opts: { forced: boolean; peersMayForce: boolean }): string {
  const said = policyRefusal('replace', below).message.replace(/^refused: /, '');
  if (opts.peersMayForce) return said;
  const how = 'which the receiving device takes from other devices only when its user allows it (vss device peer-force on, run there)';
  return opts.forced ? `${said.replace(/ Add --force to replace anyway$/, '')} It was asked with --force, ${how}` : `${said} (--force, ${how})`;
}
