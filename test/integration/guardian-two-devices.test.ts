import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { GuardianAtRisk, GuardianStatus } from '../../src/api/index.js';
import { json, until } from '../helpers.js';
import { laptopAndDesktop, writeText } from '../laptop-and-desktop.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere } from '../support/cli-here.js';

interface Status { listen: string[] }

/**
 * `vss guardian` between two real daemons over loopback (issue 30 item 1): the desktop counts the
 * laptop's copies (sent by the device-owned rows feed, with when the laptop verified them) beside
 * its own, a copy on the laptop is off-site, and it is offline once the laptop's daemon stops.
 */
describe('guardian across two devices: a paired device\'s copies count', () => {
  const t = laptopAndDesktop('vss-guardian-2-', cliHere);
  const { tmp, A, B, photos, documents, ok } = t;
  after(() => t.stop());

  it('the laptop\'s copy makes a content held on both safe, off-site; one only on the laptop is single, and offline when it stops', async () => {
    writeText(join(photos, 'only-laptop.txt'), 'only on the laptop');
    writeText(join(photos, 'both.txt'), 'on both devices');
    writeText(join(documents, 'both.txt'), 'on both devices');
    await t.setUp();

    const s = await until('the laptop\'s contents counted on the desktop', 20_000, async () => {
      const got = json<GuardianStatus>(await ok(B, 'guardian', 'status', '--json'));
      return got.contents === 2 ? got : undefined;
    });
    assert.deepEqual([s.safe.contents, s.short.contents, s.single.contents, s.stale.contents], [1, 1, 1, 0]);
    assert.deepEqual(s.by_device.map((d) => [d.name, d.contents]), [['Desktop', 1], ['Laptop', 2]]);

    // Asking for a copy on two devices, one of them off this one: the content on both still meets it.
    await ok(B, 'guardian', 'policy', '--devices', '2', '--offsite', '1');
    const [single, ...rest] = json<GuardianAtRisk[]>(await ok(B, 'guardian', 'list', '--at-risk', '--json'));
    assert.equal(rest.length, 0);
    assert.deepEqual([single!.has, single!.short_by], [{ copies: 1, devices: 1, offsite: 1 }, { copies: 1, devices: 1, offsite: 0 }]);
    const [copy] = single!.copies;
    assert.deepEqual({ ...copy, device_id: null, verified_at: null }, {
      device_id: null, device_name: 'Laptop', location: 'Photos', path: join(photos, 'only-laptop.txt'), volume: null, verified_at: null, online: true, rotten: false, unconfirmed: false,
    });
    assert.ok(copy!.verified_at !== null && Math.abs(copy!.verified_at - Date.now()) < 120_000, 'the laptop verified it when it indexed it, and said so');

    await ok(A, 'daemon', 'stop');
    const offline = await until('the laptop offline on the desktop', 20_000, async () => {
      const list = json<GuardianAtRisk[]>(await ok(B, 'guardian', 'list', '--at-risk', '--json'));
      return list[0]?.copies[0]?.online === false ? list : undefined;
    });
    assert.equal(offline.length, 1, 'an offline copy still counts');
  });
});
