import { GeneratorError } from '../generators/types.js';

/**
 * Failures worth another attempt: a generator that says so, or the machine being briefly unable
 * (disk full, too many open files, a busy database). Anything else is the input's or a bug, and
 * retrying would only repeat it.
 */
export function isTransient(err: unknown): boolean {
  if (err instanceof GeneratorError) return !err.permanent;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (['ENOSPC', 'EAGAIN', 'EBUSY', 'EMFILE', 'ENFILE', 'EIO', 'ETIMEDOUT'].includes(code) || code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}
