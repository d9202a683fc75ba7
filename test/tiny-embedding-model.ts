import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES } from './helpers.js';

/** Four short texts of distinct meanings, one file each, that the semantic search tests embed and look for. */
export const SEMANTIC_TEXTS: Readonly<Record<string, string>> = {
  'fox.txt': 'The quick brown fox jumps over the lazy dog.',
  'garden.txt': 'Morning music in the city garden.',
  'letter.txt': 'A letter on green paper by the window.',
  'river.txt': 'Water runs over the stone by the river house.',
};

/**
 * A tiny but real sentence-embedding model for tests: the real all-MiniLM-L6-v2 tokenizer files
 * from the fixtures plus an ONNX graph written here, byte by byte. No trained weights exist on
 * this machine (and there is no network), so the graph is a BERT-shaped stand-in:
 *
 *   last_hidden_state = (word_table[input_ids] + type_table[token_type_ids]) * attention_mask
 *
 * It has the three int64 inputs and the float output of an exported BERT, so transformers.js and
 * onnxruntime-node load and run it exactly as they would a real model; mean pooling then makes
 * a bag-of-words vector: identical texts give identical vectors, different words differ.
 */
export const MINILM_FIXTURE_DIR = join(FIXTURES, 'embeddings', 'all-MiniLM-L6-v2');
const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt'];
const VOCAB_SIZE = 30522;

export function buildTinyEmbeddingModel(dir: string, opts: { dims?: number; seed?: number } = {}): void {
  const dims = opts.dims ?? 8;
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  for (const file of TOKENIZER_FILES) copyFileSync(join(MINILM_FIXTURE_DIR, file), join(dir, file));
  // The real config, with the width of this model, so whatever reads hidden_size is told the truth.
  const config = JSON.parse(readFileSync(join(MINILM_FIXTURE_DIR, 'config.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, hidden_size: dims }, null, 2));
  writeFileSync(join(dir, 'onnx', 'model.onnx'), tinyBertOnnx(dims, opts.seed ?? 1));
}

/** The ONNX ModelProto bytes of the stand-in graph above. */
export function tinyBertOnnx(dims: number, seed: number): Buffer {
  const random = lcg(seed);
  const words = new Float32Array(VOCAB_SIZE * dims).map(() => random() * 2 - 1);
  const types = new Float32Array(2 * dims).map(() => (random() * 2 - 1) * 0.01);
  const dynamic = ['batch_size', 'sequence_length'];
  const graph = [
    field(1, node('Gather', ['word_table', 'input_ids'], ['word_emb'])),
    field(1, node('Gather', ['type_table', 'token_type_ids'], ['type_emb'])),
    field(1, node('Add', ['word_emb', 'type_emb'], ['summed'])),
    field(1, node('Cast', ['attention_mask'], ['mask_f'], [attrInt('to', FLOAT)])),
    field(1, node('Unsqueeze', ['mask_f', 'last_axis'], ['mask_3d'])),
    field(1, node('Mul', ['summed', 'mask_3d'], ['last_hidden_state'])),
    field(2, str('tiny_bert')),
    field(5, floatTensor('word_table', [VOCAB_SIZE, dims], words)),
    field(5, floatTensor('type_table', [2, dims], types)),
    field(5, int64Tensor('last_axis', [1], [-1n])),
    field(11, valueInfo('input_ids', INT64, dynamic)),
    field(11, valueInfo('attention_mask', INT64, dynamic)),
    field(11, valueInfo('token_type_ids', INT64, dynamic)),
    field(12, valueInfo('last_hidden_state', FLOAT, [...dynamic, dims])),
  ];
  return Buffer.concat([
    varintField(1, 8n), // ir_version 8 (onnxruntime 1.21 reads up to 10)
    field(2, str('vss-test')), // producer_name
    field(7, Buffer.concat(graph)),
    field(8, Buffer.concat([field(1, str('')), varintField(2, 13n)])), // opset_import: default domain, opset 13
  ]);
}

// ---- a minimal protobuf writer for the few ONNX messages above (onnx/onnx.proto field numbers) ----

const FLOAT = 1;
const INT64 = 7;

function varint(value: bigint): Buffer {
  // Negative int64 values are written as their 64-bit two's complement, as protobuf does.
  let v = value < 0n ? value + (1n << 64n) : value;
  const bytes: number[] = [];
  do {
    const low = Number(v & 0x7fn);
    v >>= 7n;
    bytes.push(v > 0n ? low | 0x80 : low);
  } while (v > 0n);
  return Buffer.from(bytes);
}

function varintField(num: number, value: bigint): Buffer {
  return Buffer.concat([varint(BigInt(num << 3)), varint(value)]);
}

/** A length-delimited field (string, bytes, sub-message, packed repeated). */
function field(num: number, payload: Buffer): Buffer {
  return Buffer.concat([varint(BigInt((num << 3) | 2)), varint(BigInt(payload.length)), payload]);
}

function str(s: string): Buffer {
  return Buffer.from(s, 'utf8');
}

function node(opType: string, inputs: string[], outputs: string[], attributes: Buffer[] = []): Buffer {
  return Buffer.concat([
    ...inputs.map((i) => field(1, str(i))),
    ...outputs.map((o) => field(2, str(o))),
    field(3, str(`${opType}_${outputs[0]}`)),
    field(4, str(opType)),
    ...attributes.map((a) => field(5, a)),
  ]);
}

function attrInt(name: string, value: number): Buffer {
  return Buffer.concat([field(1, str(name)), varintField(3, BigInt(value)), varintField(20, 2n /* AttributeType INT */)]);
}

function tensorHeader(name: string, dims: number[], dataType: number): Buffer {
  return Buffer.concat([...dims.map((d) => varintField(1, BigInt(d))), varintField(2, BigInt(dataType)), field(8, str(name))]);
}

function floatTensor(name: string, dims: number[], values: Float32Array): Buffer {
  // raw_data is little-endian, as ONNX requires; Float32Array is little-endian on every host Node runs on.
  return Buffer.concat([tensorHeader(name, dims, FLOAT), field(9, Buffer.from(values.buffer, values.byteOffset, values.byteLength))]);
}

function int64Tensor(name: string, dims: number[], values: bigint[]): Buffer {
  return Buffer.concat([tensorHeader(name, dims, INT64), field(9, Buffer.from(new BigInt64Array(values).buffer))]);
}

/** ValueInfoProto with a tensor type; a string dimension is symbolic (dim_param), a number fixed. */
function valueInfo(name: string, elemType: number, dims: Array<string | number>): Buffer {
  const shape = Buffer.concat(dims.map((d) => field(1, typeof d === 'string' ? field(2, str(d)) : varintField(1, BigInt(d)))));
  const tensorType = Buffer.concat([varintField(1, BigInt(elemType)), field(2, shape)]);
  return Buffer.concat([field(1, str(name)), field(2, field(1, tensorType))]);
}

/** A small deterministic generator, so a seed always gives the same weights. */
function lcg(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 0x1_0000_0000;
  };
}
