import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { addLocation, scanLocation } from '../../locations/locations.js';
import { tempDir } from '../../../test/helpers.js';
import { members, pullDirect, pullThrough, writeText, type Member } from '../../../test/support/library-members.js';
import { ownerChanges } from './owner-changes.js';
import { PeerLibrary, type HeadIn } from './peer-library.js';

/*
 * When a library hears from a device again after a restore (DESIGN §19, migration 050): a whole
 * pull from the device itself confirms it (its copies count again); a pull from it that began and
 * was cut off does not (what the snapshot said of it is still most of what is held), nor do its
 * rows passed on by another member — they are as old as that member's last pull from it, which may
 * be from before the device was lost.
 */
describe('a device is heard from by a whole pull of its own rows, not by one cut off or passed on', () => {
  const tmp = tempDir('vss-heard-from-');
  let A: Member, B: Member, C: Member;
  before(async () => {
    [A, B, C] = members(tmp.path, ['a', 'b', 'c']) as [Member, Member, Member];
    const tree = join(tmp.path, 'photos');
    writeText(join(tree, 'a.txt'), 'alpha');
    await scanLocation(A.lib, addLocation(A.lib, tree, { mode: 'content', name: 'Photos' }).id);
    await pullDirect(B, A);
    await pullDirect(C, A);
  });
  after(() => {
    for (const m of [A, B, C]) m?.lib.close();
    tmp.cleanup();
  });

  it('after a restore, A stays unconfirmed through a pull begun and cut off and through B passing its rows on; a whole pull from A confirms it', async () => {
    const a = A.remote.deviceUuid;
    const { devices } = C.lib.store;
    devices.unconfirmOthers(C.lib.device.uuid, 1000);
    writeText(join(tmp.path, 'photos', 'b.txt'), 'bravo');
    await scanLocation(A.lib, A.lib.store.locations.ofDevice(A.lib.deviceId)[0]!.id);

    // A's head taken, its pages never: the connection dropped.
    const peer = new PeerLibrary(C.lib);
    const asked = peer.askOwner(a);
    peer.begin(A.remote, asked, ownerChanges(A.lib, asked).head as unknown as HeadIn);
    assert.equal(devices.byUuid(a)!.unconfirmed_since, 1000, 'a pull cut off: not heard from');

    await pullDirect(B, A);
    await pullThrough(C, A, B);
    assert.equal(devices.byUuid(a)!.unconfirmed_since, 1000, 'passed on: not heard from');
    await pullDirect(C, A);
    assert.equal(devices.byUuid(a)!.unconfirmed_since, null, 'its own rows, whole: heard from');
  });
});
