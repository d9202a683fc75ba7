/**
 * Typed errors. Every error that reaches a user carries a stable code, and where a file is
 * involved the path and a human reason, so the CLI can print one clear line.
 */
export const VSS_ERROR_CODES = [
  'USAGE',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'LIBRARY_LOCKED',
  'LIBRARY_INVALID',
  'NO_CURRENT_LIBRARY',
  'LOCATION_INVALID',
  'LOCATION_CONFLICT',
  'MIGRATION_FAILED',
  'DEVICE_INVALID',
  'MODEL_INVALID',
  'PATH_REFUSED',
  'NO_DAEMON',
  'PAIRING',
  'PEER',
  'UNAVAILABLE',
  /** What was asked does not apply to the thing's state now (a queued job resumed): a failure, not a usage error. */
  'WRONG_STATE',
  /** Refused because a content would fall below its Guardian policy (copies kept): `--force` overrides. */
  'POLICY',
  'IO',
] as const;
export type VssErrorCode = (typeof VSS_ERROR_CODES)[number];

export class VssError extends Error {
  readonly code: VssErrorCode;
  readonly path: string | undefined;

  constructor(code: VssErrorCode, message: string, options: { path?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VssError';
    this.code = code;
    this.path = options.path;
  }
}

/** A mistake in how the tool was called: the CLI exits 2 for these. */
export class UsageError extends VssError {
  constructor(message: string) {
    super('USAGE', message);
    this.name = 'UsageError';
  }
}

export class LibraryLockedError extends VssError {
  constructor(path: string, holder: string) {
    super('LIBRARY_LOCKED', `library is in use by ${holder}: ${path}`, { path });
    this.name = 'LibraryLockedError';
  }
}

/** Node's system errors carry a code such as ENOENT; this reads it without `any`. */
export function errnoCode(err: unknown): string | undefined {
  if (err && typeof err === 'object' && 'code' in err) {
    const code = (err as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

const REASONS: Record<string, string> = {
  ENOENT: 'vanished (no longer exists)',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'path is too long for this platform',
  EIO: 'input/output error reading the disk',
  ENOTDIR: 'a parent is no longer a directory',
  EISDIR: 'is a directory',
  EMFILE: 'too many open files',
  EBUSY: 'resource busy',
  ENOSPC: 'no space left on the disk',
  EDQUOT: 'disk quota exceeded',
};

/** A short, human reason for a filesystem error, used in skip lists and warning lines. */
export function describeFsError(err: unknown): string {
  const code = errnoCode(err);
  if (code && REASONS[code]) return `${REASONS[code]} (${code})`;
  if (err instanceof Error) return err.message;
  return String(err);
}
