import { isAbsolute, resolve } from 'node:path';
import { UsageError } from './errors.js';

/*
 * What an address a user or a peer gives means (issue 43, "one address type"): a path here,
 * `DEVICE:/LOCATION[/PATH]` (a paired device's folder) or `s3://BUCKET/PREFIX[/FOLDER]` (a
 * bucket's). Told apart here alone, with nothing of the domain loaded: the command line parses
 * its arguments with it before anything else is loaded.
 */

/** Where a copy or move goes, told apart from what the user typed. */
export type Destination =
  | { kind: 'here'; path: string }
  | { kind: 'device'; address: string }
  | { kind: 'bucket'; url: string };

/** `s3://…`: a bucket's place. */
export function isBucketAddress(p: string): boolean {
  return p.startsWith('s3://');
}

/** `NAME:/…` with no separator before the colon: a paired device's folder (`DEVICE:/LOCATION/PATH`), not a file here (`./a:b` names a file). */
export function isDeviceAddress(p: string): boolean {
  const colon = p.indexOf(':');
  return colon > 0 && !/[/\\]/.test(p.slice(0, colon)) && p[colon + 1] === '/';
}

/** Whether P names a place that is not a path here: a paired device's folder or a bucket's. */
export function isPlaceAddress(p: string): boolean {
  return isBucketAddress(p) || isDeviceAddress(p);
}

/**
 * P as an adapter hands it to the core: a device's or a bucket's address as typed, anything else a
 * path made absolute against CWD (the daemon's working directory is not the caller's).
 */
export function asTypedPlace(p: string, cwd = process.cwd()): string {
  return isPlaceAddress(p) ? p : resolve(cwd, p);
}

/** TO told apart: a bucket's URL, a device's address, else an absolute path here (a relative one is refused: it would name another place in the daemon). */
export function destinationOf(to: string): Destination {
  if (isBucketAddress(to)) return { kind: 'bucket', url: to };
  if (isDeviceAddress(to)) return { kind: 'device', address: to };
  if (!isAbsolute(to)) throw new UsageError(`to must be an absolute path, DEVICE:/LOCATION[/PATH] or s3://BUCKET/PREFIX[/FOLDER], got ${JSON.stringify(to.slice(0, 200))}`);
  return { kind: 'here', path: to };
}
