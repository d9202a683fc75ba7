import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../../test/helpers.js';
import { Installation } from '../../library/installation.js';
import type { Library } from '../../library/library.js';
import { addLocation } from '../../locations/locations.js';
import { waitFor, type DropTarget } from './run/device-target.js';
import { placeItems } from './to-device.js';
import { placeTarget } from './to-device-run.js';

/** The sender's plan of a copy to a device: the target resolved as `ls` resolves it, the sources checked, before anything is queued. */
describe('a copy to a device, planned', () => {
  const tmp = tempDir('vss-place-plan-');
  const src = join(tmp.path, 'src');
  let lib: Library;
  const desk: DropTarget = { device_uuid: randomUUID(), peer_id: 'peer', name: 'Desk' };
  const photos = randomUUID();
  const paired = (uuid: string) => (uuid === desk.device_uuid ? desk : undefined);

  before(() => {
    mkdirSync(join(src, 'sub'), { recursive: true });
    writeFileSync(join(src, 'a.jpg'), 'a');
    writeFileSync(join(src, 'sub', 'a.jpg'), 'other a');
    writeFileSync(join(src, 'b.jpg'), 'b');
    lib = new Installation({ dataDir: join(tmp.path, 'data') }).createLibrary('Home', tmp.path);
    addLocation(lib, src, { name: 'Src' });
    lib.store.devices.upsertPeer({ uuid: desk.device_uuid, name: 'Desk', publicKey: 'k', os: 'linux' });
    lib.store.peerLocations.replace(desk.device_uuid, [{ location_id: 7, uuid: photos, name: 'Photos', path: '/home/d/Photos', index_mode: 'content', files: 0, dirs: 0, bytes: 0 }]);
  });
  after(() => {
    lib.close();
    tmp.cleanup();
  });

  it('DEVICE:/LOCATION/PATH names the device, its location (by name or id) and a folder in it', () => {
    assert.deepEqual(placeTarget(lib, 'Desk:/Photos/2024/may', paired), { kind: 'device', deviceUuid: desk.device_uuid, deviceName: 'Desk', location: photos, locationName: 'Photos', dir: '2024/may', named: true, device: desk });
    assert.deepEqual(placeTarget(lib, 'Desk:/7', paired).dir, '');
    assert.equal(placeTarget(lib, `${desk.device_uuid}:/Photos/`, paired).location, photos);
  });

  it('this device, a device or location unknown, a path out, or no location: refused with the reason', () => {
    assert.throws(() => placeTarget(lib, `${lib.device.uuid}:/Src`, paired), /is this device/);
    assert.throws(() => placeTarget(lib, 'Phone:/Photos', paired), /no device "Phone"/);
    assert.throws(() => placeTarget(lib, 'Desk:/Music', paired), /Desk has no location "Music"/);
    assert.throws(() => placeTarget(lib, 'Desk:/Photos/../etc', paired), /`\.\.`/);
    assert.throws(() => placeTarget(lib, 'Desk:', paired), /DEVICE:\/LOCATION/);
    assert.throws(() => placeTarget(lib, 'Desk:/Photos', () => undefined), /not paired/);
  });

  it('sources are files of this device\'s locations, by distinct names; a folder, a symlink or a file elsewhere is refused', () => {
    const items = placeItems(lib, [join(src, 'a.jpg'), join(src, 'b.jpg')]);
    assert.deepEqual(items.map((i) => [i.name, i.size]), [['a.jpg', 1], ['b.jpg', 1]]);
    assert.ok(items.every((i) => typeof i.mtime_ms === 'number'), 'a move resumed after its source went offers it by its time');
    assert.throws(() => placeItems(lib, [join(src, 'a.jpg'), join(src, 'sub', 'a.jpg')]), /have the same name/);
    assert.throws(() => placeItems(lib, [join(src, 'sub')]), /is a folder/);
    assert.throws(() => placeItems(lib, ['/etc/hostname']), /not inside any location/);
    symlinkSync(join(src, 'a.jpg'), join(src, 'link.jpg'));
    assert.throws(() => placeItems(lib, [join(src, 'link.jpg')]), /symlink/);
  });
});

describe('a job that waits for a device', () => {
  it('names the device, also while this daemon\'s network has just come up (the device may have been connected and left)', () => {
    const desk: DropTarget = { device_uuid: randomUUID(), peer_id: 'peer', name: 'Desk' };
    let redials = 0;
    const net = { open: () => Promise.reject(new Error('not used')), settling: () => true, redial: () => { redials++; } };
    const w = waitFor(net, desk, 'not connected');
    assert.equal(w.state, 'wait');
    assert.match(w.state === 'wait' ? w.reason : '', /^waiting for Desk to connect \(not connected\)$/);
    assert.equal(redials, 1, 'dialled at each look while the network settles');
  });
});
