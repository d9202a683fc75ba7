/**
 * The safety model's world: two or three devices in one process, each with its own data dir,
 * device identity and open library (one library id, paired by their trust files as `pair join`
 * leaves them), each with two locations on two drives (`main` on a tmpfs, `drive` on an ext4
 * loop volume: two volumes, so the Guardian counts them as two stores), and one bucket (s3rver on
 * loopback) that every device has as its volume `Offsite`. Each device runs what its daemon runs
 * for a library: the core API (`LibraryApi`), the job work (`startWork`, every job kind), and the
 * library link to the other devices over the in-process network (net.ts), whose feeds tell each
 * device the others' files and copies. Each runs within a life (life.ts), which a kill -9 ends.
 *
 * Made once (slow: libraries, locations, pairing), saved as a template, and put back before each
 * sequence (`reset`): a few copies of small folders on a tmpfs, so one sequence's leftovers never
 * reach the next.
 */
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import pino, { type Logger } from 'pino';
import { LibraryApi } from '../../src/api/library-api.js';
import type { JobWork } from '../../src/jobs/job-work.js';
import { Installation } from '../../src/library/installation.js';
import { generatorSettings } from '../../src/jobs/settings.js';
import { scanLocation } from '../../src/locations/locations.js';
import type { Library } from '../../src/library/library.js';
import { LibraryLink } from '../../src/sync/library-link.js';
import { peerIdOfPublicKey } from '../../src/sync/net/device-key.js';
import type { RemoteDevice } from '../../src/sync/peer-link.js';
import { RateLimiter } from '../../src/sync/transfer/rate-limiter.js';
import { loopSkipReason, makeLoopVolume } from '../loop-volume.js';
import { startS3, useS3Env, type S3Server } from '../support/s3-server.js';
import { InProcessNet } from './net.js';
import { installLives, Life } from './life.js';
import { removeStaleWorlds, WORLD_PREFIX } from './stale-worlds.js';
import { filesUnder, Looks, objectsUnder, type Held } from './reality.js';
import { copyTree, withoutPython } from './world-files.js';
import { WorldDrive } from './drive.js';
import { makeDevices, type MadeDevice } from './world-make.js';

export const BUCKET = 'vss-safety';
export const LOCATIONS = ['main', 'drive'] as const;
export type LocationName = (typeof LOCATIONS)[number];

/** One device of the world while it is up. */
export interface Device {
  index: number;
  name: string;
  uuid: string;
  dataDir: string;
  libPath: string;
  /** The folder of each of its locations. */
  dirs: Record<LocationName, string>;
  locationIds: Record<LocationName, number>;
  remote: RemoteDevice;
  api: LibraryApi;
  lib: Library;
  link: LibraryLink;
  work: JobWork;
  /** Its process: what it runs runs within it, and a kill -9 ends it (life.ts). */
  life: Life;
}

const silent: Logger = pino({ level: 'silent' });

/** Why the world cannot be made here (it needs root for its drive, and s3rver), or false. */
export async function worldSkipReason(): Promise<string | false> {
  const loop = loopSkipReason();
  if (loop) return loop;
  try {
    await import('s3rver');
  } catch {
    return 's3rver is not installed: the bucket is a real S3 server on loopback';
  }
  return false;
}

/** Where a reset's time goes, in ms summed over the process (fuzz:safety prints it). */
export const RESET_PHASES: Record<string, number> = {};

export class World {
  readonly devices: Device[] = [];
  readonly net = new InProcessNet();
  /** The hashes of what the disks and the bucket hold, each kept while its file is unchanged. */
  readonly looks = new Looks();
  private readonly upload = new RateLimiter(null);
  /** Lives begun (each open of a device is one). */
  private born = 0;
  private client: S3Client | undefined;
  private readonly download = new RateLimiter(null);
  private restoreEnv: (() => void) | undefined;
  /** What closes with the world, first (a browser's door: parties.ts). */
  readonly closers: Array<() => Promise<void>> = [];

  private constructor(
    readonly root: string,
    readonly size: number,
    readonly drive: WorldDrive,
    private readonly s3: S3Server,
    readonly libraryId: string,
  ) {}

  /** The bucket's folder in s3rver's store (objects are read from there, as the service keeps them). */
  get bucketDir(): string {
    return join(this.root, 's3', BUCKET);
  }

  get endpoint(): string {
    return this.s3.endpoint;
  }

  /** A client of the bucket for the world's own hands (another tool deleting or overwriting an object behind vss's back). */
  bucket(): S3Client {
    return (this.client ??= new S3Client({ endpoint: this.s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } }));
  }

  /** Make a world of SIZE devices (2 or 3), saved as its template; `reset` opens it. */
  static async create(size: number): Promise<World> {
    if (size < 2 || size > 3) throw new Error('a world has 2 or 3 devices');
    // Before any bucket client is made: it takes node:http's request when it first sends.
    await installLives();
    // Everything on tmpfs: a flush costs nothing, and the drive's image too.
    const base = process.platform === 'linux' ? '/dev/shm' : tmpdir();
    removeStaleWorlds(base);
    const root = join(base, `${WORLD_PREFIX}${process.pid}-${Date.now().toString(36)}`);
    mkdirSync(root, { recursive: true });
    // Room for a few files over 4 MiB on each device's folder (a content that large is re-hashed by no delete).
    const drive = makeLoopVolume({ sizeMiB: 128, in: root });
    const s3 = await startS3(join(root, 's3'), [BUCKET]);
    const restoreS3 = useS3Env(s3);
    const restorePath = withoutPython(join(root, 'bin'));
    const restoreEnv = () => {
      restorePath();
      restoreS3();
    };
    const made: MadeDevice[] = [];
    let libraryId = '';
    try {
      libraryId = await makeDevices(root, size, drive.mountPoint!, s3.endpoint, made);
    } catch (err) {
      for (const m of made) if (m.lib.db.open) m.lib.close();
      restoreEnv();
      await s3.stop();
      drive.remove();
      rmSync(root, { recursive: true, force: true });
      throw err;
    }
    const world = new World(root, size, new WorldDrive(drive), s3, libraryId);
    world.restoreEnv = restoreEnv;
    // Each device has heard the others once (their locations and rows): a reset starts from there.
    // The library's policy starts lenient (one copy anywhere): what a guard lets go is weighed most
    // often where the policy allows it; a sequence's `guardian policy` steps make it stricter.
    for (let i = 0; i < size; i++) (await world.open(i)).api.guardian.setPolicy({ copies: 1, devices: 1, offsite: 0 });
    await world.settle();
    await world.closeDevices();
    // The template: each device's folders (data, library, main) and its folder on the drive.
    // The job work's space reserve is left out: each start writes its own (4 MiB: most of a reset's copying).
    for (const m of made) {
      cpSync(join(root, m.name), join(root, 'template', m.name), { recursive: true, preserveTimestamps: true });
      rmSync(join(root, 'template', m.name, 'libs', 'Safety.sdlibrary', 'tmp', 'space-reserve'), { force: true });
      cpSync(join(world.drive.mountAt, m.name), join(root, 'template', `${m.name}-drive`), { recursive: true, preserveTimestamps: true });
    }
    return world;
  }

  /**
   * Close what is open, put every device's folders, the drive's and the bucket back as the template
   * has them, and open them all, connected. The template was saved once every device had pulled
   * the others' feeds to their end, so the pulls a connect starts would find nothing new: the
   * devices are connected without them (each daemon restarted with nothing changed meanwhile).
   */
  async reset(): Promise<void> {
    let t = performance.now();
    const lap = (k: string) => { const n = performance.now(); RESET_PHASES[k] = (RESET_PHASES[k] ?? 0) + n - t; t = n; };
    await this.closeDevices();
    lap('close');
    this.drive.reset();
    for (let i = 0; i < this.size; i++) {
      const name = `D${i}`;
      rmSync(join(this.root, name), { recursive: true, force: true });
      copyTree(join(this.root, 'template', name), join(this.root, name));
      const onDrive = join(this.drive.mountAt, name);
      rmSync(onDrive, { recursive: true, force: true });
      copyTree(join(this.root, 'template', `${name}-drive`), onDrive);
    }
    for (const e of readdirSync(this.bucketDir)) rmSync(join(this.bucketDir, e), { recursive: true, force: true });
    this.looks.clear();
    lap('copy');
    this.net.healAll();
    for (let i = 0; i < this.size; i++) await this.open(i, false);
    lap('open');
    await this.net.quiet();
    lap('settle');
  }

  /**
   * Open device I from its folders (first start, or after a kill) in a new life, and connect it to
   * those it reaches: each side pulls the other's feeds, as on a connect (PULL false: they are
   * known to be at their end already, a reset from the template).
   */
  async open(i: number, pull = true): Promise<Device> {
    const name = `D${i}`;
    const life = new Life(`${name} (life ${++this.born})`);
    const device = await life.run(async () => {
      const dataDir = join(this.root, name, 'data');
      const vss = new Installation({ dataDir });
      const libPath = join(this.root, name, 'libs', 'Safety.sdlibrary');
      const lib = vss.openLibrary(libPath);
      const api = new LibraryApi(lib, { dataDir, access: 'write' });
      const remote: RemoteDevice = { deviceUuid: vss.device.uuid, peerId: peerIdOfPublicKey(vss.device.publicKey), name, libraryIds: [this.libraryId], publicKey: vss.device.publicKey };
      const link = api.sync.link((l) => new LibraryLink({ lib: l, dataDir, network: this.net.linkNetwork(remote.deviceUuid), limiter: this.download, log: silent }));
      const work = await api.jobs.startWork({ cpuBudget: 1, log: silent });
      const ids = new Map(lib.store.locations.ofDevice(lib.deviceId).map((l) => [l.name, l.id]));
      const d: Device = {
        index: i, name, uuid: remote.deviceUuid, dataDir, libPath,
        dirs: { main: join(this.root, name, 'main'), drive: join(this.drive.mountAt, name) },
        locationIds: { main: ids.get('main')!, drive: ids.get('drive')! },
        remote, api, lib, link, work, life,
      };
      return d;
    });
    this.devices[i] = device;
    this.net.start({ remote: device.remote, dataDir: device.dataDir, life, link: () => (this.devices[i] === device ? device.link : undefined), upload: this.upload, log: silent });
    if (pull) await this.connect(device);
    return device;
  }

  /**
   * `kill -9` of device I (after DURING, if given): its life ends (life.ts: nothing it runs has an
   * effect again), its connections drop, what it had handed to the kernel or the bucket finishes,
   * its database connection is closed raw (an open transaction rolls back) and its library's lock
   * file goes with the process; nothing else is flushed or told. Then it starts again from its
   * folders, its jobs resumed by its job work. A device whose life ended at its countdown (inside
   * a job: KillMidJob) is buried the same way.
   */
  async kill(i: number, during?: (d: Device) => Promise<void>): Promise<Device> {
    const d = this.devices[i]!;
    if (during) await during(d);
    await this.bury(d);
    return this.open(i);
  }

  /** D's process ends, as at a kill -9 (its life may have ended already). */
  private async bury(d: Device): Promise<void> {
    d.life.die();
    this.net.stop(d.uuid);
    await d.life.settled();
    if (d.lib.db.open) d.lib.db.close();
    // Its loops and timers are let go: whatever of them still runs meets only Killed.
    d.life.run(() => {
      void d.work.stop().catch(() => undefined);
      void d.link.stop().catch(() => undefined);
    });
    // The lock file goes with the process; the database is closed already, so nothing is written.
    d.api.close();
  }

  /**
   * What the daemon's watcher does when a file appears in LOC's top folder (location-watch.ts):
   * that folder, and only it, listed again and what is new there indexed.
   */
  async noticed(d: Device, loc: LocationName): Promise<void> {
    await d.life.run(() => scanLocation(d.lib, d.locationIds[loc], undefined, { generation: generatorSettings(d.lib, d.dataDir), only: [{ rel: '', subtree: false }], removeOrphans: false }));
  }

  /** Device I is cut off from the others (they see it offline, and it them). */
  partition(i: number): void {
    this.net.partition(this.devices[i]!.uuid);
  }

  /** Device I is back: each side pulls the other's feeds, as on a connect. */
  async reconnect(i: number): Promise<void> {
    const d = this.devices[i]!;
    this.net.heal(d.uuid);
    await this.connect(d);
  }

  /** D and each device it reaches now connect: each pulls the other's feeds; resolves once those pulls (and what they served) ended. */
  private async connect(d: Device): Promise<void> {
    const pulls: Promise<void>[] = [];
    for (const other of this.net.connected(d.uuid)) {
      pulls.push(d.life.run(() => d.link.connected(other)));
      const o = this.devices.find((x) => x?.uuid === other.deviceUuid);
      if (o) pulls.push(o.life.run(() => o.link.connected(d.remote)));
    }
    await this.pulled(pulls);
  }

  /**
   * Let what the devices tell each other arrive, as a daemon's notices would within a second or
   * two, now, so each step sees the world after it: each device pulls the device-owned rows (the
   * `library` feed: files and copies) of the devices in CHANGED (all: every device) that it
   * reaches, and the shared data of all when SHARED; then waits until the pulls (and those they
   * started) end.
   */
  async settle(changed?: readonly number[], shared = false): Promise<void> {
    const from = changed === undefined ? this.devices : [...new Set(changed)].map((i) => this.devices[i % this.size]!);
    const pulls: Promise<void>[] = [];
    for (const d of this.devices) {
      for (const other of this.net.connected(d.uuid)) {
        if (changed === undefined) pulls.push(d.life.run(() => d.link.connected(other)));
        else {
          if (from.some((f) => f.uuid === other.deviceUuid)) pulls.push(d.life.run(() => d.link.feedChanged(other, 'library')));
          if (shared) pulls.push(d.life.run(() => d.link.feedChanged(other, 'shared')));
        }
      }
    }
    await this.pulled(pulls);
  }

  /** PULLS have run (bounded: 10 s), and every handler they were served by has ended. */
  private async pulled(pulls: readonly Promise<void>[]): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('the devices did not finish pulling each other\'s feeds within 10 s')), 10_000);
    });
    try {
      await Promise.race([Promise.all(pulls), late]);
    } finally {
      clearTimeout(timer);
    }
    await this.net.quiet();
  }

  /** Every file of every device's locations and every object in the bucket, as they are now. */
  held(): Held[] {
    const out: Held[] = [];
    for (const d of this.devices) out.push(...this.filesOf(d));
    out.push(...objectsUnder(this.looks, this.bucketDir));
    return out;
  }

  /** The files in each location's trash (what `held` leaves out): bytes vss could still give back. */
  trashHeld(): Held[] {
    const away = this.drive.held;
    const out: Held[] = away ? [...away.trash] : [];
    for (const d of this.devices) out.push(...LOCATIONS.filter((loc) => loc === 'main' || !away).flatMap((loc) => filesUnder(this.looks, join(d.dirs[loc], '.vss-trash'), `${d.name}/${loc}/.vss-trash`)));
    return out;
  }

  /** Every object in the bucket as it is now, by key. */
  objects(): Held[] {
    return objectsUnder(this.looks, this.bucketDir).sort((a, b) => (a.where < b.where ? -1 : 1));
  }

  /** Every file of D's locations as it is now (its drive's: as it was when the drive left, while it is away). */
  filesOf(d: Device): Held[] {
    const away = this.drive.held;
    return LOCATIONS.flatMap((loc) => (loc === 'drive' && away ? away.files.filter((h) => h.where.startsWith(`${d.name}/drive/`)) : filesUnder(this.looks, d.dirs[loc], `${d.name}/${loc}`)));
  }

  /** The drive is pulled out (its mount point left an empty folder); why it could not be, or null. */
  unplug(): string | null {
    const files = this.devices.flatMap((d) => filesUnder(this.looks, d.dirs.drive, `${d.name}/drive`));
    return this.drive.unplug({ files, trash: this.trashHeld().filter((h) => h.where.includes('/drive/.vss-trash/')) });
  }

  /**
   * Device I stops as its daemon stops (its jobs handed back, its library closed), BETWEEN runs
   * while nothing has it open (a `library restore`), and it starts again, connected.
   */
  async restart(i: number, between: () => Promise<void>): Promise<Device> {
    const d = this.devices[i]!;
    await d.life.run(async () => {
      await d.work.stop();
      await d.link.stop();
    });
    this.net.stop(d.uuid);
    await this.net.quiet();
    d.api.close();
    await between();
    return this.open(i);
  }

  /** Every device's process ends (a kill: what it held in memory is of no use to the next world). */
  private async closeDevices(): Promise<void> {
    for (const d of this.devices) if (d) await this.bury(d);
    this.devices.length = 0;
  }

  async close(): Promise<void> {
    for (const c of this.closers.splice(0)) await c();
    await this.closeDevices();
    this.client?.destroy();
    this.restoreEnv?.();
    await this.s3.stop();
    this.drive.remove();
    rmSync(this.root, { recursive: true, force: true });
  }
}
