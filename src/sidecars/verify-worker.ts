/** Worker-thread side of VerifyPool: size and BLAKE3 of each file of a batch. */
import { errnoCode } from '../core/errors.js';
import { serveRequests } from '../core/worker-pool.js';
import { checksumFile } from '../core/file-blake3.js';
import type { VerifyAnswer, VerifyFile } from './verify-pool.js';

// One at a time (serveRequests): the thread's read buffers are reused from file to file.
serveRequests(async (files: VerifyFile[]): Promise<VerifyAnswer[]> => {
  const out: VerifyAnswer[] = [];
  for (const f of files) {
    try {
      out.push(await checksumFile(f.path, f.size));
    } catch (err) {
      out.push({ ok: false, reason: 'error', code: errnoCode(err), message: err instanceof Error ? err.message : String(err) });
    }
  }
  return out;
});
