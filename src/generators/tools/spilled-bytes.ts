/**
 * Large byte arrays in a decoder process's answer (rendered pages: 17 MB of gray pixels for a
 * 4200 px page) travel through a file instead of the IPC channel. Over IPC a message is
 * serialized in the child (a copy), gathered in chunks and joined in the parent (two more) and
 * deserialized (a third): ~4× the pixels held at once across the two processes, where a file
 * written from the child's array and read once into the parent's costs one copy on each side.
 * The folder is the caller's (a private mkdtemp), removed when the call ends.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Arrays smaller than this stay in the message: a file costs more than the copies. */
export const SPILL_BYTES = 1024 * 1024;
const MARK = 'vssSpilledBytes';
const MAX_DEPTH = 4;

/** VALUE with every large byte array (objects and arrays looked into, a few levels deep) written to a file in DIR and replaced by its path. */
export function spillBytes(value: unknown, dir: string): unknown {
  let n = 0;
  const walk = (v: unknown, depth: number): unknown => {
    if (ArrayBuffer.isView(v) && v.byteLength >= SPILL_BYTES) {
      const file = join(dir, `${n++}.bin`);
      writeFileSync(file, new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
      return { [MARK]: file };
    }
    if (depth >= MAX_DEPTH || v === null || typeof v !== 'object' || ArrayBuffer.isView(v)) return v;
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, depth + 1)]));
  };
  return walk(value, 0);
}

/** The inverse of spillBytes: each path read back as a Buffer (a Uint8Array). */
export function unspillBytes<T>(value: unknown): T {
  const walk = (v: unknown, depth: number): unknown => {
    if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v) || depth > MAX_DEPTH) return v;
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    const file = (v as Record<string, unknown>)[MARK];
    if (typeof file === 'string' && Object.keys(v).length === 1) return readFileSync(file);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, depth + 1)]));
  };
  return walk(value, 0) as T;
}
