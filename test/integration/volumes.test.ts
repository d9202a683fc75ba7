import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, statfsSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Vss, addLocation, listLocations, scanLocation, VssError, type Library } from '../internals.js';
import { json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { loopSkipReason, makeLoopVolume, type LoopVolume } from '../loop-volume.js';
import { entriesOf } from '../support/entries.js';
import type { VolumeInfo } from '../../src/wire/volumes.js';
import type { LocationInfo } from '../../src/wire/locations.js';

const skip = loopSkipReason();

/** `vss volumes` on real ext4 volumes (loop devices): what the OS says, fingerprints, read-only, the speed test. */
describe('vss volumes on real drives', { skip }, () => {
  const tmp = tempDir('vss-volumes-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  const drives: LoopVolume[] = [];
  after(() => {
    for (const d of drives) d.remove();
    tmp.cleanup();
  });
  const list = async () => json<VolumeInfo[]>(await runCli(['volumes', 'list', '--json'], env));

  before(async () => {
    json(await runCli(['library', 'create', 'V', '--path', join(tmp.path, 'libs'), '--json'], env));
  });

  it('lists a plugged drive with its filesystem UUID as fingerprint, removable, its capacity and free space', async () => {
    const d = makeLoopVolume({ sizeMiB: 32 });
    drives.push(d);
    const v = (await list()).find((x) => x.fingerprint === d.fsUuid);
    assert.ok(v, `the drive ${d.fsUuid} is listed`);
    const st = statfsSync(d.mountPoint!);
    assert.deepEqual(
      { mount_point: v.mount_point, fs: v.fs, removable: v.removable, read_only: v.read_only, online: v.online, tracked: v.tracked, capacity: v.capacity, free: v.free },
      { mount_point: d.mountPoint, fs: 'ext4', removable: true, read_only: false, online: true, tracked: false, capacity: st.blocks * st.bsize, free: st.bavail * st.bsize },
    );
    assert.deepEqual(Object.keys(v).sort(), ['capacity', 'encrypted', 'fingerprint', 'free', 'fs', 'id', 'mount_point', 'name', 'online', 'read_mbps', 'read_only', 'removable', 'tracked', 'write_mbps']);
    assert.equal((v as { encrypted?: boolean }).encrypted, false, 'a drive is no encrypted bucket');
  });

  it('a speed test stores its figures with the volume and leaves no file behind', async () => {
    const d = drives[0]!;
    const v = (await list()).find((x) => x.fingerprint === d.fsUuid)!;
    const s = json<{ read_mbps: number; write_mbps: number }>(await runCli(['volumes', 'speed', d.fsUuid, '--json'], env));
    assert.deepEqual(Object.keys(s).sort(), ['read_mbps', 'write_mbps']);
    assert.ok(s.read_mbps > 0 && s.write_mbps > 0, JSON.stringify(s));
    const after = (await list()).find((x) => x.id === v.id)!;
    assert.deepEqual([after.read_mbps, after.write_mbps], [s.read_mbps, s.write_mbps]);
    assert.deepEqual(readdirSync(d.mountPoint!).filter((n) => n !== 'lost+found'), [], 'no test file left');
  });

  it('a read-only mount is read_only, and its speed test is refused with the reason', async () => {
    const d = makeLoopVolume({ sizeMiB: 16, readOnly: true });
    drives.push(d);
    const v = (await list()).find((x) => x.fingerprint === d.fsUuid)!;
    assert.equal(v.read_only, true);
    const r = await runCli(['volumes', 'speed', String(v.id)], env);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /read-only/);
  });

  it('a tracked volume stays listed (offline) while unplugged, with its name; untracked, it is not', async () => {
    const d = drives[0]!;
    const id = (await list()).find((x) => x.fingerprint === d.fsUuid)!.id;
    assert.equal(json<VolumeInfo>(await runCli(['volumes', 'track', String(id), '--name', 'Backup', '--json'], env)).tracked, true);
    d.unplug();
    const v = (await list()).find((x) => x.id === id);
    assert.deepEqual([v?.name, v?.online, v?.tracked], ['Backup', false, true]);
    json(await runCli(['volumes', 'untrack', d.fsUuid, '--json'], env));
    assert.equal((await list()).find((x) => x.id === id), undefined);
    // Plugged in again elsewhere: the same volume (its id), at its new mount point.
    const at = d.plug();
    const back = (await list()).find((x) => x.fingerprint === d.fsUuid)!;
    assert.deepEqual([back.id, back.mount_point, back.name], [id, at, 'Backup']);
  });
});

function tree(root: string, dirs: number, perDir: number): void {
  for (let i = 0; i < dirs; i++) {
    const dir = join(root, `d${i}`);
    mkdirSync(dir, { recursive: true });
    for (let j = 0; j < perDir; j++) writeFileSync(join(dir, `f${j}.txt`), `file ${i}/${j} `.repeat(20 + j));
  }
}

/**
 * A location on a drive that is unplugged: nothing is removed, not by a scan under way when it
 * goes nor by one asked for while it is away; plugged back at another mount point, the location
 * follows and its rescan hashes nothing again.
 */
describe('a location on an unplugged drive', { skip }, () => {
  const tmp = tempDir('vss-volloc-');
  let drive: LoopVolume;
  let lib: Library;
  let loc = 0;
  let files = 0;
  /** Where the drive was first mounted: the name it goes by (nobody named it). */
  let label = '';
  after(() => {
    try { lib?.close(); } catch { /* closed */ }
    drive?.remove();
    tmp.cleanup();
  });

  before(async () => {
    drive = makeLoopVolume({ sizeMiB: 64 });
    label = basename(drive.mountPoint!);
    tree(join(drive.mountPoint!, 'photos'), 60, 40);
    lib = new Vss({ dataDir: join(tmp.path, 'data') }).createLibrary('L', join(tmp.path, 'lib'));
    loc = addLocation(lib, join(drive.mountPoint!, 'photos'), { mode: 'content' }).id;
    const first = await scanLocation(lib, loc);
    files = first.files;
    assert.equal(files, 2400);
  });

  const count = () => entriesOf(lib, loc).length;

  it('records the location\'s volume: the drive\'s fingerprint', () => {
    const info = listLocations(lib).find((l) => l.id === loc)!;
    assert.equal(info.online, true);
    assert.ok(info.volume_id);
    assert.equal(lib.store.volumes.byId(info.volume_id, lib.deviceId)!.fingerprint, drive.fsUuid);
    // Its drive as the Locations page shows it: named by where it is mounted (nobody named it), with its free space.
    assert.equal(info.volume_name, label);
    assert.ok(info.free_bytes !== null && info.total_bytes !== null && info.free_bytes > 0 && info.free_bytes <= info.total_bytes, JSON.stringify(info));
    assert.equal(info.offline_reason, null);
  });

  it('unplugged during a scan: the scan stops before its cleanup, and no entry is removed', async () => {
    const before = count();
    let unplugged = false;
    const off = lib.events.on('index:phase', (e) => {
      if (e.phase === 'discovery' && !unplugged) { unplugged = true; drive.unplug({ lazy: true }); }
    });
    try {
      await assert.rejects(scanLocation(lib, loc, undefined, { force: true }), (err: unknown) => err instanceof VssError && /offline|not reachable/.test(err.message));
    } finally {
      off();
    }
    assert.ok(unplugged);
    assert.equal(count(), before, 'every entry kept');
    const info: LocationInfo = listLocations(lib).find((l) => l.id === loc)!;
    assert.equal(info.online, false);
    assert.equal(info.offline_reason, `its drive “${label}” is not plugged in`);
    assert.deepEqual([info.free_bytes, info.total_bytes], [null, null], 'no free space to tell of a drive not here');
  });

  it('while it is away a scan is refused with the reason, and removes nothing (its mount point is an empty folder)', async () => {
    const before = count();
    await assert.rejects(scanLocation(lib, loc), (err: unknown) => err instanceof VssError && err.code === 'UNAVAILABLE' && /offline/.test(err.message));
    assert.equal(count(), before);
  });

  it('plugged back at another mount point: the location follows, and its rescan hashes nothing again', async () => {
    const at = drive.plug(join(tmp.path, 'elsewhere'));
    const info = listLocations(lib).find((l) => l.id === loc)!;
    assert.deepEqual([info.online, info.path], [true, join(at, 'photos')]);
    const r = await scanLocation(lib, loc);
    assert.deepEqual({ files: r.files, hashed: r.hashed, removed: r.removed, added: r.added, changed: r.changed }, { files, hashed: 0, removed: 0, added: 0, changed: 0 });
  });
});

/** A library's rows alone (a library made elsewhere, or crafted) never move a location onto another folder nor earn it a grant. */
describe('a location row that names a volume path it was not added at', { skip: process.platform !== 'linux' ? 'the mount table is read on Linux' : false }, () => {
  const tmp = tempDir('vss-volrow-');
  after(() => tmp.cleanup());

  it('is not followed there, and no grant is made for it', () => {
    const lib = new Vss({ dataDir: join(tmp.path, 'data') }).createLibrary('R', join(tmp.path, 'lib'));
    try {
      const folder = join(tmp.path, 'mine');
      mkdirSync(folder);
      const loc = addLocation(lib, folder).id;
      const root = lib.store.volumes.ofDevice(lib.deviceId).find((v) => v.mount_point === '/');
      assert.ok(root, 'the system volume is recorded');
      // Crafted: a location nobody added here (no grant), placed at /etc on the system volume; and one stepping out with `..`.
      const crafted = lib.store.locations.insert({ uuid: '7f1d2c3b-0000-4000-8000-000000000001', device_id: lib.deviceId, name: 'x', path: join(tmp.path, 'nowhere'), kind: 'disk', index_mode: 'content', ignore_rules: '[]', generation: null });
      lib.store.locations.setVolume(crafted, root.id, 'etc');
      lib.store.locations.setVolume(loc, root.id, '../../etc');
      const list = listLocations(lib);
      const c = list.find((l) => l.id === crafted)!;
      assert.deepEqual([c.online, c.path], [false, join(tmp.path, 'nowhere')]);
      const m = list.find((l) => l.id === loc)!;
      assert.deepEqual([m.online, m.path], [true, folder], 'a `..` path on the volume is ignored: the folder itself is looked at');
      assert.equal(lib.grants!.has(lib.config.id, '7f1d2c3b-0000-4000-8000-000000000001', '/etc'), false);
    } finally {
      lib.close();
    }
  });
});
