import { readFileSync } from 'node:fs';
import { childLog } from '../core/log.js';
import type { Library } from '../library/library.js';
import { PathRefusedError } from '../library/confine.js';
import { sidecarFile } from './sidecar-file.js';

const log = childLog('sidecars');

/**
 * A ready sidecar's JSON (its `default` variant), read through the library's confinement, for a
 * reader that takes what sidecars say into the database (search, faces); null when there is none
 * here (not ready, or the file is gone: ENOENT), and null, said once in the log with the path and
 * why, when it cannot be used: bigger than MAXBYTES, unreadable (EACCES, EIO…), refused by the
 * confinement, not JSON. FOR names the reader in that line.
 */
export function readSidecarJson(lib: Library, contentUuid: string, kind: string, maxBytes: number, forWhat = 'search'): unknown {
  let path: string | undefined;
  const skipped = (reason: string): null => {
    log.warn({ path, content: contentUuid, kind, reason }, `a sidecar file is left out of ${forWhat}`);
    return null;
  };
  try {
    const f = sidecarFile(lib, contentUuid, kind, 'default');
    if (f.state !== 'ready') return null;
    path = f.path;
    if (f.size > maxBytes) return skipped(`${f.size} bytes, more than the ${maxBytes} read for ${forWhat}`);
    const bytes = readFileSync(f.path);
    if (bytes.length > maxBytes) return skipped(`it grew to ${bytes.length} bytes, more than the ${maxBytes} read for ${forWhat}`);
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    if (err instanceof PathRefusedError || err instanceof SyntaxError || (err as NodeJS.ErrnoException).code !== undefined) {
      path ??= (err as { path?: string }).path;
      return skipped(err instanceof SyntaxError ? `not JSON: ${err.message}` : (err as Error).message);
    }
    throw err;
  }
}
