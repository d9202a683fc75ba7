/**
 * Engines that must hold a whole input file in memory (libheif, which takes one buffer; pdfjs,
 * which parses from one array) read it only up to a limit: a larger file fails permanently, with
 * a reason that names the limit and the library setting that raises it. Everything else streams
 * from disk (sharp, ffmpeg) and needs no such bound.
 */
import { formatBinaryBytes } from '../core/format.js';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { GeneratorError, type GeneratorSettings } from './types.js';

export const MiB = 1024 * 1024;

/**
 * One row per engine: its setting's name, what the reason calls the file, and the default.
 * - HEIC 64 MiB: the largest camera HEICs (48 MP phones, panoramas) are 5–30 MB; libheif holds
 *   the file twice (our buffer and its WASM copy), so the bound is ~128 MiB of memory per decode.
 * - PDF 256 MiB: scanned books run to a few hundred MB; pdfjs holds the file once, per thread.
 */
export const INPUT_BYTE_LIMITS = {
  heicMaxBytes: { what: 'HEIC file', defaultBytes: 64 * MiB },
  pdfMaxBytes: { what: 'PDF', defaultBytes: 256 * MiB },
} as const satisfies Record<string, { what: string; defaultBytes: number }>;

export type InputByteLimit = keyof typeof INPUT_BYTE_LIMITS;

/** Bounds on a configured value: a hand-edited library.json must not turn the limit off. */
export const MIN_INPUT_BYTES = 1 * MiB;
export const MAX_INPUT_BYTES = 4096 * MiB;

/** The limit in force: the setting when it is a sane number of bytes, else the default. */
export function inputByteLimit(settings: Partial<Pick<GeneratorSettings, InputByteLimit>> | undefined, setting: InputByteLimit): number {
  const v = settings?.[setting];
  return typeof v === 'number' && Number.isFinite(v) ? clampInputBytes(v) : INPUT_BYTE_LIMITS[setting].defaultBytes;
}

export function clampInputBytes(v: number): number {
  return Math.min(MAX_INPUT_BYTES, Math.max(MIN_INPUT_BYTES, Math.floor(v)));
}

/** The permanent failure of a file over its limit (PATH is named by the caller's wrapper when absent). */
export function overLimit(setting: InputByteLimit, size: number, limit: number, path?: string): GeneratorError {
  const what = INPUT_BYTE_LIMITS[setting].what;
  return new GeneratorError(`${what} is ${formatBinaryBytes(size)}, over the ${formatBinaryBytes(limit)} limit (setting ${setting})`, { permanent: true, path });
}

/**
 * The whole file at PATH, read through one descriptor and never more than LIMIT bytes: a file
 * over the limit fails with `overLimit` before anything is allocated for it.
 */
export function readBounded(path: string, setting: InputByteLimit, limit: number): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new GeneratorError(`cannot read: ${(err as Error).message}`, { permanent: false, path, cause: err });
  }
  try {
    const size = fstatSync(fd).size;
    if (size > limit) throw overLimit(setting, size, limit, path);
    // What the stat said and no more: bytes appended meanwhile are not read.
    const buf = Buffer.allocUnsafe(size);
    let got = 0;
    for (let n = 1; n > 0 && got < size; got += n) n = readSync(fd, buf, got, size - got, got);
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

/** 1.2 GiB, 256 MiB, 512 KiB, 100 bytes. */
