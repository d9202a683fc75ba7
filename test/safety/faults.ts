/**
 * The safety model's commands for what the world does behind vss's back: another program edits or
 * touches a file, a bit rots, a device is killed -9 or cut off, a bucket object is deleted or
 * overwritten. Each names its device and file by a number resolved when it runs.
 */
import { chmodSync, closeSync, existsSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { DeleteObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { flipBit } from '../helpers.js';
import { userWrite } from './commands.js';
import { hashOf } from './reality.js';
import { wholeSecond, type Model, type Outcome, type Real } from './real.js';
import { answer, named, Step } from './step.js';
import { BUCKET } from './world.js';

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
    if (!existsSync(p.held.path)) return this.unreachable(dev, p);
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
    if (!existsSync(p.held.path)) return this.unreachable(dev, p);
    const st = statSync(p.held.path);
    chmodSync(p.held.path, st.mode & 0o777);
    wholeSecond(p.held.path, st.mtimeMs + 3_000);
    this.said = `${dev.name}: another program touches ${named(p)} (chmod, mtime +3 s, its bytes kept; vss not told)`;
    return {};
  }
}

/**
 * The world: one bit of a file rots, then maybe a scrub finds it. HOW: `disk` — below the
 * filesystem, as a failing disk does (LoopVolume.rot, on a file of the drive: size, mtime, ctime and
 * inode kept, so nothing about the file says it changed); `fs` — written through the filesystem
 * and its times put back (size and mtime kept; its ctime moves, so vss may take it for an edit).
 */
export class Rot extends Step {
  constructor(private readonly d: number, private readonly k: number, private readonly at: number, private readonly scrub: boolean, private readonly how: 'fs' | 'disk' = 'fs') {
    super();
  }
  check(): boolean {
    return true;
  }
  protected plan(): string {
    return `D${this.d}: a bit of ${this.how === 'disk' ? 'drive file' : 'file'} #${this.k} rots${this.how === 'disk' ? ' on the disk' : ''}${this.scrub ? ', then guardian scrub' : ''}`;
  }
  protected async act(r: Real): Promise<Outcome> {
    const dev = r.device(this.d);
    const p = this.how === 'disk' ? r.pick(dev, this.k, 'drive') : r.pick(dev, this.k);
    if (!p || p.held.size === 0) return this.noFile(dev);
    if (!existsSync(p.held.path)) return this.unreachable(dev, p);
    const at = this.at % p.held.size;
    if (this.how === 'disk') {
      r.world.drive.rot(p.held.path, at);
      // Its identity on the disk is as it was: what the world walks would keep the old hash.
      r.world.looks.forget(p.held.path);
    } else {
      const st = statSync(p.held.path);
      flipBit(p.held.path, at);
      wholeSecond(p.held.path, st.mtimeMs);
    }
    r.changedFrom(hashOf(readFileSync(p.held.path)), p.held.hash);
    let said = '';
    if (this.scrub) said = `; guardian scrub → ${await answer(dev, (o) => dev.api.guardian.scrub([], o))}`;
    this.said = `${dev.name}: ${this.how === 'disk' ? `a bit of byte ${at} of ${named(p)} flips on the disk (size, times and inode kept)` : `bit ${at * 8} of ${named(p)} flips (size and mtime kept)`}${said}`;
    return { exempt: [p.held.hash], changed: this.scrub ? [dev.index] : [] };
  }
}

/**
 * The world: the drive is pulled out — its mount point left as an empty folder, every device's
 * `drive` location offline — or plugged back at the same place (after steps ran against it).
 */
export class Unplug extends Step {
  constructor(private readonly back: boolean) {
    super();
  }
  check(m: Readonly<Model>): boolean {
    return m.away === this.back;
  }
  protected plan(): string {
    return this.back ? 'the drive is plugged back' : 'the drive is unplugged';
  }
  protected async act(r: Real, m: Model): Promise<Outcome> {
    if (this.back) {
      r.world.drive.plug();
      m.away = false;
      this.said = 'the drive is plugged back in at its mount point';
    } else {
      const why = r.world.unplug();
      m.away = why === null;
      this.said = why === null ? 'the drive is unplugged: its mount point is an empty folder, each device\'s drive location offline' : `the drive cannot be unplugged now: ${why}`;
    }
    return { changed: [...Array(m.devices).keys()] };
  }
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
      said = await dev.life.run(() => userWrite(r, dev, this.k, 'tag'));
    } : undefined);
    const dev = r.device(i);
    this.said = `${dev.name}: kill -9${this.duringScan ? ` during a forced rescan, after: ${said}` : ''}; started again`;
    await r.checkAcks(i, () => this.toString());
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
      r.objectGone(o.hash);
      this.said = `another tool deletes ${o.where} (${o.hash.slice(0, 6)}) behind vss's back`;
    } else {
      const was = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
      const bytes = r.newBytes(o.size);
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: bytes, Metadata: was.Metadata, ...(was.ContentType ? { ContentType: was.ContentType } : {}) }));
      r.tampered.set(o.where, hashOf(bytes));
      r.changedFrom(hashOf(bytes), o.hash);
      this.said = `another tool overwrites ${o.where} (${o.hash.slice(0, 6)}) with other bytes of its size (${hashOf(bytes).slice(0, 6)}), its vss metadata kept, behind vss's back`;
    }
    return { exempt: [o.hash] };
  }
}

