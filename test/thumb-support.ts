/**
 * For the thumbnail tests: run the generator on a real file, check what it made, and watch how
 * often it decoded its source — from outside, at the boundaries of the libraries it calls.
 */
import assert from 'node:assert/strict';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { basename } from 'node:path';
import type { Worker } from 'node:worker_threads';
import sharp from 'sharp';
import { generatorContext, type TestContextInput } from './generator-context.js';
import type { ContentKind } from '../src/content/kinds.js';
import type { GeneratedOutput, Generator } from '../src/generators/types.js';
import { thumbGenerator } from '../src/generators/thumb/thumb-generator.js';
import { thumbVariant } from '../src/generators/thumb/thumb-variants.js';

export const ALL_VARIANTS = ['icon@1x', 'icon@2x', 'grid@1x', 'grid@2x', 'detail@1x', 'detail@2x'] as const;

export interface Made {
  data: Buffer;
  format: string;
}

/** Run GEN (default: thumbGenerator) on PATH; the outputs by variant. */
export async function makeThumbs(
  path: string, kind: ContentKind, mime: string, variants: readonly string[],
  more: Partial<TestContextInput> & { generator?: Generator } = {},
): Promise<Map<string, GeneratedOutput>> {
  const { generator = thumbGenerator, ...rest } = more;
  const ctx = generatorContext({ path, kind, mime, variants, ...rest });
  try {
    const out = await generator.generate(ctx);
    return new Map(out.map((o) => [o.variant, o]));
  } finally {
    ctx.cleanup();
  }
}

/** The bytes of a made variant (fails the test when it was skipped or deferred). */
export function bytesOf(out: Map<string, GeneratedOutput>, variant: string): Made {
  const o = out.get(variant);
  assert.ok(o, `no output for ${variant}`);
  assert.ok('data' in o, `${variant} was not made: ${JSON.stringify(o)}`);
  return { data: o.data, format: o.format };
}

/**
 * A valid WebP of VARIANT for an upright source of SOURCE_W × SOURCE_H: longest edge is the
 * variant's size (or the source's when smaller: never enlarged), aspect ratio kept within a
 * pixel, no EXIF/XMP/ICC left. Returns its size.
 */
export async function assertThumb(made: Made, variant: string, sourceW: number, sourceH: number, label = ''): Promise<{ width: number; height: number }> {
  const spec = thumbVariant(variant);
  assert.ok(spec, `unknown variant ${variant}`);
  assert.equal(made.format, 'webp');
  const meta = await sharp(made.data).metadata();
  assert.equal(meta.format, 'webp', `${label} ${variant}: not a WebP`);
  // Decoding every pixel proves the file is whole.
  const { info } = await sharp(made.data).raw().toBuffer({ resolveWithObject: true });
  const w = info.width;
  const h = info.height;
  const srcLong = Math.max(sourceW, sourceH);
  const want = Math.min(spec.size, srcLong);
  assert.equal(Math.max(w, h), want, `${label} ${variant}: longest edge ${Math.max(w, h)}, want ${want} (${w}×${h} from ${sourceW}×${sourceH})`);
  assert.equal(w >= h, sourceW >= sourceH, `${label} ${variant}: orientation ${w}×${h} differs from the source's ${sourceW}×${sourceH}`);
  const wantShort = (Math.min(sourceW, sourceH) * want) / srcLong;
  assert.ok(Math.abs(Math.min(w, h) - wantShort) <= 1, `${label} ${variant}: ${w}×${h} does not keep the aspect of ${sourceW}×${sourceH}`);
  assert.equal(meta.exif, undefined, `${label} ${variant}: EXIF left in the thumbnail`);
  assert.equal(meta.xmp, undefined, `${label} ${variant}: XMP left in the thumbnail`);
  assert.equal(meta.icc, undefined, `${label} ${variant}: ICC profile left in the thumbnail`);
  return { width: w, height: h };
}

/** Mean luma (0–255) of an encoded image. */
export async function meanLuma(data: Buffer): Promise<number> {
  const stats = await sharp(data).greyscale().stats();
  return stats.channels[0]!.mean;
}

/** What a call started, seen from outside: how a source was decoded, and how many times. */
export interface DecodeWatch {
  /** sharp pipelines that read the watched file's pixels (toBuffer/toFile; a header read is not one). */
  sharpReads: number;
  /** Worker threads started (a HEIC decode: one thread each). */
  threads: number;
  /** Decoder processes started (a PDF render: one process each, tools/run-in-child.ts). */
  decoders: number;
  /** ffmpeg runs that took a frame (`-frames:v`). */
  frameGrabs: number;
}

type SharpProto = { toBuffer: (...a: unknown[]) => unknown; toFile: (...a: unknown[]) => unknown; options: { input?: { file?: string } } };
const childProcess = createRequire(import.meta.url)('node:child_process') as { spawn: (cmd: string, args?: readonly string[], ...rest: unknown[]) => unknown };

/**
 * Run FN and count what it did to decode PATH: sharp pipelines reading the file (a spy on sharp's
 * prototype: it calls through), worker threads started (the process's 'worker' event), decoder
 * processes and ffmpeg frame grabs (a spy on child_process.spawn, made visible to ES imports by
 * syncBuiltinESMExports).
 * Nothing in src/ knows it is watched.
 */
export async function watchDecodes<T>(path: string, fn: () => Promise<T>): Promise<{ value: T; seen: DecodeWatch }> {
  const seen: DecodeWatch = { sharpReads: 0, threads: 0, decoders: 0, frameGrabs: 0 };
  const proto = (sharp as unknown as { prototype: SharpProto }).prototype;
  const { toBuffer, toFile } = proto;
  const spawn = childProcess.spawn;
  const countRead = (self: SharpProto) => { if (self.options.input?.file === path) seen.sharpReads++; };
  proto.toBuffer = function (this: SharpProto, ...a: unknown[]) { countRead(this); return toBuffer.apply(this, a); };
  proto.toFile = function (this: SharpProto, ...a: unknown[]) { countRead(this); return toFile.apply(this, a); };
  childProcess.spawn = function (this: unknown, cmd: string, args?: readonly string[], ...rest: unknown[]) {
    if (/^ffmpeg/.test(basename(cmd)) && args?.includes('-frames:v')) seen.frameGrabs++;
    if (args?.some((a) => basename(a) === 'decoder-child.js')) seen.decoders++;
    return spawn.call(this, cmd, args, ...rest);
  };
  syncBuiltinESMExports();
  const onWorker = (_w: Worker) => { seen.threads++; };
  process.on('worker', onWorker);
  try {
    return { value: await fn(), seen };
  } finally {
    proto.toBuffer = toBuffer;
    proto.toFile = toFile;
    childProcess.spawn = spawn;
    syncBuiltinESMExports();
    process.off('worker', onWorker);
  }
}
