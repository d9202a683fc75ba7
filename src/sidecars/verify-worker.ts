/** Worker-thread side of VerifyPool: size and BLAKE3 of each file of a batch, answered in order. */
import { parentPort } from 'node:worker_threads';
import { errnoCode } from '../core/errors.js';
import { FileChecksummer } from './file-checksum.js';
import type { VerifyAnswer, VerifyFile } from './verify-pool.js';

const hasher = new FileChecksummer();

parentPort!.on('message', async (files: VerifyFile[]) => {
  const out: VerifyAnswer[] = [];
  for (const f of files) {
    try {
      out.push(await hasher.checksum(f.path, f.size));
    } catch (err) {
      out.push({ ok: false, reason: 'error', code: errnoCode(err), message: err instanceof Error ? err.message : String(err) });
    }
  }
  parentPort!.postMessage(out);
});
