/**
 * The safety model's commands (fast-check model-based commands) for what a person asks of vss,
 * through the real core API of one device (`LibraryApi`: its durable operations go through
 * `ops/facade.ts` `perform` and are run by the device's job work). What the world does to the
 * files and the devices is in faults.ts, the other parties (a browser, a peer) in parties.ts, and
 * how often each comes up in arbs.ts. Each names its device and file by a number resolved against
 * the world when it runs (the Nth file of that device now), so a shrunk sequence still means
 * something; each says in words what it did and how vss answered.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { hashOf } from './reality.js';
import { wholeSecond, type Model, type Outcome, type Real } from './real.js';
import { answer, named, other, reaches, Step } from './step.js';
import type { Device, LocationName } from './world.js';

/** Names a new file takes in a location's top folder (f0.bin …): few, so names meet. */
export const NAMES = 4;
export const ON_CONFLICT = ['keep-both', 'skip', 'replace'] as const;
export type OnConflict = (typeof ON_CONFLICT)[number];

/** A person saves a new file (new bytes) in a location's top folder; the watcher indexes it (that folder listed again). */
export class Create extends Step {
  constructor(private readonly d: number, private readonly loc: LocationName, private readonly name: number, private readonly size: number) {
    super();
  }
  check(): boolean {
    return true;
  }
  protected plan(): string {
    return `D${this.d}: save a new file ${this.loc}/f${this.name}.bin`;
  }
  protected async act(r: Real): Promise<Outcome> {
    const dev = r.device(this.d);
    if (this.loc === 'drive' && !r.world.drive.plugged) {
      this.said = `${this.plan()}: the drive is unplugged, nothing saved`;
      return {};
    }
    const path = join(dev.dirs[this.loc], `f${this.name}.bin`);
    if (existsSync(path)) {
      this.said = `${this.plan()}: the name is taken, nothing saved`;
      return {};
    }
    const bytes = r.newBytes(this.size);
    writeFileSync(path, bytes);
    wholeSecond(path, Date.now() - 60_000);
    r.contents.add(hashOf(bytes));
    await r.world.noticed(dev, this.loc);
    this.said = `${dev.name}: save ${this.size} new bytes as ${this.loc}/f${this.name}.bin (${hashOf(bytes).slice(0, 6)})`;
    return { changed: [dev.index] };
  }
}

/** `vss files copy|move SRC DST/` on one device, into the root or `sub/` of a location. */
export class Transfer extends Step {
  constructor(private readonly op: 'copy' | 'move', private readonly d: number, private readonly k: number, private readonly to: LocationName, private readonly sub: boolean, private readonly onConflict: OnConflict, private readonly force: boolean) {
    super();
  }
  check(): boolean {
    return true;
  }
  protected plan(): string {
    return `D${this.d}: files ${this.op} file #${this.k} ${this.to}${this.sub ? '/sub' : ''}/ --on-conflict ${this.onConflict}${this.force ? ' --force' : ''}`;
  }
  protected async act(r: Real): Promise<Outcome> {
    const dev = r.device(this.d);
    const p = r.pick(dev, this.k);
    if (!p) return this.noFile(dev);
    const dst = this.sub ? join(dev.dirs[this.to], 'sub') : dev.dirs[this.to];
    const victimPath = join(dst, basename(p.held.path));
    const victim = existsSync(victimPath) && victimPath !== p.held.path ? hashOf(readFileSync(victimPath)) : undefined;
    const flags = { into: true, onConflict: this.onConflict, force: this.force };
    const said = await answer(dev, (o) => (this.op === 'copy' ? dev.api.files.copy([p.held.path], dst, { ...flags, ...o }) : dev.api.files.move([p.held.path], dst, { ...flags, ...o })));
    this.said = `${dev.name}: files ${this.op} ${named(p)} ${dev.name}/${this.to}${this.sub ? '/sub' : ''}/ --on-conflict ${this.onConflict}${this.force ? ' --force' : ''}${victim ? ` (the name holds ${victim.slice(0, 6)} there)` : ''} → ${said}`;
    const exempt = this.force ? [...(victim ? [victim] : []), ...(this.op === 'move' ? [p.held.hash] : [])] : [];
    return { changed: [dev.index], exempt };
  }
}

/** `vss files delete FILE [--permanent] [--force]`: into the trash (never refused for copy counts), or for good (guarded). */
export class Delete extends Step {
  constructor(private readonly d: number, private readonly k: number, private readonly force: boolean, private readonly permanent = false) {
    super();
  }
  check(): boolean {
    return true;
  }
  private get flags(): string {
    return `${this.permanent ? ' --permanent' : ''}${this.force ? ' --force' : ''}`;
  }
  protected plan(): string {
    return `D${this.d}: files delete file #${this.k}${this.flags}`;
  }
  protected async act(r: Real): Promise<Outcome> {
    const dev = r.device(this.d);
    const p = r.pick(dev, this.k);
    if (!p) return this.noFile(dev);
    const said = await answer(dev, (o) => dev.api.files.delete([p.held.path], { force: this.force, permanent: this.permanent, ...o }));
    this.said = `${dev.name}: files delete ${named(p)}${this.flags} → ${said}`;
    return { changed: [dev.index], exempt: this.force && this.permanent ? [p.held.hash] : [], trashed: !this.permanent };
  }
}

/** `vss trash empty [--force]`: what the trash holds removed for good, as the Guardian lets it. */
export class TrashEmpty extends Step {
  constructor(private readonly d: number, private readonly force: boolean) {
    super();
  }
  check(): boolean {
    return true;
  }
  protected plan(): string {
    return `D${this.d}: trash empty${this.force ? ' --force' : ''}`;
  }
  protected async act(r: Real): Promise<Outcome> {
    const dev = r.device(this.d);
    // What a forced empty may take: every content with bytes in this device's trash.
    const inTrash = this.force ? dev.api.trash.list().map((t) => t.in_trash_at).filter((p) => existsSync(p)).map((p) => hashOf(readFileSync(p))) : [];
    const said = await answer(dev, () => dev.api.trash.empty({ force: this.force }).then((x) => `${x.files} removed, ${x.kept.length} kept`));
    this.said = `${dev.name}: trash empty${this.force ? ' --force' : ''} → ${said}`;
    return { changed: [dev.index], exempt: inTrash };
  }
}

/** `vss trash restore ID`: the Kth file of a device's trash put back where it was. */
export class TrashRestore extends Step {
  constructor(private readonly d: number, private readonly k: number) {
    super();
  }
  check(): boolean {
    return true;
  }
  protected plan(): string {
    return `D${this.d}: trash restore item #${this.k}`;
  }
  protected async act(r: Real): Promise<Outcome> {
    const dev = r.device(this.d);
    const items = dev.api.trash.list();
    const it = items[this.k % Math.max(1, items.length)];
    if (!it) {
      this.said = `${dev.name}: trash restore: the trash is empty`;
      return {};
    }
    const said = await answer(dev, () => dev.api.trash.restore([it.trash_id]));
    this.said = `${dev.name}: trash restore ${it.path} → ${said}`;
    return { changed: [dev.index] };
  }
}

/** Two devices each delete a file at the same moment (no --force): each guard asked while the other's delete runs. */
export class DeleteTogether extends Step {
  constructor(private readonly d: number, private readonly k: number, private readonly e: number, private readonly l: number) {
    super();
  }
  check(m: Readonly<Model>): boolean {
    return m.devices > 1;
  }
  protected plan(): string {
    return `D${this.d} and another device: files delete at once (#${this.k}, #${this.l})`;
  }
  protected async act(r: Real, m: Model): Promise<Outcome> {
    const a = r.device(this.d);
    const b = r.device(other(m, this.d, this.e));
    const pa = r.pick(a, this.k);
    const pb = r.pick(b, this.l);
    if (!pa || !pb) {
      this.said = `${a.name} and ${b.name}: files delete at once: a device has no file`;
      return {};
    }
    const [sa, sb] = await Promise.all([answer(a, (o) => a.api.files.delete([pa.held.path], o)), answer(b, (o) => b.api.files.delete([pb.held.path], o))]);
    this.said = `at once: ${a.name}: files delete ${named(pa)} → ${sa}; ${b.name}: files delete ${named(pb)} → ${sb}`;
    return { changed: [a.index, b.index], trashed: true };
  }
}

/** `vss files copy|move SRC DEVICE:/LOCATION --on-conflict …`: over /vss/drop's place, to a device it reaches. */
export class ToDevice extends Step {
  constructor(private readonly op: 'copy' | 'move', private readonly d: number, private readonly k: number, private readonly e: number, private readonly to: LocationName, private readonly onConflict: OnConflict) {
    super();
  }
  check(m: Readonly<Model>): boolean {
    return m.devices > 1 && reaches(m, this.d, other(m, this.d, this.e));
  }
  protected plan(): string {
    return `D${this.d}: files ${this.op} file #${this.k} to another device's ${this.to} --on-conflict ${this.onConflict}`;
  }
  protected async act(r: Real, m: Model): Promise<Outcome> {
    const dev = r.device(this.d);
    const to = r.device(other(m, this.d, this.e));
    const p = r.pick(dev, this.k);
    if (!p) return this.noFile(dev);
    const victimPath = join(to.dirs[this.to], basename(p.held.path));
    const victim = existsSync(victimPath) ? hashOf(readFileSync(victimPath)) : undefined;
    const target = `${to.uuid}:/${this.to}`;
    const said = await answer(dev, (o) => (this.op === 'copy' ? dev.api.files.copy([p.held.path], target, { onConflict: this.onConflict, ...o }) : dev.api.files.move([p.held.path], target, { onConflict: this.onConflict, ...o })));
    this.said = `${dev.name}: files ${this.op} ${named(p)} ${to.name}:/${this.to}/ --on-conflict ${this.onConflict}${victim ? ` (the name holds ${victim.slice(0, 6)} there)` : ''} → ${said}`;
    return { changed: [dev.index, to.index] };
  }
}

/** `vss guardian protect [--to DRIVE|FOLDER|Offsite|DEVICE:/LOCATION/PATH]`. */
export class Protect extends Step {
  constructor(private readonly d: number, private readonly to: 'auto' | 'drive' | 'bucket' | 'device', private readonly e: number) {
    super();
  }
  check(m: Readonly<Model>): boolean {
    return this.to !== 'device' || (m.devices > 1 && reaches(m, this.d, other(m, this.d, this.e)));
  }
  protected plan(): string {
    return `D${this.d}: guardian protect --to ${this.to}`;
  }
  protected async act(r: Real, m: Model): Promise<Outcome> {
    const dev = r.device(this.d);
    const e = other(m, this.d, this.e);
    const to = this.to === 'auto' ? undefined : this.to === 'drive' ? dev.dirs.drive : this.to === 'bucket' ? 'Offsite' : `${r.device(e).uuid}:/main/protect`;
    const said = await answer(dev, (o) => dev.api.guardian.protect({ ...(to !== undefined ? { to } : {}), ...o }));
    this.said = `${dev.name}: guardian protect${to === undefined ? '' : ` --to ${this.to === 'device' ? `${r.device(e).name}:/main/protect` : this.to === 'drive' ? `${dev.name}/drive` : to}`} → ${said}`;
    return { changed: this.to === 'device' ? [dev.index, e] : [dev.index] };
  }
}

/** `vss guardian scrub`, `vss guardian repair` or `vss guardian check-buckets`. */
export class Guardian extends Step {
  constructor(private readonly d: number, private readonly what: 'scrub' | 'repair' | 'check-buckets') {
    super();
  }
  check(): boolean {
    return true;
  }
  protected plan(): string {
    return `D${this.d}: guardian ${this.what}`;
  }
  protected async act(r: Real): Promise<Outcome> {
    const dev = r.device(this.d);
    const said = await answer(dev, (o) => (this.what === 'scrub' ? dev.api.guardian.scrub([], o) : this.what === 'repair' ? dev.api.guardian.repair([], o) : dev.api.guardian.checkBuckets([], o)));
    this.said = `${dev.name}: guardian ${this.what} → ${said}`;
    return { changed: [dev.index], ...(this.what === 'check-buckets' ? { bucketsChecked: true } : {}) };
  }
}

/** `vss guardian policy --copies C --devices D --offsite O` (the library's, on one device). */
export class Policy extends Step {
  constructor(private readonly d: number, private readonly copies: number, private readonly devices: number, private readonly offsite: number) {
    super();
  }
  check(): boolean {
    return true;
  }
  protected plan(): string {
    return `D${this.d}: guardian policy --copies ${this.copies} --devices ${this.devices} --offsite ${this.offsite}`;
  }
  protected async act(r: Real): Promise<Outcome> {
    const dev = r.device(this.d);
    dev.life.run(() => dev.api.guardian.setPolicy({ copies: this.copies, devices: this.devices, offsite: this.offsite }));
    this.said = `${dev.name}: guardian policy --copies ${this.copies} --devices ${this.devices} --offsite ${this.offsite}`;
    return {};
  }
}

/** The world: a person edits a file in place, by another program (same size, new bytes, new mtime), and vss is not told. */
/** A person tags a file's content, or makes it a favourite: a write the API acknowledges. */
export class UserWrite extends Step {
  constructor(private readonly d: number, private readonly k: number, private readonly kind: 'tag' | 'favorite') {
    super();
  }
  check(): boolean {
    return true;
  }
  protected plan(): string {
    return `D${this.d}: ${this.kind === 'tag' ? 'tag add' : 'meta set --favorite'} file #${this.k}`;
  }
  protected async act(r: Real): Promise<Outcome> {
    const dev = r.device(this.d);
    const said = await dev.life.run(() => userWrite(r, dev, this.k, this.kind));
    this.said = `${dev.name}: ${said}`;
    return { shared: true };
  }
}

/** Tag (or favourite) file K of DEV through its API; the acknowledged write is remembered. */
export async function userWrite(r: Real, dev: Device, k: number, kind: 'tag' | 'favorite'): Promise<string> {
  const p = r.pick(dev, k);
  if (!p) return `${kind === 'tag' ? 'tag add' : 'meta set --favorite'}: no file there`;
  let uuid: string;
  try {
    uuid = (await dev.api.meta.show(p.held.path)).content_uuid;
  } catch {
    return `${kind === 'tag' ? 'tag add' : 'meta set --favorite'} ${named(p)}: not indexed`;
  }
  if (kind === 'tag') {
    const tag = r.newTag();
    await dev.api.tags.add(tag, [uuid]);
    r.acknowledged(dev.index, uuid, { tag });
    return `tag add ${tag} ${named(p)} → acknowledged`;
  }
  await dev.api.meta.set([uuid], { favorite: true });
  r.acknowledged(dev.index, uuid, { favorite: true });
  return `meta set --favorite ${named(p)} → acknowledged`;
}

