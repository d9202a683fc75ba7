import { UsageError } from './errors.js';

/*
 * What an address a user or a peer gives means (issue 43, "one address type"), decided here
 * alone: a path here, `[DEVICE:]/LOCATION[/PATH]` (a folder of a device of the library: `ls`, a
 * copy to a paired device), `s3://BUCKET/PREFIX` (a bucket's), a volume's name where one may be
 * named by itself (`guardian protect --to`), and a relative path as a location records one. Nothing of the domain is loaded with it: the command line tells its arguments
 * apart with it before anything else is loaded, and the web app reads what is typed into it with
 * it too (so it imports no Node module: a path's rules are the host's, asked of the process when
 * a path is resolved, below).
 */

/** What this module takes of node:path: the host's rules for a path. */
interface HostPath {
  isAbsolute(p: string): boolean;
  resolve(...paths: string[]): string;
  readonly sep: string;
}

/** The process this runs in (Node), typed here so the web app's check, without Node's types, reads this module too. */
interface HostProcess {
  cwd(): string;
  getBuiltinModule(id: 'node:path'): HostPath;
}

let hostPath: HostPath | undefined;
/** node:path, asked of the process at first use rather than imported: a browser bundling this module has no node:path. */
function host(): HostPath {
  return (hostPath ??= hostProcess().getBuiltinModule('node:path'));
}

function hostProcess(): HostProcess {
  return (globalThis as unknown as { process: HostProcess }).process;
}

/** Where a copy or move goes, told apart from what the user typed. */
export type Destination =
  | { kind: 'here'; path: string }
  | { kind: 'device'; address: string }
  | { kind: 'bucket'; url: string };

/** Where a volume may be named by itself too: its name, fingerprint or id, as typed. */
export type Target = Destination | { kind: 'volume'; name: string };

/** A bucket's place: the bucket, and the prefix every key under it starts with ('' or '/'-separated, no '/' at either end). */
export interface BucketPlace {
  bucket: string;
  prefix: string;
}

/** A folder of a device of the library, `[DEVICE:]/LOCATION[/PATH]` taken apart (no device: every device's, or this one's, as the caller says). */
export interface DevicePlace {
  device?: string;
  location?: string;
  /** '/'-separated, '' for the location itself: checked as a location's relative path (relPathProblem). */
  path: string;
}

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
 * The kind of place P names as typed, nothing checked yet: a bucket's, a paired device's folder,
 * else a path here. For what is typed (a form's field, a command's argument); a location's kind
 * is recorded with it (`locations.kind`), never read from its path.
 */
export function placeKind(p: string): Destination['kind'] {
  return isBucketAddress(p) ? 'bucket' : isDeviceAddress(p) ? 'device' : 'here';
}

/**
 * P as an adapter hands it to the core: a device's or a bucket's address as typed, anything else a
 * path made absolute against CWD (the daemon's working directory is not the caller's).
 */
export function asTypedPlace(p: string, cwd = hostProcess().cwd()): string {
  return isPlaceAddress(p) ? p : host().resolve(cwd, p);
}

/**
 * P as an adapter hands over a target where a volume may be named by itself: as `asTypedPlace`,
 * but a bare name (no separator, not starting with `.` or `~`) stays as typed, a volume's.
 */
export function asTypedTarget(p: string, cwd = hostProcess().cwd()): string {
  return isPlaceAddress(p) || !looksLikePath(p) ? p : host().resolve(cwd, p);
}

/** A path as typed, not a bare name: it has a separator, or starts with `.` or `~`. */
function looksLikePath(p: string): boolean {
  return /[/\\]/.test(p) || p.startsWith('.') || p.startsWith('~');
}

/**
 * TO told apart where a volume may be named by itself (`guardian protect --to`): a bucket's URL, a
 * device's address, an absolute path here, else a volume's name, fingerprint or id; a relative
 * path is refused (WHAT names the argument in the message).
 */
export function targetOf(to: string, what = 'to'): Target {
  if (isBucketAddress(to)) return { kind: 'bucket', url: to };
  if (isDeviceAddress(to)) return { kind: 'device', address: to };
  if (host().isAbsolute(to)) return { kind: 'here', path: to };
  if (looksLikePath(to)) throw new UsageError(`${what} ${to}: a folder is named by an absolute path`);
  return { kind: 'volume', name: to };
}

/** TO told apart: a bucket's URL, a device's address, else an absolute path here (a relative one is refused: it would name another place in the daemon). */
export function destinationOf(to: string): Destination {
  if (isBucketAddress(to)) return { kind: 'bucket', url: to };
  if (isDeviceAddress(to)) return { kind: 'device', address: to };
  if (!host().isAbsolute(to)) throw new UsageError(`to must be an absolute path, DEVICE:/LOCATION[/PATH] or s3://BUCKET/PREFIX[/FOLDER], got ${JSON.stringify(to.slice(0, 200))}`);
  return { kind: 'here', path: to };
}

/** `[DEVICE:]/LOCATION[/PATH]` taken apart; its path is checked as any relative path is. */
export function parseDeviceAddress(address: string): DevicePlace {
  let rest = address;
  let device: string | undefined;
  const colon = address.indexOf(':');
  if (colon >= 0 && !address.slice(0, colon).includes('/')) {
    device = address.slice(0, colon);
    rest = address.slice(colon + 1);
    if (device === '') throw new UsageError(`no device before ":" in ${JSON.stringify(address)}`);
  }
  const parts = rest.split('/').filter((p) => p !== '');
  const location = parts.shift();
  const path = parts.join('/');
  const bad = relPathProblem(path);
  if (bad !== undefined) throw new UsageError(`${JSON.stringify(address)}: ${bad}`);
  return { ...(device !== undefined ? { device } : {}), ...(location !== undefined ? { location } : {}), path };
}

const MAX_PREFIX = 512;
/** S3's bucket names: 3 to 63 lowercase letters, digits, dots and hyphens, a letter or digit at each end. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * `s3://BUCKET[/PREFIX]` taken apart, with the reason when it cannot name a bucket (its prefix may
 * not climb: no `.` or `..` part, no empty part, no control character).
 */
export function parseBucketUrl(url: string): BucketPlace {
  const m = /^s3:\/\/([^/]*)(?:\/(.*))?$/.exec(url);
  if (!m) throw new UsageError(`${JSON.stringify(url.slice(0, 100))}: a bucket is named s3://BUCKET/PREFIX`);
  const bucket = m[1]!;
  if (!BUCKET_NAME.test(bucket) || bucket.includes('..')) throw new UsageError(`${JSON.stringify(bucket.slice(0, 100))}: not a bucket name (3 to 63 lowercase letters, digits, dots and hyphens)`);
  const prefix = (m[2] ?? '').replace(/\/+$/, '');
  if (prefix.length > MAX_PREFIX) throw new UsageError(`the prefix of ${bucket} is longer than ${MAX_PREFIX} characters`);
  if (prefix !== '') {
    for (const part of prefix.split('/')) {
      if (part === '' || part === '.' || part === '..') throw new UsageError(`${JSON.stringify(prefix.slice(0, 100))}: a prefix has no empty, '.' or '..' part`);
    }
    // A key a terminal or a bucket's console would show otherwise than it is.
    if (/[\u0000-\u001f\u007f]/.test(prefix)) throw new UsageError('a prefix has no control character');
  }
  return { bucket, prefix };
}

/** The bucket as a user names it: `s3://BUCKET/PREFIX` (a key under it, `s3://BUCKET/KEY`, with the key as the prefix). */
export function bucketUrl(spec: BucketPlace): string {
  return `s3://${spec.bucket}${spec.prefix === '' ? '' : `/${spec.prefix}`}`;
}

/**
 * Why REL is not a path as the indexer records one, or undefined: names joined by `/`, none of
 * them empty, `.` or `..`, no NUL, not absolute. `''` is the root itself.
 */
export function relPathProblem(rel: unknown): string | undefined {
  if (typeof rel !== 'string') return 'not a path';
  if (rel === '') return undefined;
  if (rel.includes('\0')) return 'contains a NUL byte';
  const path = host();
  if (rel.startsWith('/') || path.isAbsolute(rel)) return 'an absolute path where a relative one belongs';
  // One scan instead of a split: this runs for every file a scan reads.
  if (EMPTY_DOT_OR_DOTDOT.test(rel)) return 'it has an empty, `.` or `..` part that could step outside its folder';
  if (path.sep !== '/' && rel.includes(path.sep)) return `it has a ${path.sep} inside a name`;
  return undefined;
}

/** A part of a `/`-separated path that is empty, `.` or `..`. */
const EMPTY_DOT_OR_DOTDOT = /(?:^|\/)\.{0,2}(?:\/|$)/;

/**
 * P as `DEVICE:/PATH`, an absolute path of a paired device's own (a browsable folder, issue 59: not
 * a location's `DEVICE:/LOCATION/PATH`, which the caller tells apart by its locations); undefined:
 * not of that form (a path of this machine).
 */
export function deviceFolderAddress(p: string): { device: string; path: string } | undefined {
  const m = /^([^/:][^:]*):(\/.*)$/.exec(p);
  if (!m) return undefined;
  const path = m[2]!.length > 1 ? m[2]!.replace(/\/+$/, '') : m[2]!;
  return { device: m[1]!, path };
}
