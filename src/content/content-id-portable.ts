import { createBLAKE3 } from 'hash-wasm';
import { blake3 } from '@noble/hashes/blake3.js';
import { hashedWhole, SAMPLED_CONTEXT, sampleRanges, sizeBytes } from './sampled-ranges.js';

/**
 * A file's content id (cas_id, DESIGN §1) and full BLAKE3, computed where Node's native hasher is
 * not: in a browser, before it uploads (issue 44). The full hash runs in WebAssembly (hash-wasm);
 * the sampled id of a large file in BLAKE3's derive-key mode, which hash-wasm lacks, in plain
 * JavaScript (@noble/hashes: 2.5 MB of samples, milliseconds). content-id-portable.test.ts holds
 * it to the indexer's own.
 */
export interface PortableIds {
  cas_id: string;
  /** The whole file's BLAKE3: what an upload's bytes are verified against on arrival. */
  blake3: string;
}

/** Reads LENGTH bytes at START of the file. */
export type RangeRead = (start: number, length: number) => Promise<Uint8Array>;

const CHUNK = 4 * 1024 * 1024;

/** The content id of a file of SIZE bytes under the library's THRESHOLD (no whole-file pass). */
export async function portableContentId(read: RangeRead, size: number, threshold: number, onBytes?: (done: number) => void): Promise<string> {
  if (hashedWhole(size, threshold)) return wholeBlake3(read, size, onBytes);
  const h = blake3.create({ context: new TextEncoder().encode(SAMPLED_CONTEXT) });
  h.update(sizeBytes(size));
  for (const [start, length] of sampleRanges(size)) h.update(await read(start, length));
  return hex(h.digest());
}

/** The whole file's BLAKE3 (hex), read in chunks; ONBYTES hears how far it is. */
export async function wholeBlake3(read: RangeRead, size: number, onBytes?: (done: number) => void, signal?: AbortSignal): Promise<string> {
  const h = await createBLAKE3();
  h.init();
  for (let pos = 0; pos < size;) {
    signal?.throwIfAborted();
    const chunk = await read(pos, Math.min(CHUNK, size - pos));
    if (chunk.byteLength === 0) throw new Error(`the file ended at byte ${pos} of ${size}`);
    h.update(chunk);
    pos += chunk.byteLength;
    onBytes?.(pos);
  }
  return h.digest('hex');
}

/** Both ids, reading the file once when it is hashed whole. */
export async function portableIds(read: RangeRead, size: number, threshold: number, onBytes?: (done: number) => void, signal?: AbortSignal): Promise<PortableIds> {
  const whole = await wholeBlake3(read, size, onBytes, signal);
  return { blake3: whole, cas_id: hashedWhole(size, threshold) ? whole : await portableContentId(read, size, threshold) };
}

function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}
