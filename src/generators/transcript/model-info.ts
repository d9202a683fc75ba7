/**
 * Validation of a whisper.cpp ggml model file before anything loads it. whisper.cpp trusts the
 * file: implausible numbers in its header make it abort() the whole process (GGML_ASSERT,
 * uncaught C++ exceptions — seen with a bad n_mels, ftype, n_fft or n_vocab), so `vss models add
 * whisper PATH` and the transcript generator check the header, the mel filters and the
 * vocabulary here with bounded reads. (The generator still loads models in a child process, as a
 * damaged tensor further in can crash it too.)
 *
 * Layout (whisper.cpp `whisper_model_load`, all little-endian): u32 magic "ggml"; 11 × i32
 * hparams (n_vocab, n_audio_ctx, n_audio_state, n_audio_head, n_audio_layer, n_text_ctx,
 * n_text_state, n_text_head, n_text_layer, n_mels, ftype); i32 n_mel, i32 n_fft and
 * n_mel × n_fft f32 mel filters; i32 word count, then each word as u32 length + bytes; then tensors.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';

export const GGML_MAGIC = 0x67676d6c;
const HEADER_BYTES = 4 + 11 * 4;
/** WHISPER_N_FFT / 2 + 1: the only filter width whisper.cpp computes with. */
const N_FFT_BINS = 201;
const MAX_VOCAB = 100_000;
const MAX_WORD_BYTES = 1024;
const MAX_VOCAB_BYTES = 4 * 1024 * 1024;
/** ftype % 1000 values whisper.cpp maps to a tensor type (others hit GGML_ASSERT). */
const FTYPES: Readonly<Record<number, string>> = {
  0: 'f32', 1: 'f16', 2: 'q4_0', 3: 'q4_1', 7: 'q8_0', 8: 'q5_0', 9: 'q5_1',
  10: 'q2_k', 11: 'q3_k', 12: 'q4_k', 13: 'q5_k', 14: 'q6_k',
};
/** Model sizes by encoder depth (and large-v3-turbo by its 4-layer decoder). */
const SIZES: Readonly<Record<number, string>> = { 4: 'tiny', 6: 'base', 12: 'small', 24: 'medium', 32: 'large' };

export interface WhisperModelInfo {
  file: string;
  /** tiny, base, small, medium, large, large-v3, large-v3-turbo, or "custom". */
  type: string;
  languages: 'english-only' | 'multilingual';
  ftype: string;
  vocab: number;
  mels: number;
  audio_layers: number;
  text_layers: number;
  /** Bytes of tensors after the vocabulary; 0 for whisper.cpp's empty test models. */
  weights_bytes: number;
  /** A one-line note when the file loads but cannot transcribe (no weights). */
  note?: string;
}

/** What is wrong with a model file; the message is the reason alone, the path is a field. */
export class WhisperModelError extends Error {
  constructor(readonly path: string, reason: string) {
    super(reason);
    this.name = 'WhisperModelError';
  }
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return buf.subarray(0, got);
}

/** Read and check a model file synchronously (bounded: a few MiB at most). Throws WhisperModelError. */
export function readWhisperModelInfoSync(path: string): WhisperModelInfo {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new WhisperModelError(path, (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new WhisperModelError(path, 'not a regular file');
    const size = st.size;
    const bad = (why: string) => new WhisperModelError(path, why);
    const head = readAt(fd, 0, HEADER_BYTES);
    if (head.length < HEADER_BYTES) throw bad(`only ${size} bytes, too short for a ggml header`);
    const magic = head.readUInt32LE(0);
    if (magic !== GGML_MAGIC) {
      const gguf = head.subarray(0, 4).toString('latin1') === 'GGUF';
      throw bad(gguf ? 'a GGUF file (llama.cpp format); whisper.cpp needs a ggml .bin such as ggml-base.en.bin' : 'no ggml magic at the start (not a whisper.cpp model)');
    }
    const h = Array.from({ length: 11 }, (_, i) => head.readInt32LE(4 + 4 * i));
    const [nVocab, nAudioCtx, nAudioState, nAudioHead, nAudioLayer, nTextCtx, nTextState, nTextHead, nTextLayer, nMels, ftypeRaw] = h as [number, number, number, number, number, number, number, number, number, number, number];
    const inRange = (name: string, v: number, lo: number, hi: number) => {
      if (!(v >= lo && v <= hi)) throw bad(`header field ${name} = ${v} is outside ${lo}..${hi}`);
    };
    inRange('n_vocab', nVocab, 1000, MAX_VOCAB);
    inRange('n_audio_ctx', nAudioCtx, 1, 10_000);
    inRange('n_audio_state', nAudioState, 1, 16_384);
    inRange('n_audio_head', nAudioHead, 1, 256);
    inRange('n_audio_layer', nAudioLayer, 1, 256);
    inRange('n_text_ctx', nTextCtx, 1, 10_000);
    inRange('n_text_state', nTextState, 1, 16_384);
    inRange('n_text_head', nTextHead, 1, 256);
    inRange('n_text_layer', nTextLayer, 1, 256);
    inRange('n_mels', nMels, 1, 512);
    if (nAudioState % nAudioHead !== 0 || nTextState % nTextHead !== 0) throw bad('the attention heads do not divide the state size');
    const ftype = FTYPES[ftypeRaw % 1000];
    if (ftype === undefined || ftypeRaw < 0 || Math.floor(ftypeRaw / 1000) > 100) throw bad(`unknown tensor type (ftype ${ftypeRaw})`);

    const mel = readAt(fd, HEADER_BYTES, 8);
    if (mel.length < 8) throw bad('truncated before the mel filters');
    const nMel = mel.readInt32LE(0);
    const nFft = mel.readInt32LE(4);
    if (nMel !== nMels || nFft !== N_FFT_BINS) throw bad(`mel filters are ${nMel}×${nFft}, expected ${nMels}×${N_FFT_BINS}`);
    const vocabAt = HEADER_BYTES + 8 + nMel * nFft * 4;
    if (vocabAt + 4 > size) throw bad('truncated inside the mel filters');

    const vocab = readAt(fd, vocabAt, Math.min(MAX_VOCAB_BYTES, size - vocabAt));
    const words = vocab.readInt32LE(0);
    if (!(words > 0 && words <= nVocab)) throw bad(`the vocabulary holds ${words} words for n_vocab ${nVocab}`);
    let at = 4;
    for (let i = 0; i < words; i++) {
      if (at + 4 > vocab.length) throw bad(vocab.length === MAX_VOCAB_BYTES ? 'vocabulary larger than 4 MiB' : `truncated inside the vocabulary (word ${i} of ${words})`);
      const len = vocab.readUInt32LE(at);
      if (len > MAX_WORD_BYTES) throw bad(`vocabulary word ${i} claims ${len} bytes`);
      at += 4 + len;
    }
    if (at > vocab.length) throw bad('truncated inside the vocabulary');
    const weights = size - (vocabAt + at);

    const multilingual = nVocab >= 51865;
    let type = SIZES[nAudioLayer] ?? 'custom';
    if (type === 'large' && nMels === 128) type = nTextLayer === 4 ? 'large-v3-turbo' : 'large-v3';
    const info: WhisperModelInfo = {
      file: basename(path),
      type: multilingual || type === 'custom' ? type : `${type}.en`,
      languages: multilingual ? 'multilingual' : 'english-only',
      ftype,
      vocab: nVocab,
      mels: nMels,
      audio_layers: nAudioLayer,
      text_layers: nTextLayer,
      weights_bytes: weights,
    };
    if (weights === 0) info.note = 'no weights (a whisper.cpp test model): it loads and runs but transcribes nothing';
    return info;
  } finally {
    closeSync(fd);
  }
}

/** For `vss models add whisper PATH`: the model's description, or a WhisperModelError saying what is wrong. */
export async function readWhisperModelInfo(path: string): Promise<WhisperModelInfo> {
  return readWhisperModelInfoSync(path);
}
