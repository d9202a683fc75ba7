import { chmodSync, closeSync, linkSync, lstatSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { VssError, errnoCode } from '../../core/errors.js';
import { tempPathFor } from '../../core/fs-atomic.js';


/** 32 random bytes, base64url: 43 characters that need no quoting in a header or a shell. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * The API's bearer token at PATH, made on first start (owner-only) and kept afterwards, so a
 * client that read it once stays valid across restarts. A token file others may read is made
 * owner-only again; one that is not a plain file of ours, or is damaged, is refused.
 */
export function ensureToken(path: string): string {
  for (let attempt = 0; attempt < 3; attempt++) {
    const existing = readToken(path);
    if (existing !== null) {
      const st = lstatSync(path);
      if ((st.mode & 0o077) !== 0) {
        chmodSync(path, 0o600);
        // The log loaded for this alone: a client reading the token loads no logger.
        const mode = (st.mode & 0o777).toString(8);
        void import('../../core/log.js').then(({ childLog }) => childLog('daemon-token').warn({ path, mode }, 'the token file was readable by others; made owner-only'));
      }
      return existing;
    }
    createToken(path);
  }
  throw new VssError('IO', 'cannot create the daemon token', { path });
}

/** The token at PATH, or null when there is none yet. */
export function readToken(path: string): string | null {
  let st;
  try {
    st = lstatSync(path);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return null;
    throw new VssError('IO', `cannot read the daemon token: ${(err as Error).message}`, { path, cause: err });
  }
  if (!st.isFile()) throw new VssError('IO', 'the daemon token is not a plain file (remove it; a new one is made at start)', { path });
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) {
    throw new VssError('IO', `the daemon token belongs to another user (uid ${st.uid})`, { path });
  }
  const token = readFileSync(path, 'utf8').trim();
  if (!TOKEN.test(token)) throw new VssError('IO', 'the daemon token is damaged (remove it; a new one is made at start)', { path });
  return token;
}

/** Write a new token beside PATH and link it into place unless one appeared meanwhile. */
function createToken(path: string): void {
  const staged = tempPathFor(path);
  const fd = openSync(staged, 'wx', 0o600);
  try {
    writeSync(fd, randomBytes(32).toString('base64url') + '\n');
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(staged, path);
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') return;
    throw new VssError('IO', `cannot create the daemon token: ${(err as Error).message}`, { path, cause: err });
  } finally {
    try { unlinkSync(staged); } catch { /* already gone */ }
  }
}

/** Constant-time comparison of a presented token with the daemon's (digests make the lengths equal). */
export function tokenMatches(presented: string, token: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}
