import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { driveName, SYSTEM_DRIVE } from './drive-name.js';
import { offlineReason } from './offline-reason.js';

const vol = (mount_point: string, name: string | null = null, fs = 'ext4') => ({ id: 3, name, mount_point, fs });

describe('a drive as a person names it', () => {
  it('is the name given to it, else its label (where a desktop mounts it), the system drive, or a bucket\'s URL', () => {
    assert.equal(driveName(vol('/media/me/Photos SSD')), 'Photos SSD');
    assert.equal(driveName(vol('/run/media/me/BACKUP/')), 'BACKUP', 'a trailing slash is not a name');
    assert.equal(driveName(vol('/mnt/usb', 'Holiday disk')), 'Holiday disk');
    assert.equal(driveName(vol('/mnt/usb', '  ')), 'usb', 'a blank name is no name');
    assert.equal(driveName(vol('/')), SYSTEM_DRIVE);
    assert.equal(driveName(vol('s3://shots/2024', null, 's3')), 's3://shots/2024');
    assert.equal(driveName(vol('s3://shots/2024', 'Off-site', 's3')), 'Off-site');
  });
});

describe('why a location is offline, for a person', () => {
  it('names the drive to plug in, the folder that is missing, the bucket that does not answer', () => {
    assert.equal(offlineReason({ kind: 'unplugged', volume: vol('/media/me/Photos SSD') }), 'its drive “Photos SSD” is not plugged in');
    assert.equal(offlineReason({ kind: 'unplugged', volume: vol('/mnt/x', 'Travel') }), 'its drive “Travel” is not plugged in');
    assert.equal(offlineReason({ kind: 'unplugged', volume: null }), 'its drive is not plugged in', 'a volume row that is gone');
    assert.equal(offlineReason({ kind: 'missing', path: '/home/me/Pictures' }), 'its folder /home/me/Pictures is missing');
    assert.equal(offlineReason({ kind: 'bucket-silent', detail: 'timed out after 10 s' }), 'the bucket does not answer (timed out after 10 s)');
    assert.equal(offlineReason({ kind: 'bucket-silent', detail: '' }), 'the bucket does not answer');
    assert.match(offlineReason({ kind: 'bucket-unknown' }), /bucket is not recorded/);
    assert.match(offlineReason({ kind: 'not-added', path: '/media/other/photos' }), /mounted elsewhere now.*\/media\/other\/photos\) was not added on this device/);
  });
});
