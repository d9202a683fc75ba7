/**
 * The safety model's commands (fast-check model-based commands): what a person asks of vss,
 * through the real core API of one device (`LibraryApi`: its durable operations go through
 * `ops/facade.ts` `perform` and are run by the device's job work), and what the world does to
 * the files and the devices (an edit, rot, a kill -9, a partition). Each names its device and
 * file by a number resolved against the world when it runs (the Nth file of that device now), so
 * a shrunk sequence still means something; each says in words what it did and how vss answered.
 */
import { chmodSync, closeSync, existsSync, openSync, readFileSync, readSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DeleteObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { hashOf } from './reality.js';
import { wholeSecond, type Model, type Outcome, type Real } from './real.js';
import { KillMidJob, MID_JOBS, PartitionMidCopy, type MidJob } from './mid-job.js';
import { answer, named, other, reaches, Step } from './step.js';
import { BUCKET, type Device, type LocationName } from './world.js';

const NAMES = 4;
const ON_CONFLICT = ['keep-both', 'skip', 'replace'] as const;
type OnConflict = (typeof ON_CONFLICT)[number];

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

/** `vss files delete FILE [--force]`. */
export class Delete extends Step {
  constructor(private readonly d: number, private readonly k: number, private readonly force: boolean) {
    super();
  }
  check(): boolean {
    return true;
  }
  protected plan(): string {
    return `D${this.d}: files delete file #${this.k}${this.force ? ' --force' : ''}`;
  }
  protected async act(r: Real): Promise<Outcome> {
    const dev = r.device(this.d);
    const p = r.pick(dev, this.k);
    if (!p) return this.noFile(dev);
    const said = await answer(dev, (o) => dev.api.files.delete([p.held.path], { force: this.force, ...o }));
    this.said = `${dev.name}: files delete ${named(p)}${this.force ? ' --force' : ''} → ${said}`;
    return { changed: [dev.index], exempt: this.force ? [p.held.hash] : [] };
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
    return { changed: [a.index, b.index] };
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
    return { changed: [dev.index] };
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
export class Edit extends Step {
  constructor(private readonly d: number, private readonly k: number) {
    super();
  }
  check(): boolean {
    return true;
  }
  protected plan(): string {
    return `D${this.d}: another program edits file #${this.k} in place`;
  }
  protected async act(r: Real): Promise<Outcome> {
    const dev = r.device(this.d);
    const p = r.pick(dev, this.k);
    if (!p) return this.noFile(dev);
    const st = statSync(p.held.path);
    const bytes = r.newBytes(p.held.size);
    const fd = openSync(p.held.path, 'r+');
    try {
      writeSync(fd, bytes, 0, bytes.length, 0);
    } finally {
      closeSync(fd);
    }
    wholeSecond(p.held.path, st.mtimeMs + 2_000);
    r.contents.add(hashOf(bytes));
    this.said = `${dev.name}: another program edits ${named(p)} in place (same size, now ${hashOf(bytes).slice(0, 6)}, mtime +2 s; vss not told)`;
    return { exempt: [p.held.hash] };
  }
}

/** The world: another program changes a file's mode and times, not its bytes (a chmod, a touch, a chattr). */
export class Touch extends Step {
  constructor(private readonly d: number, private readonly k: number) {
    super();
  }
  check(): boolean {
    return true;
  }
  protected plan(): string {
    return `D${this.d}: another program touches file #${this.k} (chmod, mtime +3 s; bytes kept)`;
  }
  protected async act(r: Real): Promise<Outcome> {
    const dev = r.device(this.d);
    const p = r.pick(dev, this.k);
    if (!p) return this.noFile(dev);
    const st = statSync(p.held.path);
    chmodSync(p.held.path, st.mode & 0o777);
    wholeSecond(p.held.path, st.mtimeMs + 3_000);
    this.said = `${dev.name}: another program touches ${named(p)} (chmod, mtime +3 s, its bytes kept; vss not told)`;
    return {};
  }
}

/** The world: one bit of a file flips on the disk (size and mtime as they were), then maybe a scrub finds it. */
export class Rot extends Step {
  constructor(private readonly d: number, private readonly k: number, private readonly at: number, private readonly scrub: boolean) {
    super();
  }
  check(): boolean {
    return true;
  }
  protected plan(): string {
    return `D${this.d}: a bit of file #${this.k} rots${this.scrub ? ', then guardian scrub' : ''}`;
  }
  protected async act(r: Real): Promise<Outcome> {
    const dev = r.device(this.d);
    const p = r.pick(dev, this.k);
    if (!p || p.held.size === 0) return this.noFile(dev);
    const st = statSync(p.held.path);
    const at = this.at % p.held.size;
    const fd = openSync(p.held.path, 'r+');
    try {
      const b = Buffer.alloc(1);
      readSync(fd, b, 0, 1, at);
      b[0] = b[0]! ^ 1;
      writeSync(fd, b, 0, 1, at);
    } finally {
      closeSync(fd);
    }
    wholeSecond(p.held.path, st.mtimeMs);
    let said = '';
    if (this.scrub) said = `; guardian scrub → ${await answer(dev, (o) => dev.api.guardian.scrub([], o))}`;
    this.said = `${dev.name}: bit ${at * 8} of ${named(p)} flips (size and mtime kept)${said}`;
    return { exempt: [p.held.hash], changed: this.scrub ? [dev.index] : [] };
  }
}

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
    const said = dev.life.run(() => userWrite(r, dev, this.k, this.kind));
    this.said = `${dev.name}: ${said}`;
    return { shared: true };
  }
}

/** Tag (or favourite) file K of DEV through its API; the acknowledged write is remembered. */
function userWrite(r: Real, dev: Device, k: number, kind: 'tag' | 'favorite'): string {
  const p = r.pick(dev, k);
  if (!p) return `${kind === 'tag' ? 'tag add' : 'meta set --favorite'}: no file there`;
  let uuid: string;
  try {
    uuid = dev.api.meta.show(p.held.path).content_uuid;
  } catch {
    return `${kind === 'tag' ? 'tag add' : 'meta set --favorite'} ${named(p)}: not indexed`;
  }
  if (kind === 'tag') {
    const tag = r.newTag();
    dev.api.tags.add(tag, [uuid]);
    r.acks.push({ device: dev.index, contentUuid: uuid, what: { tag } });
    return `tag add ${tag} ${named(p)} → acknowledged`;
  }
  dev.api.meta.set([uuid], { favorite: true });
  r.acks.push({ device: dev.index, contentUuid: uuid, what: { favorite: true } });
  return `meta set --favorite ${named(p)} → acknowledged`;
}

/** The world: `kill -9` of a device (idle, or while a forced rescan holds its writes, a tag acknowledged meanwhile), started again at once. */
export class Kill extends Step {
  constructor(private readonly d: number, private readonly duringScan: boolean, private readonly k: number) {
    super();
  }
  check(): boolean {
    return true;
  }
  protected plan(): string {
    return `D${this.d}: kill -9${this.duringScan ? ' during a rescan, a tag acknowledged meanwhile' : ''}, start again`;
  }
  protected async act(r: Real, m: Model): Promise<Outcome> {
    const i = this.d % m.devices;
    let said = '';
    await r.world.kill(i, this.duringScan ? async (dev) => {
      const scan = dev.life.run(() => dev.api.locations.rescan(dev.locationIds.main, { force: true })).then(() => true, () => true);
      let ended = false;
      void scan.then(() => (ended = true));
      // Until the scan holds a transaction open (or ends): the window a kill must not lose writes in.
      for (let n = 0; n < 200 && !ended && !dev.lib.db.inTransaction; n++) await new Promise((res) => setImmediate(res));
      said = dev.life.run(() => userWrite(r, dev, this.k, 'tag'));
    } : undefined);
    const dev = r.device(i);
    this.said = `${dev.name}: kill -9${this.duringScan ? ` during a forced rescan, after: ${said}` : ''}; started again`;
    r.checkAcks(i, () => this.toString());
    return { changed: [i] };
  }
}

/** The world: a device is cut off from the others (they see it offline), or comes back and catches up. */
export class Partition extends Step {
  constructor(private readonly d: number, private readonly back: boolean) {
    super();
  }
  check(m: Readonly<Model>): boolean {
    return m.devices > 1 && m.cut[this.d % m.devices] === this.back;
  }
  protected plan(): string {
    return `D${this.d}: ${this.back ? 'reconnects' : 'is cut off'}`;
  }
  protected async act(r: Real, m: Model): Promise<Outcome> {
    const i = this.d % m.devices;
    m.cut[i] = !this.back;
    if (this.back) await r.world.reconnect(i);
    else r.world.partition(i);
    this.said = `${r.device(i).name}: ${this.back ? 'reconnects; the devices pull each other\'s feeds' : 'is cut off from the others'}`;
    return {};
  }
}

/**
 * The world: another tool deletes an object in the bucket, or overwrites it with other bytes of
 * the same size under the same `x-amz-meta-vss-*` metadata (defect 6), behind vss's back. Its
 * copy is gone (the step may take it: the world's damage); from then on no guard may count it,
 * or a drop leaning on it loses the content (the copies rule finds it).
 */
export class BucketTamper extends Step {
  constructor(private readonly k: number, private readonly how: 'delete' | 'overwrite') {
    super();
  }
  check(): boolean {
    return true;
  }
  protected plan(): string {
    return `another tool ${this.how === 'delete' ? 'deletes' : 'overwrites'} bucket object #${this.k}`;
  }
  protected async act(r: Real): Promise<Outcome> {
    const objects = r.world.objects();
    if (objects.length === 0) {
      this.said = `${this.plan()}: the bucket holds none`;
      return {};
    }
    const o = objects[this.k % objects.length]!;
    const key = o.where.slice('bucket/'.length);
    const client = r.world.bucket();
    if (this.how === 'delete') {
      await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
      this.said = `another tool deletes ${o.where} (${o.hash.slice(0, 6)}) behind vss's back`;
    } else {
      const was = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
      const bytes = r.newBytes(o.size);
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: bytes, Metadata: was.Metadata, ...(was.ContentType ? { ContentType: was.ContentType } : {}) }));
      r.tampered.set(o.where, hashOf(bytes));
      this.said = `another tool overwrites ${o.where} (${o.hash.slice(0, 6)}) with other bytes of its size (${hashOf(bytes).slice(0, 6)}), its vss metadata kept, behind vss's back`;
    }
    return { exempt: [o.hash] };
  }
}

const dev = fc.nat(5);
const pick = fc.nat(30);
const loc = fc.constantFrom<LocationName>('main', 'drive');
const conflict = fc.constantFrom<OnConflict>(...ON_CONFLICT);

export { KillMidJob, PartitionMidCopy } from './mid-job.js';

/** The commands by name (`--omit NAME,…` leaves some out; their names are also how a test narrows the model). */
export const COMMANDS = [
  'create', 'transfer', 'delete', 'trash-empty', 'trash-restore', 'delete-together', 'to-device', 'to-device-replace', 'protect', 'guardian', 'policy', 'edit', 'touch', 'rot', 'user-write',
  'kill', 'kill-during-scan', 'kill-mid-job', 'partition', 'partition-mid-copy', 'bucket-tamper',
] as const;
export type CommandName = (typeof COMMANDS)[number];

/**
 * Every command but OMIT, as arbitraries fast-check picks among evenly (some listed twice or more,
 * to come up more often: a new file most, so that most steps find files to act on).
 */
export function commandArbs(omit: readonly string[] = []): Array<fc.Arbitrary<fc.AsyncCommand<Model, Real>>> {
  for (const o of omit) if (!(COMMANDS as readonly string[]).includes(o)) throw new Error(`no command ${JSON.stringify(o)} (there are ${COMMANDS.join(', ')})`);
  const op = fc.constantFrom<'copy' | 'move'>('copy', 'move');
  const all: Array<[CommandName, number, fc.Arbitrary<fc.AsyncCommand<Model, Real>>]> = [
    ['create', 5, fc.tuple(dev, loc, fc.nat(NAMES - 1), fc.integer({ min: 1, max: 4096 })).map(([d, l, n, s]) => new Create(d, l, n, s))],
    ['transfer', 2, fc.tuple(op, dev, pick, loc, fc.boolean(), conflict, fc.boolean()).map(([o, d, k, l, s, c, f]) => new Transfer(o, d, k, l, s, c, f))],
    ['delete', 2, fc.tuple(dev, pick, fc.boolean()).map(([d, k, f]) => new Delete(d, k, f))],
    ['trash-empty', 1, fc.tuple(dev, fc.boolean()).map(([d, f]) => new TrashEmpty(d, f))],
    ['trash-restore', 1, fc.tuple(dev, pick).map(([d, k]) => new TrashRestore(d, k))],
    ['delete-together', 1, fc.tuple(dev, pick, dev, pick).map(([d, k, e, l]) => new DeleteTogether(d, k, e, l))],
    ['to-device', 2, fc.tuple(op, dev, pick, dev, loc, fc.constantFrom<OnConflict>('keep-both', 'skip')).map(([o, d, k, e, l, c]) => new ToDevice(o, d, k, e, l, c))],
    ['to-device-replace', 1, fc.tuple(op, dev, pick, dev, loc).map(([o, d, k, e, l]) => new ToDevice(o, d, k, e, l, 'replace'))],
    ['protect', 2, fc.tuple(dev, fc.constantFrom<'auto' | 'drive' | 'bucket' | 'device'>('auto', 'drive', 'bucket', 'device'), dev).map(([d, t, e]) => new Protect(d, t, e))],
    ['guardian', 1, fc.tuple(dev, fc.constantFrom<'scrub' | 'repair' | 'check-buckets'>('scrub', 'repair', 'check-buckets')).map(([d, w]) => new Guardian(d, w))],
    // Lenient policies come up most: a guard only lets copies go where the policy allows it. Devices 0: a
    // content may live only in the bucket (protect there, then free the drives), which leans on the bucket alone.
    ['policy', 1, fc.tuple(dev, fc.constantFrom(1, 1, 1, 2, 3), fc.constantFrom(0, 1, 1, 2), fc.constantFrom(0, 0, 1)).map(([d, c, v, o]) => new Policy(d, c, v, o))],
    ['edit', 1, fc.tuple(dev, pick).map(([d, k]) => new Edit(d, k))],
    ['touch', 1, fc.tuple(dev, pick).map(([d, k]) => new Touch(d, k))],
    ['rot', 1, fc.tuple(dev, pick, fc.nat(1 << 16), fc.boolean()).map(([d, k, at, s]) => new Rot(d, k, at, s))],
    ['user-write', 1, fc.tuple(dev, pick, fc.constantFrom<'tag' | 'favorite'>('tag', 'favorite')).map(([d, k, w]) => new UserWrite(d, k, w))],
    ['kill', 1, dev.map((d) => new Kill(d, false, 0))],
    ['kill-during-scan', 1, fc.tuple(dev, pick).map(([d, k]) => new Kill(d, true, k))],
    ['partition', 2, fc.tuple(dev, fc.boolean()).map(([d, b]) => new Partition(d, b))],
    // A kill point anywhere in a job (its writes: a few dozen for a small copy), the first ones most often.
    ['kill-mid-job', 2, fc.tuple(fc.constantFrom<MidJob>(...MID_JOBS), dev, pick, dev, loc, fc.oneof(fc.nat(24), fc.nat(80)), fc.boolean()).map(([j, d, k, e, l, at, rcv]) => new KillMidJob(j, d, k, e, l, at, rcv))],
    ['partition-mid-copy', 1, fc.tuple(fc.constantFrom<'copy' | 'move'>('copy', 'move'), dev, pick, dev, loc, fc.nat(12), fc.boolean()).map(([o, d, k, e, l, n, rcv]) => new PartitionMidCopy(o, d, k, e, l, n, rcv))],
    ['bucket-tamper', 1, fc.tuple(fc.nat(30), fc.constantFrom<'delete' | 'overwrite'>('delete', 'overwrite')).map(([k, h]) => new BucketTamper(k, h))],
  ];
  return all.filter(([name]) => !omit.includes(name)).flatMap(([, times, arb]) => Array.from({ length: times }, () => arb));
}
