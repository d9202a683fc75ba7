/**
 * The safety model's world: two or three devices in one process, each with its own data dir,
 * device identity and open library (one library id, paired by their trust files as `pair join`
 * leaves them), each with two locations on two drives (`main` on a tmpfs, `drive` on an ext4
 * loop volume: two volumes, so the Guardian counts them as two stores), and one bucket (s3rver on
 * loopback) that every device has as its volume `Offsite`. Each device runs what its daemon runs
 * for a library: the core API (`LibraryApi`), the job work (`startWork`, every job kind), and the
 * library link to the other devices over the in-process network (net.ts), whose feeds tell each
 * device the others' files and copies.
 *
 * Made once (slow: libraries, locations, pairing), saved as a template, and put back before each
 * sequence (`reset`): a few copies of small folders on a tmpfs, so one sequence's leftovers never
 * reach the next.
 */
import { cpSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { LibraryApi } from '../../src/api/library-api.js';
import { renameDevice } from '../../src/device/identity.js';
import type { JobWork } from '../../src/jobs/job-work.js';
import { Installation } from '../../src/library/installation.js';
import type { Library } from '../../src/library/library.js';
import { LibraryLink } from '../../src/sync/library-link.js';
import { peerIdOfPublicKey } from '../../src/sync/net/device-key.js';
import { PairedDevices } from '../../src/sync/pairing/paired-devices.js';
import type { RemoteDevice } from '../../src/sync/peer-link.js';
import { writeInbox } from '../../src/sync/drop/inbox.js';
import { RateLimiter } from '../../src/sync/transfer/rate-limiter.js';
import { loopSkipReason, makeLoopVolume, type LoopVolume } from '../loop-volume.js';
import { startS3, useS3Env, type S3Server } from '../support/s3-server.js';
import { InProcessNet } from './net.js';
import { filesUnder, objectsUnder, type Held } from './reality.js';

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
  /** Null while killed (never left so between steps: a kill reopens at once). */
  api: LibraryApi;
  lib: Library;
  link: LibraryLink;
  work: JobWork;
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

export class World {
  readonly devices: Device[] = [];
  readonly net = new InProcessNet();
  private readonly upload = new RateLimiter(null);
  private readonly download = new RateLimiter(null);
  private restoreEnv: (() => void) | undefined;

  private constructor(
    readonly root: string,
    readonly size: number,
    private readonly drive: LoopVolume,
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

  /** Make a world of SIZE devices (2 or 3), saved as its template; `reset` opens it. */
  static async create(size: number): Promise<World> {
    if (size < 2 || size > 3) throw new Error('a world has 2 or 3 devices');
    // Everything on tmpfs: a flush costs nothing, and the drive's image too.
    const base = process.platform === 'linux' ? '/dev/shm' : tmpdir();
    const root = join(base, `vss-safety-${process.pid}-${Date.now().toString(36)}`);
    mkdirSync(root, { recursive: true });
    const savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = root;
    let drive: LoopVolume;
    try {
      drive = makeLoopVolume({ sizeMiB: 32 });
    } finally {
      if (savedTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = savedTmp;
    }
    const s3 = await startS3(join(root, 's3'), [BUCKET]);
    const restoreS3 = useS3Env(s3);
    const restorePath = withoutPython(join(root, 'bin'));
    const restoreEnv = () => {
      restorePath();
      restoreS3();
    };
    let libraryId = '';
    const made: Array<{ vss: Installation; lib: Library; name: string }> = [];
    try {
      for (let i = 0; i < size; i++) {
        const name = `D${i}`;
        const dataDir = join(root, name, 'data');
        renameDevice(dataDir, new Installation({ dataDir }).device, name);
        const vss = new Installation({ dataDir });
        const lib = vss.createLibrary('Safety', join(root, name, 'libs'), libraryId ? { id: libraryId } : {});
        libraryId = lib.config.id;
        writeInbox(dataDir, join(root, name, 'inbox'));
        made.push({ vss, lib, name });
      }
      for (const [i, m] of made.entries()) {
        const api = new LibraryApi(m.lib, { dataDir: m.vss.dataDir, access: 'write' });
        const main = join(root, m.name, 'main');
        const onDrive = join(drive.mountPoint!, m.name);
        mkdirSync(main, { recursive: true });
        mkdirSync(onDrive, { recursive: true });
        await api.locations.add(main, { name: 'main', mode: 'content' });
        await api.locations.add(onDrive, { name: 'drive', mode: 'content' });
        await api.volumes.add(`s3://${BUCKET}/${m.name}`, { endpoint: s3.endpoint, path_style: true, name: 'Offsite' });
        const trust = PairedDevices.load(m.vss.dataDir);
        for (const [j, other] of made.entries()) {
          if (j === i) continue;
          const d = other.vss.device;
          trust.add({ device_uuid: d.uuid, name: other.name, public_key: d.publicKey, peer_id: peerIdOfPublicKey(d.publicKey), paired_at: new Date().toISOString(), library_ids: [libraryId], addrs: [], last_seen: null });
        }
        api.close();
      }
    } catch (err) {
      for (const m of made) if (m.lib.db.open) m.lib.close();
      restoreEnv();
      await s3.stop();
      drive.remove();
      rmSync(root, { recursive: true, force: true });
      throw err;
    }
    const world = new World(root, size, drive, s3, libraryId);
    world.restoreEnv = restoreEnv;
    // Each device has heard the others once (their locations and rows): a reset starts from there.
    // The library's policy starts lenient (one copy anywhere): what a guard lets go is weighed most
    // often where the policy allows it; a sequence's `guardian policy` steps make it stricter.
    for (let i = 0; i < size; i++) (await world.open(i)).api.guardian.setPolicy({ copies: 1, devices: 1, offsite: 0 });
    await world.settle();
    await world.closeDevices();
    // The template: each device's folders (data, library, main) and its folder on the drive.
    for (const m of made) {
      cpSync(join(root, m.name), join(root, 'template', m.name), { recursive: true, preserveTimestamps: true });
      cpSync(join(drive.mountPoint!, m.name), join(root, 'template', `${m.name}-drive`), { recursive: true, preserveTimestamps: true });
    }
    return world;
  }

  /** Close what is open, put every device's folders, the drive's and the bucket back as the template has them, and open them all, connected. */
  async reset(): Promise<void> {
    await this.closeDevices();
    for (let i = 0; i < this.size; i++) {
      const name = `D${i}`;
      rmSync(join(this.root, name), { recursive: true, force: true });
      cpSync(join(this.root, 'template', name), join(this.root, name), { recursive: true, preserveTimestamps: true });
      const onDrive = join(this.drive.mountPoint!, name);
      rmSync(onDrive, { recursive: true, force: true });
      cpSync(join(this.root, 'template', `${name}-drive`), onDrive, { recursive: true, preserveTimestamps: true });
    }
    for (const e of readdirSync(this.bucketDir)) rmSync(join(this.bucketDir, e), { recursive: true, force: true });
    for (let i = 0; i < this.size; i++) await this.open(i);
    for (let i = 0; i < this.size; i++) this.net.heal(this.devices[i]!.uuid);
    await this.settle();
  }

  /** Open device I from its folders (first start, or after a kill), and connect it to those it reaches. */
  async open(i: number): Promise<Device> {
    const name = `D${i}`;
    const dataDir = join(this.root, name, 'data');
    const vss = new Installation({ dataDir });
    const libPath = join(this.root, name, 'libs', 'Safety.sdlibrary');
    const lib = vss.openLibrary(libPath);
    const api = new LibraryApi(lib, { dataDir, access: 'write' });
    const remote: RemoteDevice = { deviceUuid: vss.device.uuid, peerId: peerIdOfPublicKey(vss.device.publicKey), name, libraryIds: [this.libraryId], publicKey: vss.device.publicKey };
    const link = api.sync.link((l) => new LibraryLink({ lib: l, dataDir, network: this.net.linkNetwork(remote.deviceUuid), limiter: this.download, log: silent }));
    const work = await api.jobs.startWork({ cpuBudget: 1, log: silent });
    const ids = new Map(lib.store.locations.ofDevice(lib.deviceId).map((l) => [l.name, l.id]));
    const device: Device = {
      index: i, name, uuid: remote.deviceUuid, dataDir, libPath,
      dirs: { main: join(this.root, name, 'main'), drive: join(this.drive.mountPoint!, name) },
      locationIds: { main: ids.get('main')!, drive: ids.get('drive')! },
      remote, api, lib, link, work,
    };
    this.devices[i] = device;
    this.net.start({ remote, dataDir, link: () => (this.devices[i] === device ? device.link : undefined), upload: this.upload, log: silent });
    for (const other of this.net.connected(remote.deviceUuid)) {
      link.connected(other);
      this.devices.find((d) => d?.uuid === other.deviceUuid)?.link.connected(remote);
    }
    return device;
  }

  /**
   * `kill -9` of device I: its streams cut, its job work and link dropped, its database connection
   * closed raw (an open transaction rolls back, as at a kill; the file lock goes with the process)
   * and nothing else flushed or told; then it starts again from its folders.
   */
  async kill(i: number, during?: (d: Device) => Promise<void>): Promise<Device> {
    const d = this.devices[i]!;
    if (during) await during(d);
    this.net.stop(d.uuid);
    // What runs in the job work would die with the process: nothing is running between steps.
    await d.work.stop();
    await d.link.stop().catch(() => undefined);
    d.lib.db.close();
    // The API's followers stop and the lock file is let go; the database is closed already, so nothing is written.
    d.api.close();
    return this.open(i);
  }

  /** Device I is cut off from the others (they see it offline, and it them). */
  partition(i: number): void {
    this.net.partition(this.devices[i]!.uuid);
  }

  /** Device I is back: each side pulls the other's feeds, as on a connect. */
  async reconnect(i: number): Promise<void> {
    const d = this.devices[i]!;
    this.net.heal(d.uuid);
    for (const other of this.net.connected(d.uuid)) {
      d.link.connected(other);
      this.devices.find((x) => x.uuid === other.deviceUuid)?.link.connected(d.remote);
    }
    await this.settle();
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
    for (const d of this.devices) {
      for (const other of this.net.connected(d.uuid)) {
        if (changed === undefined) d.link.connected(other);
        else {
          if (from.some((f) => f.uuid === other.deviceUuid)) d.link.feedChanged(other, 'library');
          if (shared) d.link.feedChanged(other, 'shared');
        }
      }
    }
    const until = Date.now() + 10_000;
    for (;;) {
      const busy = this.devices.some((d) => this.net.connected(d.uuid).some((o) => d.link.pulling(o.deviceUuid)));
      if (!busy) break;
      if (Date.now() > until) throw new Error('the devices did not finish pulling each other\'s feeds within 10 s');
      await new Promise((r) => setImmediate(r));
    }
    await this.net.quiet();
  }

  /** Every file of every device's locations and every object in the bucket, as they are now. */
  held(): Held[] {
    const out: Held[] = [];
    for (const d of this.devices) for (const loc of LOCATIONS) out.push(...filesUnder(d.dirs[loc], `${d.name}/${loc}`));
    out.push(...objectsUnder(this.bucketDir));
    return out;
  }

  private async closeDevices(): Promise<void> {
    for (const d of this.devices) {
      if (!d) continue;
      this.net.stop(d.uuid);
      await d.work.stop();
      await d.link.stop().catch(() => undefined);
      d.api.close();
    }
    this.devices.length = 0;
  }

  async close(): Promise<void> {
    await this.closeDevices();
    this.restoreEnv?.();
    await this.s3.stop();
    this.drive.remove();
    rmSync(this.root, { recursive: true, force: true });
  }
}

/**
 * PATH without python3 from here on (put back by the returned call): a copy keeps extended
 * attributes through a python3 helper started per job, ~250 ms of a step that is otherwise a few;
 * without it the copy goes on and says it kept none (src/storage/local-copy.ts), which no rule of
 * keeping data depends on. BIN gets a link to every other program of PATH.
 */
function withoutPython(bin: string): () => void {
  const saved = process.env.PATH ?? '';
  mkdirSync(bin, { recursive: true });
  const seen = new Set<string>();
  for (const dir of saved.split(':')) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      if (name.startsWith('python') || seen.has(name)) continue;
      seen.add(name);
      try {
        symlinkSync(join(dir, name), join(bin, name));
      } catch {
        // a name that cannot be linked: left out
      }
    }
  }
  process.env.PATH = bin;
  return () => {
    process.env.PATH = saved;
  };
}

/** Write BYTES at PATH (its folder made). */
export function writeBytes(path: string, bytes: Uint8Array): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, bytes);
}
