/**
 * The `transcript` generator: what is said in an audio file or a video's sound track, as
 * `transcript/default.json`:
 *
 *   { "language": "en", "text": "…", "segments": [{ "start": 0, "end": 4.2, "text": "…" }],
 *     "model": "ggml-base.en.bin", "engine": "whisper.cpp (@napi-rs/whisper 0.0.4)",
 *     "duration": 11, "truncated_at"?: 14400 }
 *
 * Times are seconds from the start. ffmpeg decodes the first audio track to 16 kHz mono PCM in
 * the scratch folder; whisper.cpp runs in a child process (whisper-child.ts says why). The model
 * is the one the user registered (`vss models add whisper PATH`); without one the kind is
 * unavailable — vss never invents a transcript. Audio beyond MAX_AUDIO_SECONDS is not transcribed:
 * the transcript covers the first 4 hours and says so in `truncated_at`.
 *
 * A header no recording could have (1 Hz, 300 channels, an hour in 16 KB: audio-bounds.ts) fails
 * before anything is decoded. Sound in which whisper hears no words — silence, music, a few
 * milliseconds — has no transcript: "no speech" is recorded as the content's answer for this kind
 * (as for a video without sound), not a ready transcript with nothing in it.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TranscriptJson } from '../../wire/sidecar-json.js';
import { ffmpegTools, probeDuration, probeMedia } from '../tools/ffmpeg.js';
import { runTool } from '../tools/run-tool.js';
import type { Availability, GeneratedOutput, Generator, GeneratorContext, GeneratorSettings } from '../types.js';
import { GeneratorError } from '../types.js';
import { formatSeconds, implausibleAudio } from './audio-bounds.js';
import { readWhisperModelInfoSync, WhisperModelError, type WhisperModelInfo } from './model-info.js';
import type { WhisperChildResult, WhisperJob } from './whisper-child.js';

export { readWhisperModelInfo } from './model-info.js';

/** Longest audio transcribed (a day-long recording would hold the queue for many hours). */
export const MAX_AUDIO_SECONDS = 4 * 3600;
/** Audio per whisper call: bounds the child's memory (≈ 75 MB of samples and mel per 20 min). */
const CHUNK_SECONDS = 20 * 60;
/** Less sound than this holds no word (a short "yes" is ~0.2 s): whisper is not asked. */
export const MIN_SPEECH_SECONDS = 0.1;
/** Bytes of one second of what ffmpeg writes for whisper: 16 kHz, mono, 16 bits. */
const PCM_BYTES_PER_SECOND = 16_000 * 2;
const NO_MODEL = 'no speech model installed: run vss models add whisper PATH';

const require = createRequire(import.meta.url);
const WHISPER_VERSION = (require('@napi-rs/whisper/package.json') as { version: string }).version;
const ENGINE = `whisper.cpp (@napi-rs/whisper ${WHISPER_VERSION})`;
const CHILD = fileURLToPath(new URL('./whisper-child.js', import.meta.url));

export type { TranscriptJson };

// The model check reads a few MiB; availability() runs once per job, so remember it per file version.
const modelChecks = new Map<string, { key: string; result: WhisperModelInfo | WhisperModelError }>();

function checkModel(path: string): WhisperModelInfo | WhisperModelError {
  let key: string;
  try {
    const st = statSync(path);
    key = `${st.size}:${st.mtimeMs}`;
  } catch {
    return new WhisperModelError(path, 'no such file');
  }
  const had = modelChecks.get(path);
  if (had?.key === key) return had.result;
  let result: WhisperModelInfo | WhisperModelError;
  try {
    result = readWhisperModelInfoSync(path);
  } catch (err) {
    result = err instanceof WhisperModelError ? err : new WhisperModelError(path, (err as Error).message);
  }
  modelChecks.set(path, { key, result });
  return result;
}

function modelAvailability(settings: GeneratorSettings): Availability {
  const path = settings.models.whisper;
  if (!path) return { ok: false, reason: NO_MODEL };
  if (!existsSync(path)) return { ok: false, reason: `${NO_MODEL} (the registered model ${path} is gone)` };
  const check = checkModel(path);
  if (check instanceof WhisperModelError) return { ok: false, reason: `the speech model ${path} is not usable (${check.message}): run vss models add whisper PATH` };
  return { ok: true };
}

export const transcriptGenerator: Generator<'transcript'> = {
  kind: 'transcript',
  name: 'vss-transcript-whisper',
  version: '1.0.0',

  accepts(content, variant) {
    return variant === 'default' && (content.kind === 'audio' || content.kind === 'video');
  },

  availability: modelAvailability,

  async generate(ctx: GeneratorContext): Promise<GeneratedOutput[]> {
    const out: GeneratedOutput[] = ctx.variants.filter((v) => v !== 'default').map((variant) => ({ variant, skip: `transcript has no variant "${variant}"` }));
    if (!ctx.variants.includes('default')) return out;
    const made = await transcribe(ctx);
    out.push(typeof made === 'string'
      ? { variant: 'default', skip: made }
      : { variant: 'default', format: 'json', data: Buffer.from(`${JSON.stringify(made)}\n`, 'utf8') });
    return out;
  },
};

/** The transcript, or the reason there is nothing to transcribe. */
async function transcribe(ctx: GeneratorContext): Promise<TranscriptJson | string> {
  const { path } = ctx.source;
  // The runner asks availability() first; reaching here without a usable model is a setup error.
  const available = modelAvailability(ctx.settings);
  if (!available.ok) throw new GeneratorError(`${path}: ${available.reason}`, { permanent: true, path });
  const model = ctx.settings.models.whisper!;
  const fail = (what: string, err: unknown) => new GeneratorError(`${path}: ${what}: ${err instanceof Error ? err.message : String(err)}`, {
    permanent: err instanceof GeneratorError ? err.permanent : true, path, cause: err,
  });

  let probe: Awaited<ReturnType<typeof probeMedia>>;
  try {
    probe = await probeMedia(path, ctx.signal);
  } catch (err) {
    throw fail('cannot read the media', err);
  }
  const audio = probe.streams.find((s) => s.codec_type === 'audio');
  if (!audio) return 'no audio track';
  const implausible = implausibleAudio(audio, probe.format, ctx.source.size);
  if (implausible) throw new GeneratorError(`${path}: the audio's header is not believable: it claims ${implausible}`, { permanent: true, path });
  const duration = probeDuration(probe);
  const truncated = duration !== undefined && duration > MAX_AUDIO_SECONDS;

  // 1. Decode the first audio track to raw 16 kHz mono 16-bit PCM (half the bytes of f32; whisper reads 16-bit anyway).
  const pcm = join(ctx.scratchDir, 'audio.s16le');
  const decodeTimeout = Math.min(ctx.timeoutMs, 60_000 + Math.min(duration ?? MAX_AUDIO_SECONDS, MAX_AUDIO_SECONDS) * 250);
  try {
    await runTool(ffmpegTools().ffmpeg, [
      '-hide_banner', '-nostdin', '-v', 'error', '-y', '-i', `file:${path}`,
      '-map', `0:${audio.index}`, '-vn', '-sn', '-dn', '-ac', '1', '-ar', '16000', '-t', String(MAX_AUDIO_SECONDS),
      '-f', 's16le', '-acodec', 'pcm_s16le', `file:${pcm}`,
    ], { signal: ctx.signal, timeoutMs: decodeTimeout });
  } catch (err) {
    throw fail('ffmpeg could not decode the audio', err);
  }
  const soundSeconds = statSync(pcm).size / PCM_BYTES_PER_SECOND;
  if (soundSeconds < MIN_SPEECH_SECONDS) return `no speech: only ${formatSeconds(soundSeconds)} of sound`;

  // 2. Speech to text in a child process that can be killed (and may crash) on its own.
  const resultFile = join(ctx.scratchDir, 'whisper-result.json');
  const job: WhisperJob = { model, audio: pcm, out: resultFile, threads: Math.max(1, ctx.settings.threads), chunkSeconds: CHUNK_SECONDS };
  try {
    await runTool(process.execPath, [CHILD, JSON.stringify(job)], { signal: ctx.signal, timeoutMs: ctx.timeoutMs, maxStdoutBytes: 16 * 1024 * 1024 });
  } catch (err) {
    const crashed = /SIGABRT|SIGSEGV|SIGBUS|SIGILL|GGML_ASSERT|terminate called/.test(err instanceof Error ? err.message : '');
    throw fail(crashed ? `whisper.cpp crashed with the model ${model} (damaged model file?)` : `whisper.cpp failed with the model ${model}`, err);
  }
  let r: WhisperChildResult;
  try {
    r = JSON.parse(readFileSync(resultFile, 'utf8')) as WhisperChildResult;
  } catch (err) {
    throw fail('whisper gave no readable result', err);
  }

  return transcriptOf(r, basename(model), truncated);
}

/**
 * What whisper heard as the transcript sidecar, or, when it heard no words, the reason there is
 * none. Segments that are only a bracketed note (whisper writes "[BLANK_AUDIO]", "(music)" for
 * sound without speech) carry no words and are left out.
 */
export function transcriptOf(r: WhisperChildResult, model: string, truncated: boolean): TranscriptJson | string {
  const segments = r.segments.filter((s) => s.text !== '' && !/^[[(][^\])]*[\])]$/.test(s.text));
  if (segments.length === 0) return `no speech heard in ${formatSeconds(r.duration)} of audio`;
  const json: TranscriptJson = {
    language: r.language,
    text: segments.map((s) => s.text).join(' '),
    segments,
    model,
    engine: ENGINE,
    duration: r.duration,
  };
  if (truncated) json.truncated_at = MAX_AUDIO_SECONDS;
  return json;
}
