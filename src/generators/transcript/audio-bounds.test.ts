import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSeconds, implausibleAudio } from './audio-bounds.js';

const wav = (sample_rate: string, channels: number, seconds: number) => [{ sample_rate, channels }, { duration: String(seconds) }] as const;

test('real recordings pass: telephone, CD, studio, surround, a long low-bitrate podcast', () => {
  assert.equal(implausibleAudio(...wav('8000', 1, 60), 60 * 16_000), undefined);
  assert.equal(implausibleAudio(...wav('44100', 2, 11), 11 * 176_400), undefined);
  assert.equal(implausibleAudio(...wav('384000', 2, 1), 3_072_000), undefined);
  assert.equal(implausibleAudio(...wav('48000', 12, 10), 10 * 64_000), undefined);
  // Four hours of 6 kbit/s Opus.
  assert.equal(implausibleAudio(...wav('48000', 1, 4 * 3600), 4 * 3600 * 750), undefined);
  // A header that says nothing is not held against the file.
  assert.equal(implausibleAudio({}, {}, 1000), undefined);
});

test('what no recording has is named', () => {
  assert.equal(implausibleAudio(...wav('1', 1, 8170), 16_384), 'a sample rate of 1 Hz (real recordings use 4,000–768,000 Hz)');
  assert.equal(implausibleAudio(...wav('4000000', 64, 1), 1e6), 'a sample rate of 4000000 Hz (real recordings use 4,000–768,000 Hz)');
  assert.equal(implausibleAudio(...wav('48000', 0, 1), 1e6), '0 channels (real recordings have 1–64)');
  assert.equal(implausibleAudio(...wav('48000', 300, 1), 1e6), '300 channels (real recordings have 1–64)');
  // An MP4 whose header multiplied its duration by 1000: 128 kbit/s becomes 128 bit/s.
  assert.equal(implausibleAudio(...wav('44100', 2, 11_000), 176_000), '3 h 3 min of sound in 172 KiB (128 bit/s; no audio codec goes below 500)');
});

test('seconds as people read them', () => {
  assert.deepEqual([0.002, 2.41, 11, 599.6, 8170].map(formatSeconds), ['0.002 s', '2.4 s', '11 s', '600 s', '2 h 16 min']);
});
