/** Worker-thread side of IdentifyPool: identify each batch it is sent, in order. */
import { parentPort } from 'node:worker_threads';
import { identifyFile, type IdentifyRequest, type IdentifyOutcome } from './identify-file.js';

parentPort!.on('message', async (msg: { files: IdentifyRequest[]; thresholdBytes: number }) => {
  const out: IdentifyOutcome[] = [];
  for (const f of msg.files) out.push(await identifyFile(f, msg.thresholdBytes));
  parentPort!.postMessage(out);
});
