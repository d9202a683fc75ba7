/** Worker-thread side of IdentifyPool: read and hash each batch it is sent (the pool's caller finishes each identity). */
import { serveRequests } from '../core/worker-pool.js';
import { readFileSoon, type IdentifyRequest, type ReadOutcome } from './identify-file.js';

serveRequests(async (msg: { files: IdentifyRequest[]; thresholdBytes: number }): Promise<ReadOutcome[]> => {
  const out: ReadOutcome[] = [];
  for (const f of msg.files) {
    const r = readFileSoon(f, msg.thresholdBytes);
    out.push(r instanceof Promise ? await r : r);
  }
  return out;
});
