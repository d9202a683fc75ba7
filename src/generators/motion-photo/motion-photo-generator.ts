/**
 * The `live_photo_video/embedded` generator: the movie inside a Google or Samsung motion photo,
 * cut out byte for byte (no re-encode) into a managed sidecar. locate.ts finds where the file
 * says the movie is and checks that an MP4 starts there; the copied range must then be readable
 * by ffprobe with a video stream, or the job fails permanently with the reason.
 */
import { closeSync, createReadStream, createWriteStream, fstatSync, openSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { probeDuration, probeMedia } from '../tools/ffmpeg.js';
import type { Availability, GeneratedOutput, Generator, GeneratorContext } from '../types.js';
import { GeneratorError } from '../types.js';
import { locateEmbeddedVideo, type Located } from './locate.js';
import { looksLikeMotionPhoto } from '../../media/motion-photo-tags.js';

export { looksLikeMotionPhoto };

const MIMES = new Set(['image/jpeg', 'image/jpg', 'image/pjpeg', 'image/heic', 'image/heif']);

export const motionPhotoGenerator: Generator<'live_photo_video'> = {
  kind: 'live_photo_video',
  name: 'vss-motion-photo',
  version: '1.0.0',

  accepts(content, variant) {
    return variant === 'embedded' && content.kind === 'image' && MIMES.has(content.mime.toLowerCase()) && looksLikeMotionPhoto(content.metadata) !== false;
  },

  availability(): Availability {
    return { ok: true };
  },

  async generate(ctx: GeneratorContext): Promise<GeneratedOutput[]> {
    const out: GeneratedOutput[] = ctx.variants
      .filter((v) => v !== 'embedded')
      .map((variant) => ({ variant, skip: variant === 'original' ? 'the original movie is a reference, never made' : `live_photo_video has no variant "${variant}"` }));
    if (ctx.variants.includes('embedded')) out.push(await extract(ctx));
    return out;
  },
};

async function extract(ctx: GeneratorContext): Promise<GeneratedOutput> {
  const { path } = ctx.source;
  let located: Located;
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new GeneratorError(`${path}: cannot open: ${(err as Error).message}`, { permanent: false, path, cause: err });
  }
  try {
    located = locateEmbeddedVideo(fd, fstatSync(fd).size);
  } finally {
    closeSync(fd);
  }
  if (located.state === 'none') return { variant: 'embedded', skip: 'not a motion photo' };
  if (located.state === 'off') return { variant: 'embedded', skip: 'motion turned off in this photo (MotionPhoto=0)' };
  if (located.state === 'unreadable') {
    throw new GeneratorError(`${path}: cannot tell whether it holds a movie: ${located.reason}`, { permanent: true, path });
  }
  if (located.state === 'invalid') {
    throw new GeneratorError(`${path}: declares an embedded movie that is not there: ${located.reasons.join('; ')}`, { permanent: true, path });
  }
  const { video } = located;
  const format = video.brand === 'qt  ' ? 'mov' : 'mp4';
  const file = ctx.tempFileFor('embedded', format);
  // Exactly the declared bytes, streamed: the movie is never held in memory.
  await pipeline(
    createReadStream(path, { start: video.start, end: video.start + video.length - 1 }),
    createWriteStream(file),
    { signal: ctx.signal },
  );
  let probe: Awaited<ReturnType<typeof probeMedia>>;
  try {
    probe = await probeMedia(file, ctx.signal);
  } catch (err) {
    throw new GeneratorError(`${path}: the movie at byte ${video.start} (${video.via}) is unreadable: ${(err as Error).message}`, { permanent: true, path, cause: err });
  }
  if (!probe.streams.some((s) => s.codec_type === 'video') || probeDuration(probe) === undefined) {
    throw new GeneratorError(`${path}: the movie at byte ${video.start} (${video.via}) has no playable video stream`, { permanent: true, path });
  }
  return { variant: 'embedded', format, file };
}
