import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseMountInfo, volumeMounts } from './mountinfo.js';
import { volumeHolding, type MountedVolume } from './detect.js';

const TABLE = [
  '22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw',
  '23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw',
  '24 22 0:5 / /dev rw,nosuid shared:2 - devtmpfs udev rw,size=4096k',
  '25 22 0:22 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw',
  '26 22 0:23 / /run rw,nosuid,nodev - tmpfs tmpfs rw,size=813000k',
  '27 26 254:0 /run/netns /run/netns rw,relatime shared:5 - ext4 /dev/vda rw',
  '43 22 7:0 / /media/me/My\\040Drive\\011tab ro,relatime shared:40 - ext4 /dev/loop0 ro',
  '44 22 8:17 / /mnt/usb rw,nosuid,nodev,relatime - vfat /dev/sdb1 rw,fmask=0022',
  '45 22 8:17 /photos /home/me/photos rw,relatime - vfat /dev/sdb1 rw',
  'garbage line',
  '',
].join('\n');

describe('the mount table', () => {
  it('reads every well-formed line, undoing octal escapes in paths (\\040 is a space)', () => {
    const lines = parseMountInfo(TABLE);
    assert.equal(lines.length, 9);
    const drive = lines.find((l) => l.majMin === '7:0')!;
    assert.equal(drive.mountPoint, '/media/me/My Drive\ttab');
    assert.deepEqual([drive.fs, drive.source, drive.readOnly, drive.root, drive.mountId], ['ext4', '/dev/loop0', true, '/', '43']);
    assert.equal(lines.find((l) => l.mountPoint === '/mnt/usb')!.readOnly, false);
  });

  it('keeps block devices only, one per device: a bind mount gives way to the filesystem\'s root mount', () => {
    const vols = volumeMounts(parseMountInfo(TABLE));
    assert.deepEqual(vols.map((v) => v.mountPoint).sort(), ['/', '/media/me/My Drive\ttab', '/mnt/usb']);
    // The bind mount came after the root: the root stays; had it come first, the root replaces it.
    const reversed = volumeMounts(parseMountInfo(TABLE.split('\n').reverse().join('\n')));
    assert.deepEqual(reversed.map((v) => v.mountPoint).sort(), ['/', '/media/me/My Drive\ttab', '/mnt/usb']);
  });

  it('finds the volume holding a path by the longest mount point above it', () => {
    const v = (mountPoint: string): MountedVolume => ({ fingerprint: mountPoint, mountPoint, fs: 'ext4', source: '/dev/x', majMin: '1:1', mountId: '1', capacity: 0, free: 0, removable: false, readOnly: false });
    const vols = [v('/'), v('/mnt/usb'), v('/mnt/usb2')];
    assert.equal(volumeHolding(vols, '/mnt/usb/a/b')!.mountPoint, '/mnt/usb');
    assert.equal(volumeHolding(vols, '/mnt/usb')!.mountPoint, '/mnt/usb');
    assert.equal(volumeHolding(vols, '/mnt/usb2x/a')!.mountPoint, '/');
  });
});
