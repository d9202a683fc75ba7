import { parentPort, workerData } from 'node:worker_threads';
import { GeneratorError } from '../types.js';

/** Entry of `runInWorker`: import the module, call the export once, post the answer. */
const { module, exportName, arg } = workerData as { module: string; exportName: string; arg: unknown };

/** Below this a buffer may share Node's pool with others, and a copy costs nothing anyway. */
const MIN_TRANSFER_BYTES = 64 * 1024;

/**
 * The big byte arrays in VALUE (decoded pixels, rendered pages), to move to the caller instead of
 * copying: a copy would hold a second full bitmap in the process while the first is still alive.
 */
function transferables(value: unknown, depth = 0, out = new Set<ArrayBuffer>()): ArrayBuffer[] {
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer && value.buffer.byteLength >= MIN_TRANSFER_BYTES) out.add(value.buffer);
  } else if (value && typeof value === 'object' && depth < 3) {
    for (const v of Array.isArray(value) ? value : Object.values(value)) transferables(v, depth + 1, out);
  }
  return [...out];
}

try {
  const mod = (await import(module)) as Record<string, (a: unknown) => unknown>;
  const fn = mod[exportName];
  if (typeof fn !== 'function') throw new Error(`${module} has no export ${exportName}`);
  const value = await fn(arg);
  try {
    parentPort?.postMessage({ ok: true, value }, transferables(value));
  } catch {
    // Memory a native addon owns cannot be detached: send a copy.
    parentPort?.postMessage({ ok: true, value });
  }
} catch (err) {
  const permanent = err instanceof GeneratorError ? err.permanent : true;
  parentPort?.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err), permanent });
}
