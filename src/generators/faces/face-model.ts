/**
 * Where the face model comes from: @vladmandic/face-api's own files inside node_modules (its SSD
 * MobileNet v1 detector, its 68-point landmarks and its 128-d recogniser), read from disk by the
 * package's wasm build; nothing is ever fetched. Checked before a job spends a process on them: a
 * missing or damaged install is one clear reason, shown once (`availability`), not a retry storm.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The nets the pipeline loads, by the file stem face-api gives them. */
export const FACE_NETS = ['ssd_mobilenetv1_model', 'face_landmark_68_model', 'face_recognition_model'] as const;

export interface FaceModelFiles {
  /** face-api's version: part of the generator's recorded version. */
  version: string;
  /** dist/face-api.node-wasm.js (not in the package's exports: loaded by path). */
  entry: string;
  /** The folder of its weights manifests and .bin shards. */
  modelDir: string;
  /** tfjs-backend-wasm's dist folder, where the .wasm binaries are. */
  wasmDir: string;
}

let found: FaceModelFiles | { problem: string } | undefined;

/** The installed model files, or why they cannot be used (read once per process). */
export function faceModelFiles(): FaceModelFiles | { problem: string } {
  return (found ??= locate());
}

function locate(): FaceModelFiles | { problem: string } {
  let pkgDir: string;
  let wasmDir: string;
  try {
    // The package's exports hide package.json; its main file sits in dist/.
    pkgDir = packageDirOf('@vladmandic/face-api');
    wasmDir = join(packageDirOf('@tensorflow/tfjs-backend-wasm'), 'dist');
  } catch (err) {
    return { problem: `the face model is not installed (${(err as Error).message.split('\n')[0]}); run npm ci` };
  }
  const entry = join(pkgDir, 'dist', 'face-api.node-wasm.js');
  const modelDir = join(pkgDir, 'model');
  if (!existsSync(entry)) return { problem: `the face model's code is missing: ${entry}; run npm ci` };
  if (!existsSync(join(wasmDir, 'tfjs-backend-wasm-simd.wasm'))) return { problem: `the wasm backend is missing in ${wasmDir}; run npm ci` };
  for (const net of FACE_NETS) {
    const problem = manifestProblem(modelDir, net);
    if (problem) return { problem };
  }
  const version = (JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  return { version, entry, modelDir, wasmDir };
}

/**
 * Why NET's files in DIR cannot be loaded: its manifest unreadable, a shard missing, or a shard
 * whose size is not what the manifest's weights take (a truncated download or a damaged disk).
 */
export function manifestProblem(dir: string, net: string): string | undefined {
  const path = join(dir, `${net}-weights_manifest.json`);
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    return `the face model file ${path} cannot be read: ${(err as Error).message.split('\n')[0]}`;
  }
  if (!Array.isArray(manifest) || manifest.length === 0) return `the face model file ${path} is not a weights manifest`;
  for (const group of manifest as Array<{ paths?: unknown; weights?: unknown }>) {
    if (!Array.isArray(group.paths) || !Array.isArray(group.weights)) return `the face model file ${path} is not a weights manifest`;
    let want = 0;
    for (const w of group.weights as Array<{ shape?: unknown; dtype?: unknown; quantization?: { dtype?: unknown } }>) {
      const n = Array.isArray(w.shape) ? w.shape.reduce((a: number, b: unknown) => a * (typeof b === 'number' ? b : NaN), 1) : NaN;
      const bytes = bytesPer(w.quantization?.dtype ?? w.dtype);
      want += n * bytes;
    }
    let have = 0;
    for (const p of group.paths as unknown[]) {
      if (typeof p !== 'string' || p.includes('/') || p.includes('\\')) return `the face model file ${path} names a shard outside its folder`;
      const shard = join(dir, p);
      if (!existsSync(shard)) return `the face model's weights ${shard} are missing; run npm ci`;
      have += statSync(shard).size;
    }
    if (!Number.isFinite(want) || have !== want) return `the face model's weights for ${net} are damaged (${have} bytes, ${Number.isFinite(want) ? want : 'unknown'} expected); run npm ci`;
  }
  return undefined;
}

function bytesPer(dtype: unknown): number {
  if (dtype === 'uint8' || dtype === 'int8') return 1;
  if (dtype === 'uint16' || dtype === 'int16' || dtype === 'float16') return 2;
  if (dtype === 'float32' || dtype === 'int32') return 4;
  return NaN;
}

function packageDirOf(name: string): string {
  // Walk up from the resolved main file to the folder whose package.json names the package.
  let dir = dirname(require.resolve(name));
  for (let i = 0; i < 6; i++) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj) && (JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === name) return dir;
    dir = dirname(dir);
  }
  throw new Error(`${name}: its package folder was not found`);
}
