import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { VARIANT_RE } from '../../sidecars/kinds.js';

/**
 * A sentence-embedding model in a local folder, laid out as on the Hugging Face hub:
 * config.json, tokenizer.json, tokenizer_config.json and an ONNX export in onnx/ (or beside them).
 * vss never downloads one: the user registers a folder with `vss models add embeddings DIR`.
 */

/** The ONNX files we can run, best first: full precision, then the 8-bit quantized export. */
const ONNX_CANDIDATES = [
  { subfolder: 'onnx', file: 'model.onnx', dtype: 'fp32' },
  { subfolder: 'onnx', file: 'model_quantized.onnx', dtype: 'q8' },
  { subfolder: '', file: 'model.onnx', dtype: 'fp32' },
  { subfolder: '', file: 'model_quantized.onnx', dtype: 'q8' },
] as const;

export interface OnnxFile {
  /** Folder of the ONNX file relative to the model dir ('' for the dir itself). */
  subfolder: string;
  /** transformers.js dtype that selects this file (fp32 → model.onnx, q8 → model_quantized.onnx). */
  dtype: 'fp32' | 'q8';
  path: string;
}

export interface EmbeddingsModelInfo {
  /** The id to register the model under, already a valid sidecar variant (e.g. all-minilm-l6-v2). */
  id: string;
  /** The absolute model folder. */
  dir: string;
  /** Vector width from config.json's hidden_size, when it says. */
  dims?: number;
  onnx: OnnxFile;
}

/** The first usable ONNX file of DIR, or undefined. Cheap: stats only. */
export function findOnnxFile(dir: string): OnnxFile | undefined {
  for (const c of ONNX_CANDIDATES) {
    const path = join(dir, c.subfolder, c.file);
    if (isFile(path)) return { subfolder: c.subfolder, dtype: c.dtype, path };
  }
  return undefined;
}

/** Why DIR cannot be used as an embeddings model (files missing), or undefined if it can. Stats only. */
export function modelDirProblem(dir: string): string | undefined {
  if (!existsSync(dir)) return `model folder ${dir} does not exist`;
  for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) {
    if (!isFile(join(dir, f))) return `model folder ${dir} has no ${f}`;
  }
  if (!findOnnxFile(dir)) return `model folder ${dir} has no onnx/model.onnx or onnx/model_quantized.onnx`;
  return undefined;
}

/**
 * Check a model folder before it is registered and propose its id: the files are there, the JSON
 * parses, and the ONNX file is a model rather than a Git LFS pointer or a saved web page (both
 * are common results of a careless download). Throws an Error with the path and the reason.
 */
export function readEmbeddingsModelInfo(dirArg: string): EmbeddingsModelInfo {
  const dir = resolve(dirArg);
  const problem = modelDirProblem(dir);
  if (problem) throw new Error(problem);
  const config = readJsonObject(join(dir, 'config.json'));
  readJsonObject(join(dir, 'tokenizer_config.json'));
  const tokenizer = readJsonObject(join(dir, 'tokenizer.json'));
  if (typeof tokenizer.model !== 'object' || tokenizer.model === null) throw new Error(`${join(dir, 'tokenizer.json')} is not a tokenizers file (no "model")`);
  const onnx = findOnnxFile(dir)!;
  checkOnnxBytes(onnx.path);
  const hidden = config.hidden_size ?? config.d_model ?? config.dim;
  const dims = typeof hidden === 'number' && Number.isInteger(hidden) && hidden > 0 ? hidden : undefined;
  return { id: modelIdFor(dir, config), dir, ...(dims ? { dims } : {}), onnx };
}

/**
 * The variant name of a model id: lowercase, and only the characters a sidecar variant may hold.
 * Registered ids go through this too, so "all-MiniLM-L6-v2" and its variant always agree.
 */
export function modelVariant(id: string): string {
  const v = id
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9@._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 128)
    .replace(/[^a-z0-9]+$/, '');
  if (!VARIANT_RE.test(v)) throw new Error(`model id ${JSON.stringify(id)} gives no usable name (letters or digits needed)`);
  return v;
}

/**
 * The model's own name when config.json carries it ("sentence-transformers/all-MiniLM-L6-v2" →
 * all-minilm-l6-v2): a hub cache snapshot folder is named by a commit hash, not by the model.
 */
function modelIdFor(dir: string, config: Record<string, unknown>): string {
  const named = typeof config._name_or_path === 'string' ? config._name_or_path.split(/[\\/]/).filter(Boolean).pop() : undefined;
  if (named) {
    try {
      return modelVariant(named);
    } catch {
      /* fall back to the folder's name */
    }
  }
  return modelVariant(basename(dir));
}

function checkOnnxBytes(path: string): void {
  const size = statSync(path).size;
  const head = Buffer.alloc(Math.min(size, 200));
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  const text = head.toString('latin1');
  if (text.startsWith('version https://git-lfs')) throw new Error(`${path} is a Git LFS pointer, not the model: fetch the real file (git lfs pull)`);
  if (/^\s*(<|\{|Found|Redirect|Moved)/i.test(text)) throw new Error(`${path} is a text or web page, not an ONNX model`);
  // Deeper checks are onnxruntime's: a truncated model fails on first use with its own reason.
  if (size < 64) throw new Error(`${path} is not an ONNX model (only ${size} bytes)`);
}

function readJsonObject(path: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${path} does not hold a JSON object`);
  return value as Record<string, unknown>;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
