/**
 * `node whisper-child.js JOB_JSON`: speech to text of one 16 kHz mono s16le file with whisper.cpp
 * (@napi-rs/whisper), in a process of its own. Why not a worker thread: whisper.cpp abort()s the
 * process on a damaged model (GGML_ASSERT), which would take the job runner down with it, and
 * `full()` is native code that a worker's terminate() cannot interrupt — a child process can
 * always be killed on timeout or cancel.
 *
 * The audio is fed in chunks so memory stays flat whatever the length; timestamps are shifted by
 * each chunk's start. The result goes to `out` as JSON (stdout may carry the engine's own prints).
 */
import { closeSync, openSync, readSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import type { Segment } from '@napi-rs/whisper';

export interface WhisperJob {
  model: string;
  /** Raw 16 kHz mono signed 16-bit little-endian samples. */
  audio: string;
  /** Where the result JSON is written. */
  out: string;
  threads: number;
  /** Seconds of audio per whisper call. */
  chunkSeconds: number;
}

export interface WhisperChildResult {
  language: string;
  /** Seconds of audio read. */
  duration: number;
  segments: Array<{ start: number; end: number; text: string }>;
}

const SAMPLE_RATE = 16_000;
/** whisper.cpp skips input shorter than 1 s (100 mel frames): pad such audio with silence. */
const MIN_SAMPLES = SAMPLE_RATE + SAMPLE_RATE / 10;

type WhisperModule = typeof import('@napi-rs/whisper');

/** The next chunk as float samples (padded with silence to whisper's minimum), and how many were real. */
function readChunk(fd: number, bytes: Buffer): { samples: Float32Array; real: number } | undefined {
  let got = 0;
  while (got < bytes.length) {
    const n = readSync(fd, bytes, got, bytes.length - got, null);
    if (n === 0) break;
    got += n;
  }
  const real = Math.floor(got / 2);
  if (real === 0) return undefined;
  const samples = new Float32Array(Math.max(real, MIN_SAMPLES));
  for (let i = 0; i < real; i++) samples[i] = bytes.readInt16LE(2 * i) / 32768;
  return { samples, real };
}

/**
 * A segment of one chunk on the file's time line, in seconds (ms precision). whisper.cpp counts
 * segment times in centiseconds (`whisper_full_get_segment_t0/t1`, 10 ms units; the binding passes
 * them through); they are clamped to the chunk's real audio, as padding may stretch the last one.
 */
export function segmentInSeconds(s: Segment, chunkStart: number, chunkSeconds: number): WhisperChildResult['segments'][number] {
  const endOfChunk = chunkStart + chunkSeconds;
  const start = Math.min(chunkStart + s.start / 100, endOfChunk);
  const end = Math.min(Math.max(chunkStart + s.end / 100, start), endOfChunk);
  return { start: Math.round(start * 1000) / 1000, end: Math.round(end * 1000) / 1000, text: s.text.trim() };
}

const squash = (s: string) => s.replace(/\s+/g, '');

export async function transcribe(job: WhisperJob): Promise<WhisperChildResult> {
  const require = createRequire(import.meta.url);
  const { Whisper, WhisperFullParams, WhisperSamplingStrategy } = require('@napi-rs/whisper') as WhisperModule;
  const whisper = new Whisper(job.model);
  const multilingual = whisper.isMultilingual !== 0;
  let language = multilingual ? 'auto' : 'en';
  const segments: WhisperChildResult['segments'] = [];
  const fd = openSync(job.audio, 'r');
  const bytes = Buffer.alloc(Math.round(job.chunkSeconds * SAMPLE_RATE) * 2);
  let offset = 0;
  try {
    for (;;) {
      const chunk = readChunk(fd, bytes);
      if (!chunk) break;
      const realSeconds = chunk.real / SAMPLE_RATE;
      const got: Segment[] = [];
      const params = new WhisperFullParams(WhisperSamplingStrategy.Greedy);
      params.nThreads = Math.max(1, job.threads);
      params.language = language;
      params.printProgress = false;
      params.printRealtime = false;
      params.printTimestamps = false;
      params.printSpecial = false;
      params.onNewSegment = (s) => { got.push(s); };
      const text = whisper.full(params, chunk.samples);
      // Segments arrive through a thread-safe callback queued during full(): let the loop deliver them.
      for (let i = 0; i < 200 && squash(got.map((s) => s.text).join('')) !== squash(text); i++) await sleep(i === 0 ? 0 : 10);
      if (language === 'auto') language = Whisper.lang(whisper.fullLangId) ?? 'auto';
      for (const s of got) segments.push(segmentInSeconds(s, offset, realSeconds));
      offset += realSeconds;
      if (chunk.real * 2 < bytes.length) break;
    }
  } finally {
    closeSync(fd);
  }
  return { language: language === 'auto' ? 'und' : language, duration: Math.round(offset * 1000) / 1000, segments };
}

async function main(): Promise<void> {
  const job = JSON.parse(process.argv[2] ?? '') as WhisperJob;
  const result = await transcribe(job);
  writeFileSync(job.out, JSON.stringify(result));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    // The engine's thread-safe callbacks keep the loop alive: leave explicitly.
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(2);
    },
  );
}
