import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { addLocation, scanLocation } from '../../locations/locations.js';
import { tempDir } from '../../../test/helpers.js';
import { members, pullDirect, pullThrough, writeText, type Member } from '../../../test/support/library-members.js';

/*
 * When a library hears from a device (DESIGN §19, migration 050): a pull from the device itself
 * confirms it (its copies count again after a restore, its last-seen time moves); its rows passed
 * on by another member do not — they are as old as that member's last pull from it, which may be
 * from before the device was lost.
 */
describe('a device is heard from only by its own rows, not by rows another member passes on', () => {
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

  it('after a restore, A passed on by B stays unconfirmed and unseen; A itself confirms it', async () => {
    const a = A.remote.deviceUuid;
    const { devices } = C.lib.store;
    devices.unconfirmOthers(C.lib.device.uuid, 1000);
    C.lib.db.prepare('UPDATE devices SET last_seen_at = 2000 WHERE uuid = ?').run(a);
    writeText(join(tmp.path, 'photos', 'b.txt'), 'bravo');
    await scanLocation(A.lib, A.lib.store.locations.ofDevice(A.lib.deviceId)[0]!.id);
    await pullDirect(B, A);
    await pullThrough(C, A, B);
    assert.deepEqual([devices.byUuid(a)!.unconfirmed_since, devices.byUuid(a)!.last_seen_at], [1000, 2000], 'passed on: not heard from');
    await pullDirect(C, A);
    const heard = devices.byUuid(a)!;
    assert.equal(heard.unconfirmed_since, null, 'its own rows: heard from');
    assert.ok(heard.last_seen_at > 2000);
  });
});
