import { errnoCode } from '../core/errors.js';
import { GeneratorError } from '../generators/types.js';

/** Error codes of a machine briefly unable (not of a bad input): worth another attempt. */
const TRANSIENT_CODES = new Set(['EAGAIN', 'EWOULDBLOCK', 'EBUSY', 'EMFILE', 'ENFILE', 'EIO', 'ETIMEDOUT', 'ENOMEM', 'ENOSPC', 'EDQUOT']);

/** Codes that say the disk is full: no attempt is spent on them, generation pauses (disk-full.ts). */
const DISK_FULL_CODES = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL']);

/** What a tool prints for the same (strerror of ENOSPC and EDQUOT), e.g. ffmpeg writing a proxy. */
const DISK_FULL_TEXT = /no space left on device|disk quota exceeded/i;

/**
 * A job's failure that is the world's for now, not the input's (the only devices holding a file
 * went offline mid-copy): retried with backoff until the job's last attempt.
 */
export class TryAgainLater extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TryAgainLater';
  }
}

/** Causes followed at most (an error wrapping an error wrapping the system error). */
const MAX_CAUSES = 5;

/**
 * Failures worth another attempt: a generator that says so, or the machine being briefly unable
 * (an I/O error, too many open files, a busy database), found on the error or on what it wraps.
 * Anything else is the input's or a bug, and retrying would only repeat it.
 */
export function isTransient(err: unknown): boolean {
  for (const e of causes(err)) {
    // A generator that calls it passing is believed. One that calls it permanent is believed too,
    // unless what it wraps is the machine's (a wrapper's default must not turn EMFILE into a verdict
    // on the input): the causes below it are looked at.
    if (e instanceof GeneratorError && !e.permanent) return true;
    if (e instanceof TryAgainLater) return true;
    const code = errnoCode(e);
    if (code && (TRANSIENT_CODES.has(code) || code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED') || code === 'SQLITE_FULL')) return true;
  }
  return false;
}

/**
 * Whether ERR means a disk is full: a system error (ENOSPC, EDQUOT) or SQLite's, on the error or
 * what it wraps, or a tool's message saying so. Such a failure is not the job's: it waits for
 * space without spending an attempt.
 */
export function isDiskFull(err: unknown): boolean {
  for (const e of causes(err)) {
    const code = errnoCode(e);
    if (code && DISK_FULL_CODES.has(code)) return true;
    if (e instanceof Error && DISK_FULL_TEXT.test(e.message)) return true;
  }
  return false;
}

/** The path a disk-full error names (a system error's `path`), if any. */
export function pathOf(err: unknown): string | undefined {
  for (const e of causes(err)) {
    const p = (e as { path?: unknown }).path;
    if (typeof p === 'string' && p !== '') return p;
  }
  return undefined;
}

/** ERR and what it wraps (`cause`), outermost first, at most MAX_CAUSES deep. */
function* causes(err: unknown): Generator<unknown> {
  let e: unknown = err;
  for (let i = 0; i < MAX_CAUSES && e; i++) {
    yield e;
    e = (e as { cause?: unknown }).cause;
  }
}
