import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tempDir } from '../../test/helpers.js';
import { readDeviceSettings } from '../jobs/cpu-budget.js';
import { protectDue, protectStarted, readProtectSchedule, writeProtectSchedule } from './protect-schedule.js';

const HOUR = 3600_000;

describe('a protect schedule kept in the device settings', () => {
  it('is written with its start, read back, moved on by each start, and ended; other settings kept', () => {
    const tmp = tempDir('vss-protect-schedule-');
    try {
      const dir = join(tmp.path, 'data');
      assert.equal(readProtectSchedule(dir, 'lib-a'), null);
      protectStarted(dir, 'lib-a', 5);
      assert.equal(readProtectSchedule(dir, 'lib-a'), null, 'a start without a schedule sets none');
      assert.deepEqual(writeProtectSchedule(dir, 'lib-a', { to: 'Offsite', every_hours: 24 }, 1000), { to: 'Offsite', every_hours: 24, last_at: 1000 });
      writeProtectSchedule(dir, 'lib-b', { to: null, every_hours: 1 }, 2000);
      protectStarted(dir, 'lib-a', 9000);
      assert.deepEqual(readProtectSchedule(dir, 'lib-a'), { to: 'Offsite', every_hours: 24, last_at: 9000 });
      assert.equal(writeProtectSchedule(dir, 'lib-a', null), null);
      assert.deepEqual(readProtectSchedule(dir, 'lib-b'), { to: null, every_hours: 1, last_at: 2000 }, 'another library\'s kept');
      assert.deepEqual(Object.keys(readDeviceSettings(dir)), ['guardian_protect']);
      assert.throws(() => writeProtectSchedule(dir, 'lib-a', { to: null, every_hours: 0 }), /--every takes whole hours, 1 to 8760/);
    } finally {
      tmp.cleanup();
    }
  });

  it('is due once its hours have passed since its last start, or when the clock went back', () => {
    const s = { to: null, every_hours: 24, last_at: 100 * HOUR };
    assert.equal(protectDue(s, 100 * HOUR), false);
    assert.equal(protectDue(s, 124 * HOUR - 1), false);
    assert.equal(protectDue(s, 124 * HOUR), true);
    assert.equal(protectDue(s, 99 * HOUR), true, 'a clock set back: due, not stuck until it catches up');
  });
});
