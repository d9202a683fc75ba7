/**
 * Whether an audio track's header is believable, checked before anything is decoded. ffmpeg
 * resamples whatever a header claims to whisper's 16 kHz: a WAV of 16 KB whose header says 1 Hz
 * became 8,192 s of audio (254 MiB of scratch, and whisper still running 10 minutes later). Real
 * recordings have a sample rate, a channel count and a bitrate within known bounds; a header
 * outside them is a lie (or damage), refused with what it claims.
 */
import { formatBinaryBytes } from '../../core/format.js';
import type { ProbeResult, ProbeStream } from '../tools/ffmpeg.js';

/** Telephone speech is 8 kHz and old dictaphones 6; nothing records below 4 kHz (2 kHz of sound). */
export const MIN_SAMPLE_RATE = 4_000;
/** The highest rate studio converters write (DXD is 352.8 kHz). */
export const MAX_SAMPLE_RATE = 768_000;
/** 7th-order ambisonics, the most channels a real recording carries. */
export const MAX_CHANNELS = 64;
/** Below any audio codec's rate (Codec2 goes down to 700 bit/s): a file this small for its duration lies about it. */
export const MIN_BITS_PER_SECOND = 500;

/** What the stream's header claims that no real recording has, or undefined. FILEBYTES: the file's size. */
export function implausibleAudio(audio: Pick<ProbeStream, 'sample_rate' | 'channels' | 'duration'>, format: ProbeResult['format'], fileBytes: number): string | undefined {
  const rate = Number(audio.sample_rate);
  if (audio.sample_rate !== undefined && !(rate >= MIN_SAMPLE_RATE && rate <= MAX_SAMPLE_RATE)) {
    return `a sample rate of ${audio.sample_rate} Hz (real recordings use ${MIN_SAMPLE_RATE.toLocaleString('en')}–${MAX_SAMPLE_RATE.toLocaleString('en')} Hz)`;
  }
  const channels = Number(audio.channels);
  if (audio.channels !== undefined && !(Number.isInteger(channels) && channels >= 1 && channels <= MAX_CHANNELS)) {
    return `${audio.channels} channels (real recordings have 1–${MAX_CHANNELS})`;
  }
  const seconds = Number(format.duration ?? audio.duration);
  if (Number.isFinite(seconds) && seconds > 0 && fileBytes > 0) {
    const bitsPerSecond = (fileBytes * 8) / seconds;
    if (bitsPerSecond < MIN_BITS_PER_SECOND) {
      return `${formatSeconds(seconds)} of sound in ${formatBinaryBytes(fileBytes)} (${Math.round(bitsPerSecond)} bit/s; no audio codec goes below ${MIN_BITS_PER_SECOND})`;
    }
  }
  return undefined;
}

/** 0.002 s, 2.4 s, 11 s, 2 h 16 min. */
export function formatSeconds(s: number): string {
  if (s < 10) return `${Number(s.toPrecision(2))} s`;
  if (s < 3600) return `${Math.round(s)} s`;
  const h = Math.floor(s / 3600);
  return `${h} h ${Math.round((s - h * 3600) / 60)} min`;
}
