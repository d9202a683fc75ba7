/** Worker-thread side of IdentifyPool: identify each batch it is sent. */
import { serveRequests } from '../core/worker-pool.js';
import { identifyFileSoon, type IdentifyRequest, type IdentifyOutcome } from './identify-file.js';

serveRequests(async (msg: { files: IdentifyRequest[]; thresholdBytes: number }): Promise<IdentifyOutcome[]> => {
  const out: IdentifyOutcome[] = [];
  for (const f of msg.files) {
    const r = identifyFileSoon(f, msg.thresholdBytes);
    out.push(r instanceof Promise ? await r : r);
  }
  return out;
});
