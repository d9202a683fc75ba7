import { driveName } from './drive-name.js';
import type { OfflineWhy } from './location-online.js';

/**
 * Why a location is offline, in the words the Locations page and `location list` show: what a
 * person can do something about (plug a drive in, put a folder back, check a bucket's link), not
 * how vss found out.
 */
export function offlineReason(why: OfflineWhy): string {
  switch (why.kind) {
    case 'unplugged':
      return why.volume ? `its drive “${driveName(why.volume)}” is not plugged in` : 'its drive is not plugged in';
    case 'missing':
      return `its folder ${why.path} is missing`;
    case 'bucket-silent':
      return why.detail ? `the bucket does not answer (${why.detail})` : 'the bucket does not answer';
    case 'bucket-unknown':
      return 'its bucket is not recorded on this device';
    case 'not-added':
      return `its drive is mounted elsewhere now, and its folder there (${why.path}) was not added on this device`;
  }
}
