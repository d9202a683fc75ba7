import { readFile } from 'node:fs/promises';
import { MAX_CHUNKS } from '../../generators/embeddings/embeddings-generator.js';
import type { Library } from '../../library/library.js';
import { PathRefusedError } from '../../library/confine.js';
import { SIDECAR_KINDS } from '../../sidecars/kinds.js';
import { sidecarFile } from '../../sidecars/sidecar-file.js';
import type { IndexedChunk, SemanticLocator } from './vector-index.js';

/**
 * An embeddings file larger than this is not read: the kinds table's bound, or 64 MiB if less.
 * The generator's largest file (512 chunks of ~1.5 kB of text and a 4096-wide vector, ~11 bytes a
 * number) is ~25 MiB; a bigger one is not ours, and the index reads several at once.
 */
export const MAX_EMBEDDINGS_BYTES = Math.min(SIDECAR_KINDS.embeddings.maxBytes, 64 * 1024 ** 2);
/** A result shows this much of its chunk; the rest is not kept in memory. */
export const SNIPPET_CHARS = 240;
/** A vector whose length is further than this from 1 is made of length 1 here (a peer's file, an old writer). */
const NORM_SLACK = 1e-3;

export type EmbeddingsRead =
  | { state: 'ready'; chunks: IndexedChunk[] }
  /** No ready file here: nothing to hold, nothing to say. */
  | { state: 'none' }
  /** A file that cannot be used; REASON says why (it is logged and skipped). */
  | { state: 'bad'; path: string; reason: string };

/**
 * The chunks of CONTENTUUID's ready embeddings/VARIANT sidecar, read through the library's
 * confinement and checked: its size, its model, DIMS numbers per vector, at most the generator's
 * number of chunks.
 */
export async function readEmbeddings(lib: Library, contentUuid: string, variant: string, dims: number): Promise<EmbeddingsRead> {
  const f = sidecarFile(lib, contentUuid, 'embeddings', variant);
  if (f.state !== 'ready') return { state: 'none' };
  if (f.size > MAX_EMBEDDINGS_BYTES) return { state: 'bad', path: f.path, reason: `${f.size} bytes, more than the ${MAX_EMBEDDINGS_BYTES} read for search` };
  let text: string;
  try {
    const bytes = await readFile(f.path);
    if (bytes.length > MAX_EMBEDDINGS_BYTES) return { state: 'bad', path: f.path, reason: `it grew to ${bytes.length} bytes while read` };
    text = bytes.toString('utf8');
  } catch (err) {
    // Gone since the row said ready: nothing to hold. Any other failure (EACCES, EIO, refused) is said, with the path.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'none' };
    if (err instanceof PathRefusedError || (err as NodeJS.ErrnoException).code !== undefined) return { state: 'bad', path: f.path, reason: (err as Error).message };
    throw err;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { state: 'bad', path: f.path, reason: `not JSON: ${(err as Error).message}` };
  }
  const checked = checkEmbeddings(doc, variant, dims);
  return typeof checked === 'string' ? { state: 'bad', path: f.path, reason: checked } : { state: 'ready', chunks: checked };
}

/** DOC as chunks to index, or what is wrong with it. */
export function checkEmbeddings(doc: unknown, variant: string, dims: number): IndexedChunk[] | string {
  if (typeof doc !== 'object' || doc === null) return 'not an embeddings object';
  const e = doc as { model?: unknown; dims?: unknown; chunks?: unknown };
  if (e.model !== variant) return `made by model ${JSON.stringify(e.model)}, not ${JSON.stringify(variant)}`;
  if (e.dims !== dims) return `vectors of ${JSON.stringify(e.dims)} numbers where the model now gives ${dims} (made by an earlier model of this name?)`;
  if (!Array.isArray(e.chunks)) return 'no chunks list';
  if (e.chunks.length > MAX_CHUNKS) return `${e.chunks.length} chunks, more than the ${MAX_CHUNKS} a content has`;
  const out: IndexedChunk[] = [];
  for (const [i, c] of (e.chunks as unknown[]).entries()) {
    const chunk = c as { text?: unknown; vector?: unknown; start?: unknown; end?: unknown } | null;
    const v = chunk?.vector;
    if (!Array.isArray(v) || v.length !== dims) return `chunk ${i} has no vector of ${dims} numbers`;
    const vector = new Float32Array(dims);
    let sq = 0;
    for (let d = 0; d < dims; d++) {
      const x = v[d] as unknown;
      if (typeof x !== 'number' || !Number.isFinite(x)) return `chunk ${i} has ${JSON.stringify(x)} in its vector`;
      vector[d] = x;
      sq += x * x;
    }
    const norm = Math.sqrt(sq);
    if (norm === 0) return `chunk ${i} has a vector of zeros`;
    if (Math.abs(norm - 1) > NORM_SLACK) for (let d = 0; d < dims; d++) vector[d] = vector[d]! / norm;
    const locator: SemanticLocator = { chunk: i };
    if (Number.isInteger(chunk!.start) && Number.isInteger(chunk!.end)) {
      locator.start = chunk!.start as number;
      locator.end = chunk!.end as number;
    }
    const snippet = typeof chunk!.text === 'string' ? chunk!.text.slice(0, SNIPPET_CHARS) + (chunk!.text.length > SNIPPET_CHARS ? '…' : '') : '';
    out.push({ vector, snippet, locator });
  }
  return out;
}
