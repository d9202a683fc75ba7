/**
 * Thread side of the sealing worker (seal-thread.ts): the uploads' sealers, each fed the file's
 * plaintext as the main thread reads it, each part sent back as it is complete (transferred, not
 * copied). The cipher's CPU runs here, beside the main thread's requests and the file's reads.
 */
import { parentPort } from 'node:worker_threads';
import { PartSealer } from './part-sealer.js';
import type { SealReply, SealRequest } from './seal-thread.js';

const port = parentPort!;
const sealers = new Map<number, PartSealer>();

port.on('message', (m: SealRequest) => {
  if (m.kind === 'close') {
    sealers.delete(m.id);
    return;
  }
  if (m.kind === 'open') {
    sealers.set(m.id, new PartSealer(Buffer.from(m.head), Buffer.from(m.payloadKey), m.size, m.partSize));
    return;
  }
  const sealer = sealers.get(m.id);
  if (!sealer) return;
  let reply: SealReply;
  try {
    const parts = sealer.push(Buffer.from(m.plain.buffer, m.plain.byteOffset, m.plain.byteLength));
    if (sealer.done) sealers.delete(m.id);
    if (parts.length === 0) return;
    reply = { id: m.id, parts };
  } catch (err) {
    sealers.delete(m.id);
    reply = { id: m.id, error: (err as Error).message };
  }
  port.postMessage(reply, 'parts' in reply ? reply.parts.map((p) => p.buffer as ArrayBuffer) : []);
});
