import { constants, promises as fsp } from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { VssError, errnoCode } from '../core/errors.js';

/** What a speed test measured, in MB/s (10^6 bytes a second). */
export interface SpeedResult {
  read_mbps: number;
  write_mbps: number;
  bytes: number;
}

const MiB = 1024 * 1024;
/** The test file is at most this big, and never more than a quarter of the free space. */
export const SPEED_MAX_BYTES = 64 * MiB;
const SPEED_MIN_BYTES = 1 * MiB;
/** Writing stops after this long (what was written is measured); reading back likewise. */
const PHASE_LIMIT_MS = 10_000;
const CHUNK = MiB;

/** The name of the test file in the volume's root: a leftover of a killed test is recognisable. */
export const SPEED_FILE_PREFIX = '.vss-speed-';

/**
 * Write a temporary file to the volume at ROOT, fsync it, and read it back past the page cache
 * (O_DIRECT where the filesystem has it), bounded in size (≤ 64 MiB, ≤ a quarter of FREE) and time;
 * the file is removed afterwards, also on failure.
 */
export async function speedTest(root: string, free: number): Promise<SpeedResult> {
  const size = Math.min(SPEED_MAX_BYTES, Math.floor(free / 4 / CHUNK) * CHUNK);
  if (size < SPEED_MIN_BYTES) throw new VssError('UNAVAILABLE', `too little free space on ${root} for a speed test (${free} bytes free)`, { path: root });
  const file = join(root, `${SPEED_FILE_PREFIX}${randomUUID()}`);
  const data = randomBytes(CHUNK); // incompressible, so a compressing filesystem is measured too
  try {
    const w = await fsp.open(file, 'wx');
    let written = 0;
    const t0 = process.hrtime.bigint();
    try {
      while (written < size && msSince(t0) < PHASE_LIMIT_MS) {
        await w.write(data, 0, CHUNK, written);
        written += CHUNK;
      }
      await w.sync();
    } finally {
      await w.close();
    }
    const writeMs = msSince(t0);
    const { bytes, ms: readMs } = await readBack(file, written);
    return { write_mbps: mbps(written, writeMs), read_mbps: mbps(bytes, readMs), bytes: written };
  } catch (err) {
    if (err instanceof VssError) throw err;
    throw new VssError('IO', `speed test on ${root} failed: ${(err as Error).message}`, { path: root, cause: err });
  } finally {
    await fsp.rm(file, { force: true });
  }
}

/** Read FILE's first SIZE bytes: with O_DIRECT (a page-aligned buffer) where the filesystem allows, else through the cache. */
async function readBack(file: string, size: number): Promise<{ bytes: number; ms: number }> {
  // WebAssembly memory is page-aligned, as O_DIRECT needs; a Buffer's address is not.
  const buf = Buffer.from(new (wasm().Memory)({ initial: CHUNK / 65536 }).buffer);
  let h: fsp.FileHandle;
  try {
    h = await fsp.open(file, constants.O_RDONLY | (constants.O_DIRECT ?? 0));
  } catch (err) {
    if (errnoCode(err) !== 'EINVAL') throw err;
    h = await fsp.open(file, 'r');
  }
  let t0 = process.hrtime.bigint();
  let bytes = 0;
  let cached = false;
  try {
    while (bytes < size && msSince(t0) < PHASE_LIMIT_MS) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await h.read(buf, 0, CHUNK, bytes));
      } catch (err) {
        // A filesystem that opens with O_DIRECT but refuses its reads: read through the cache.
        if (errnoCode(err) !== 'EINVAL' || bytes > 0 || cached) throw err;
        cached = true;
        await h.close();
        h = await fsp.open(file, 'r');
        t0 = process.hrtime.bigint();
        continue;
      }
      if (bytesRead === 0) break;
      bytes += bytesRead;
    }
  } finally {
    await h.close();
  }
  return { bytes, ms: msSince(t0) };
}

/** The WebAssembly global (ES2022's lib, which this project compiles with, does not declare it). */
function wasm(): { Memory: new (d: { initial: number }) => { buffer: ArrayBuffer } } {
  return (globalThis as unknown as { WebAssembly: ReturnType<typeof wasm> }).WebAssembly;
}

function msSince(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function mbps(bytes: number, ms: number): number {
  return Math.round((bytes / 1e6 / Math.max(ms, 0.001)) * 1000 * 10) / 10;
}
