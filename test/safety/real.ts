/**
 * The system under test as the model's commands see it: the world (world.ts), the contents the
 * test made (by the BLAKE3 of their bytes), the writes the API acknowledged, and the checks made
 * after every step against what the disks and the bucket hold (reality.ts), never vss's index:
 *
 * - a content that had a good copy (a file or bucket object whose bytes hash to it) before a step
 *   still has one after, unless the step was the world's (an edit, rot, a bucket object deleted or
 *   overwritten behind vss's back) or a `--force` that named it;
 * - a content whose bytes were anywhere (a file in a trash too: issue 45) before a step still has
 *   them after, on the same terms: a trash is emptied only of what is kept elsewhere, or of a
 *   content the person deleted whole — every file of it, as the person sees them (a file rotted
 *   silently since, or an object overwritten behind vss's back, still is one: `lineage`), went
 *   by a delete into the trash (DESIGN §21);
 * - a delete into the trash loses nothing (DESIGN §21): a content whose last good copy it put
 *   there is not lost by it (the rule above then weighs the trash's empty);
 * - every write the API acknowledged before a kill is there after the reopen (checked by the kill),
 *   but for one a `library restore` since took back (made after its snapshot: the person asked for that);
 * - no object in the bucket says (`x-amz-meta-vss-blake3`) it holds bytes it does not hold (but for
 *   one another tool overwrote behind vss's back, keeping its metadata, while it holds those bytes);
 * - a device does not call a content safe when every copy of it that it knows of is a file it has
 *   recorded as rotten (its own `guardian list --at-risk` names it), and forgets no rot it found
 *   while the rotten file is as it was (checked by a `library restore`: snapshots.ts);
 * - nothing is written outside the places vss may write (a location, the library, the data dir,
 *   the inbox), for any party, nor under the mount point a drive left (places.ts);
 * - bytes another program wrote into a file during a step (mid-job.ts) exist somewhere after it:
 *   a move's source that changed after it was read is never removed;
 * - a near-duplicate let go for the picture kept (`similar keep`) is lost only while that picture
 *   has a good copy.
 */
import { createCipheriv } from 'node:crypto';
import { utimesSync } from 'node:fs';
import { join } from 'node:path';
import { blake3 } from '@napi-rs/blake-hash';
import { outsideChanged, outsideNow } from './places.js';
import { goodContents, type Held } from './reality.js';
import type { Statement } from 'better-sqlite3';
import type { Library } from '../../src/library/library.js';
import type { Device, World } from './world.js';

/** The checks: good copies kept, bytes kept, acknowledged writes kept, bucket objects honest, rotten contents at risk, nothing written where it may not be. */
export const RULES = ['copies', 'bytes', 'acks', 'bucket', 'word', 'places'] as const;
export type Rule = (typeof RULES)[number];

/** A check failed: what was lost or what lied, in words. */
export class Violation extends Error {
  constructor(readonly rule: string, message: string) {
    super(`${rule}: ${message}`);
    this.name = 'Violation';
  }
}

/** What a step did, for the checks after it. */
export interface Outcome {
  /** Contents a step may take away: the world's own damage, or what a `--force` named. */
  exempt?: Iterable<string>;
  /** Devices whose files or index changed: the others pull their rows before the checks. */
  changed?: number[];
  /** A tag or metadata write was made: the shared feed is pulled too. */
  shared?: boolean;
  /** Contents another program made during the step (a write into a file vss was reading): their bytes must be somewhere after it. */
  made?: Iterable<string>;
  /** The step was a person's delete into the trash (DESIGN §21): what it put there is not lost, and a content it took whole may go when the trash is emptied. */
  trashed?: boolean;
  /** The step checked the bucket (guardian check-buckets): the objects another tool deleted are known gone now. */
  bucketsChecked?: boolean;
  /** What the person did outside every location in the step (outsideNow's keys): not vss's writing there. */
  outsideOwn?: Iterable<string>;
}

export interface Ack {
  device: number;
  contentUuid: string;
  what: { tag: string } | { favorite: true };
  /** The step that had it acknowledged (a restore of a snapshot taken before it takes it back). */
  step: number;
}

/** The model: what the commands' preconditions look at. */
export interface Model {
  devices: number;
  /** Devices cut off now. */
  cut: boolean[];
  /** The drive is unplugged now. */
  away: boolean;
}

/** A file of a device as a command picks it. */
export interface Picked {
  held: Held;
  device: Device;
  loc: 'main' | 'drive';
}

/** Where the steps' time goes, in ms summed over the process (fuzz:safety prints it): looking at the world, the steps' acts, the devices hearing each other, the Guardian's word. */
export const PHASES: Record<string, number> = {};

export class Real {
  /** Contents the test made, by hash. */
  readonly contents = new Set<string>();
  readonly acks: Ack[] = [];
  /** Objects the world overwrote behind vss's back (key → the hash of the bytes it wrote): their lie is the world's, not vss's, while they hold those bytes. */
  readonly tampered = new Map<string, string>();
  /** The library snapshots taken so far (`library backup`: snapshots.ts), by device, with the step that took each. */
  readonly snapshots: Array<{ device: number; path: string; step: number }> = [];
  /** The photos made (photos.ts), by content uuid: the hash of their bytes as made. */
  readonly photos = new Map<string, string>();
  /** Near-duplicates let go (`similar keep`), by hash: the hash of the picture kept for each. */
  readonly keptAs = new Map<string, string>();
  /**
   * Bytes the world made silently of a file of another content (rot, an object overwritten behind
   * vss's back), by hash: the content that file is to the person who has it. They do not know it
   * changed, so it is still a file of that content to them: a delete of the other files does not
   * take that content whole. An edit, by the person's own tools, makes a content of its own.
   */
  private readonly lineage = new Map<string, string>();
  /** Contents an object of which another tool deleted behind vss's back, until the bucket is checked: still there to the person. */
  private readonly ghosts = new Set<string>();
  /** Contents every file of which (as the person sees them) went by deletes into the trash: emptying it may let them go. */
  readonly deletedWhole = new Set<string>();
  /** What each step of this sequence did, in words. */
  readonly trace: string[] = [];
  private made = 0;
  private tags = 0;
  /** Steps run since made (all sequences, shrinking included). */
  steps = 0;
  /** Each device's database state (and reach) when its word was last checked, by library opened. */
  private readonly wordSeen = new WeakMap<object, string>();
  /** How long the last step's own act took (the rest: hearing each other, the checks). */
  actMs = 0;
  /**
   * What the world held when the last step's checks were made (and its bytes, and the places
   * outside every location): the next step's "before". Taken again instead, nothing more would be
   * checked: between the two looks only the rest of the last step's checks and fast-check's turn to
   * the next command run, and whatever else ran then (a network message, a job's continuation) is
   * now laid at the next step's door and checked with it, where a second look would have let it
   * pass unseen. Left undefined by a step that did not end in its checks (the sequence ends there).
   */
  private last: { held: Held[]; bytes: Map<string, string[]> | undefined; outside: Map<string, string> | undefined } | undefined;
  /**
   * The world as it was looked at before this step's act, while the act's synchronous start runs
   * (a command picks its file there, before it changes anything): nothing else can run in that
   * window, so a walk would find the same files. Cleared at the act's first await.
   */
  private fresh: Held[] | undefined;

  /** RULES: the checks made after each step (all unless narrowed: a test that looks for one shape may leave out another that would be found first). */
  constructor(readonly world: World, private readonly salt: string, private readonly rules: ReadonlySet<Rule> = new Set(RULES)) {}

  /** Whether RULE is checked in this run. */
  checks(rule: Rule): boolean {
    return this.rules.has(rule);
  }

  device(i: number): Device {
    return this.world.devices[i % this.world.size]!;
  }

  /** New bytes nobody has had: content N of this sequence, SIZE bytes. */
  newBytes(size: number): Buffer {
    const n = this.made++;
    // A large file from a stream cipher's keystream (a hash per 32 bytes would take a second for 6 MiB).
    if (size > 64 * 1024) {
      const key = blake3(Buffer.from(`${this.salt}:${n}`));
      return createCipheriv('aes-128-ctr', key.subarray(0, 16), key.subarray(16, 32)).update(Buffer.alloc(size));
    }
    const out = Buffer.alloc(size);
    let block = blake3(Buffer.from(`${this.salt}:${n}`));
    for (let at = 0; at < size; at += block.length) {
      block.copy(out, at);
      block = blake3(block);
    }
    return out;
  }

  newTag(): string {
    return `t${this.tags++}`;
  }

  /** The files of device D now (sorted), each with its location. */
  filesOf(d: Device): Picked[] {
    const out: Picked[] = [];
    const held = this.fresh?.filter((h) => h.where.startsWith(`${d.name}/`)) ?? this.world.filesOf(d);
    for (const h of held) {
      for (const loc of ['main', 'drive'] as const) {
        if (h.where.startsWith(`${d.name}/${loc}/`)) out.push({ held: h, device: d, loc });
      }
    }
    return out.sort((a, b) => (a.held.where < b.held.where ? -1 : 1));
  }

  /** File K (modulo) of device D (of its location LOC only, if given), or undefined when it has none. */
  pick(d: Device, k: number, loc?: 'main' | 'drive'): Picked | undefined {
    const files = loc === undefined ? this.filesOf(d) : this.filesOf(d).filter((p) => p.loc === loc);
    return files.length === 0 ? undefined : files[k % files.length];
  }

  /** Every content this test made whose bytes are in HELD (the world as walked) or in a trash now, with where. */
  private bytes(held: readonly Held[]): Map<string, string[]> {
    const out = new Map<string, string[]>();
    // Only the trash folders are walked again: the rest of the world was walked for the good copies.
    for (const h of [...held, ...this.world.trashHeld()]) {
      if (!this.contents.has(h.hash)) continue;
      let at = out.get(h.hash);
      if (!at) out.set(h.hash, (at = []));
      at.push(h.where);
    }
    return out;
  }

  /** The world made bytes NOW (a hash) of a file that held WAS, silently: to the person, still a file of WAS's content. */
  changedFrom(now: string, was: string): void {
    if (now !== was) this.lineage.set(now, this.lineage.get(was) ?? was);
  }

  /** Another tool deleted an object holding HASH behind vss's back. */
  objectGone(hash: string): void {
    this.ghosts.add(this.lineage.get(hash) ?? hash);
  }

  /** The contents with a file or object in HELD (outside the trash) as the person sees it: by its lineage, ghosts too. */
  private seen(held: readonly Held[]): Set<string> {
    const out = new Set(this.ghosts);
    for (const h of held) out.add(this.lineage.get(h.hash) ?? h.hash);
    return out;
  }

  /** The contents with a good copy somewhere now. */
  good(held: readonly Held[] = this.world.held()): Set<string> {
    return goodContents(held, this.contents);
  }

  /**
   * Run one step: STEP does it (through the core for vss's steps), then the devices it changed
   * are heard by the others, and every check is made against what the world holds now.
   */
  async step(label: () => string, act: () => Promise<Outcome>): Promise<void> {
    this.steps++;
    let t = performance.now();
    const lap = (k: string) => { const n = performance.now(); PHASES[k] = (PHASES[k] ?? 0) + n - t; t = n; };
    const last = this.last;
    this.last = undefined;
    const before = last?.held ?? this.world.held();
    const goodBefore = this.good(before);
    const seenBefore = this.seen(before);
    const bytesBefore = this.rules.has('bytes') ? last?.bytes ?? this.bytes(before) : new Map<string, string[]>();
    const outsideBefore = this.rules.has('places') ? last?.outside ?? outsideNow(this.world) : undefined;
    lap('held');
    const a = performance.now();
    this.fresh = before;
    // Queued before the act starts, so it runs before any continuation of the act's.
    queueMicrotask(() => (this.fresh = undefined));
    let outcome: Outcome;
    try {
      outcome = await act();
    } finally {
      this.fresh = undefined;
    }
    this.actMs = performance.now() - a;
    lap('act');
    await this.world.settle(outcome.changed ?? [], outcome.shared === true);
    lap('settle');
    const after = this.world.held();
    const goodAfter = this.good(after);
    lap('held');
    // First where bytes landed: a file written under a mount point its drive left is found there before it is missed elsewhere.
    const outsideAfter = outsideBefore && outsideNow(this.world);
    const outside = outsideBefore && outsideChanged(outsideBefore, outsideAfter!, new Set(outcome.outsideOwn ?? []));
    if (outside) throw new Violation('written outside every location', `${label()}: ${outside}`);
    const exempt = new Set(outcome.exempt ?? []);
    // A near-duplicate the user let go is kept while the picture kept for it has a good copy.
    const kept = (h: string) => this.keptAs.has(h) && goodAfter.has(this.keptAs.get(h)!);
    let lost = !this.rules.has('copies') ? [] : [...goodBefore].filter((h) => !goodAfter.has(h) && !exempt.has(h) && !kept(h));
    if (lost.length > 0 && outcome.trashed) {
      // A delete into the trash loses nothing (DESIGN §21): a content whose last good copy it put there is in the trash now (looked at only then).
      const trashedNow = new Set(this.world.trashHeld().map((h) => h.hash));
      lost = lost.filter((h) => !trashedNow.has(h));
    }
    if (lost.length > 0) {
      const where = lost.map((h) => `${h.slice(0, 12)}… (its good copies were ${before.filter((x) => x.hash === h).map((x) => x.where).join(', ')})`);
      throw new Violation('a good copy lost', `${label()} left ${lost.length === 1 ? 'a content' : `${lost.length} contents`} with no good copy anywhere: ${where.join('; ')}`);
    }
    let bytesAfter: Map<string, string[]> | undefined;
    if (this.rules.has('bytes')) {
      const now = (bytesAfter = this.bytes(after));
      const made = [...outcome.made ?? []].filter((h) => !now.has(h));
      if (made.length > 0) {
        throw new Violation('bytes lost', `${label()} left bytes another program wrote during it nowhere, not even in a trash: ${made.map((h) => `${h.slice(0, 12)}…`).join(', ')}`);
      }
      const gone = [...bytesBefore.keys()].filter((h) => !now.has(h) && !exempt.has(h) && !kept(h) && !this.deletedWhole.has(this.lineage.get(h) ?? h));
      if (gone.length > 0) {
        const where = gone.map((h) => `${h.slice(0, 12)}… (it was at ${bytesBefore.get(h)!.join(', ')}${this.keptAs.has(h) ? `; let go as a near-duplicate of ${this.keptAs.get(h)!.slice(0, 12)}…, which has no good copy` : ''})`);
        throw new Violation('bytes lost', `${label()} left ${gone.length === 1 ? 'a content' : `${gone.length} contents`} with their bytes nowhere, not even in a trash: ${where.join('; ')}`);
      }
    }
    const liar = !this.rules.has('bucket') ? undefined : after.find((h) => h.claims !== undefined && h.claims !== h.hash && this.tampered.get(h.where) !== h.hash);
    if (liar) throw new Violation('a bucket object lies', `after ${label()}, ${liar.where} says it holds ${liar.claims!.slice(0, 12)}… but its bytes are ${liar.hash.slice(0, 12)}…`);
    if (this.rules.has('word')) this.checkWord(label);
    lap('word');
    this.follow(outcome, seenBefore, after);
    this.last = { held: after, bytes: bytesAfter, outside: outsideAfter };
  }

  /**
   * What the person knows after a step: a content of which they see a file again is no longer
   * deleted whole; one whose every file they saw went by this step, a delete into the trash, is.
   * Objects deleted behind vss's back are known gone once the bucket is checked.
   */
  private follow(outcome: Outcome, seenBefore: ReadonlySet<string>, after: readonly Held[]): void {
    if (outcome.bucketsChecked) this.ghosts.clear();
    const seenAfter = this.seen(after);
    for (const h of this.deletedWhole) if (seenAfter.has(h)) this.deletedWhole.delete(h);
    if (outcome.trashed) for (const h of seenBefore) if (!seenAfter.has(h) && this.contents.has(h)) this.deletedWhole.add(h);
  }

  /**
   * A rotten copy is not a copy (the Guardian's word, defect 8): a content every copy of which
   * this device knows of (its own files, other devices' and the bucket's, as its index has them)
   * is a file it has recorded as rotten is not called safe: its `guardian list --at-risk` names it.
   * Judged on the device's own evidence only (rot nobody has scrubbed yet is not its to know).
   */
  private checkWord(label: () => string): void {
    for (const d of this.world.devices) {
      // What it said last is what it says now while its database and whom it reaches are as they were.
      const looks = lookStatements(d.lib);
      const state = `${looks.version.get() as number}:${looks.changes.get() as number}:${this.world.net.connected(d.uuid).map((o) => o.deviceUuid).join()}`;
      if (this.wordSeen.get(d.lib) === state) continue;
      this.wordSeen.set(d.lib, state);
      // Its rot list is read from the rot table: with no row there it names nothing.
      if (looks.anyRot.get() === 0) continue;
      const rot = d.api.guardian.rot({ limit: 1000 });
      if (rot.length === 0) continue;
      const rotten = new Set(rot.map((r) => r.path));
      const uuids = [...new Set(rot.map((r) => r.content_uuid))];
      const copies = d.lib.store.guardian.guardCopies(uuids, d.lib.deviceId);
      const allRotten = uuids.filter((u) => copies.filter((c) => c.content_uuid === u).every((c) => c.here === 1 && rotten.has(join(c.location_path, ...c.rel_path.split('/')))));
      if (allRotten.length === 0) continue;
      const risky = new Set(d.api.guardian.atRisk({ limit: 10_000 }).map((a) => a.content_uuid));
      const safe = allRotten.find((u) => !risky.has(u));
      if (safe) {
        throw new Violation('the Guardian calls a rotten content safe', `after ${label()}, every copy ${d.name} knows of content ${safe} is a file it recorded as rotten (${rot.filter((r) => r.content_uuid === safe).map((r) => r.path).join(', ')}), yet its guardian list --at-risk does not name it`);
      }
    }
  }

  /** The API of device DEVICE acknowledged WHAT on content CONTENTUUID in this step: it must outlive every kill. */
  acknowledged(device: number, contentUuid: string, what: Ack['what']): void {
    this.acks.push({ device, contentUuid, what, step: this.trace.length + 1 });
  }

  /**
   * Device DEVICE's library was restored from a snapshot taken at step STEP: what it acknowledged
   * after that is no longer promised. A restore brings the database back as the snapshot has it
   * (docs/commands.md: tags and metadata made since are not in it) — the person asked for that;
   * what it acknowledged before the snapshot is in the snapshot and still checked.
   */
  restoredTo(device: number, step: number): void {
    for (let i = this.acks.length - 1; i >= 0; i--) if (this.acks[i]!.device === device && this.acks[i]!.step > step) this.acks.splice(i, 1);
  }

  /** After device I's reopen: every write acknowledged on it before the kill is there. */
  async checkAcks(i: number, label: () => string): Promise<void> {
    if (!this.rules.has('acks')) return;
    const d = this.device(i);
    for (const a of this.acks) {
      if (a.device !== i) continue;
      let meta;
      try {
        meta = await d.api.meta.show(a.contentUuid);
      } catch {
        continue; // the content left the index since (its last file deleted): nothing to ask
      }
      const kept = 'tag' in a.what ? meta.tags.includes(a.what.tag) : meta.favorite;
      if (!kept) {
        throw new Violation('an acknowledged write lost', `after ${label()}, ${d.name} no longer has ${'tag' in a.what ? `tag ${a.what.tag}` : 'the favourite'} on content ${a.contentUuid}, which its API had acknowledged before the kill`);
      }
    }
  }
}

/** What checkWord asks of a device's database each step (another connection's commits, its own, any rot row), prepared once per library opened. */
const looksOf = new WeakMap<Library, { version: Statement; changes: Statement; anyRot: Statement }>();
function lookStatements(lib: Library): { version: Statement; changes: Statement; anyRot: Statement } {
  let looks = looksOf.get(lib);
  if (!looks) {
    looks = {
      version: lib.db.prepare('PRAGMA data_version').pluck(),
      changes: lib.db.prepare('SELECT total_changes()').pluck(),
      anyRot: lib.db.prepare('SELECT EXISTS (SELECT 1 FROM rot)').pluck(),
    };
    looksOf.set(lib, looks);
  }
  return looks;
}

/** Set PATH's times to a whole second (a flip that puts them back then leaves them exactly so). */
export function wholeSecond(path: string, at: number): void {
  const s = Math.floor(at / 1000);
  utimesSync(path, s, s);
}
