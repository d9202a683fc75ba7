import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FIXTURES, FIXTURES_SKIP, tempDir } from '../../../test/helpers.js';
import { ffmpegTools } from '../tools/ffmpeg.js';
import { runTool } from '../tools/run-tool.js';
import { ALL_VARIANTS, assertThumb, bytesOf, makeThumbs, meanLuma, watchDecodes } from '../../../test/thumb-support.js';

const tmp = tempDir('vss-thumb-video-');
after(() => tmp.cleanup());

/** Videos with their display size (ffprobe). */
const VIDEOS: Array<[string, string, number, number]> = [
  ['video/photoprism-blue-go-video.mp4', 'video/mp4', 270, 480],
  ['video/photoprism-christmas-noaudio.mp4', 'video/mp4', 640, 416],
  ['livephoto/apple-iphone6s/train.mov', 'video/quicktime', 1440, 1080],
];

for (const [file, mime, w, h] of VIDEOS) {
  test(`${file}: a frame that is not black, every variant, never enlarged`, { skip: FIXTURES_SKIP }, async () => {
    const path = join(FIXTURES, file);
    const { value: out, seen } = await watchDecodes(path, () => makeThumbs(path, 'video', mime, ALL_VARIANTS));
    assert.equal(seen.frameGrabs, 1, 'one frame taken for every variant');
    for (const v of ALL_VARIANTS) await assertThumb(bytesOf(out, v), v, w, h, file);
    const luma = await meanLuma(bytesOf(out, 'grid@1x').data);
    assert.ok(luma > 30, `${file}: the frame is nearly black (mean luma ${luma.toFixed(1)})`);
  });
}

test('a video with rotation metadata comes out turned (ffmpeg autorotates)', { skip: FIXTURES_SKIP }, async () => {
  // The 640×416 clip, remuxed with a 90° display rotation: shown as 416×640.
  const rotated = join(tmp.path, 'rotated.mp4');
  await runTool(ffmpegTools().ffmpeg, ['-v', 'error', '-y', '-i', join(FIXTURES, 'video/photoprism-christmas-noaudio.mp4'), '-c', 'copy', '-metadata:s:v:0', 'rotate=90', rotated], {
    signal: new AbortController().signal, timeoutMs: 30_000,
  });
  const out = await makeThumbs(rotated, 'video', 'video/mp4', ['grid@2x']);
  await assertThumb(bytesOf(out, 'grid@2x'), 'grid@2x', 416, 640, 'rotated.mp4');
});

test('a file without a video stream (audio labelled video/mp4, cover art or not) is skipped, not failed', { skip: FIXTURES_SKIP }, async () => {
  // The same speech with a cover picture: an "attached picture" video stream, not a video.
  const cover = join(tmp.path, 'cover.png');
  const withCover = join(tmp.path, 'with-cover.mp3');
  const ff = (args: string[]) => runTool(ffmpegTools().ffmpeg, ['-v', 'error', '-y', ...args], { signal: new AbortController().signal, timeoutMs: 30_000 });
  await ff(['-f', 'lavfi', '-i', 'testsrc=s=300x300:d=1', '-frames:v', '1', cover]);
  await ff(['-i', join(FIXTURES, 'audio/jfk.mp3'), '-i', cover, '-map', '0:a', '-map', '1:v', '-c:a', 'copy', '-c:v', 'png', '-disposition:v', 'attached_pic', withCover]);
  for (const file of [join(FIXTURES, 'audio/jfk.mp3'), withCover]) {
    const out = await makeThumbs(file, 'video', 'video/mp4', ['grid@1x', 'grid@2x']);
    for (const v of ['grid@1x', 'grid@2x']) {
      const o = out.get(v);
      assert.ok(o && 'skip' in o && /no video stream/.test(o.skip), `${file} ${v}: ${JSON.stringify(o)}`);
    }
  }
});

test('PDF: the first page at the variant sizes', { skip: FIXTURES_SKIP }, async () => {
  const file = join(FIXTURES, 'pdf/text-layer/lychee-pdf.pdf');
  const { value: out, seen } = await watchDecodes(file, () => makeThumbs(file, 'document', 'application/pdf', ['grid@1x', 'detail@1x']));
  assert.deepEqual(seen, { threads: 0, decoders: 1, sharpReads: 0, frameGrabs: 0 }, 'one page render for every variant');
  // A page has no pixel size of its own: it is drawn at the largest variant's size.
  const big = await assertThumb(bytesOf(out, 'detail@1x'), 'detail@1x', 4000, 3000, 'pdf');
  await assertThumb(bytesOf(out, 'grid@1x'), 'grid@1x', big.width, big.height, 'pdf');
  // Mostly white page with some dark text: not blank, not black.
  const luma = await meanLuma(bytesOf(out, 'detail@1x').data);
  assert.ok(luma > 150 && luma < 254, `page mean luma ${luma.toFixed(1)}`);
});

/** A 320×240 video of BLACK seconds of black, then LIT seconds of a bright test pattern. */
async function darkIntroVideo(name: string, black: number, lit: number): Promise<string> {
  const path = join(tmp.path, name);
  await runTool(ffmpegTools().ffmpeg, [
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `color=c=black:s=320x240:r=25:d=${black}`,
    '-f', 'lavfi', '-i', `testsrc=s=320x240:r=25:d=${lit}`,
    '-filter_complex', '[0:v][1:v]concat=n=2:v=1:a=0,format=yuv420p[v]', '-map', '[v]',
    '-c:v', 'libx264', '-preset', 'ultrafast', path,
  ], { signal: new AbortController().signal, timeoutMs: 60_000 });
  return path;
}

test('a video that starts black: the thumbnail is not its black first frame', async () => {
  for (const [name, black, lit] of [['fade.mp4', 0.4, 3.6], ['long-intro.mp4', 1.5, 2.5]] as const) {
    const out = await makeThumbs(await darkIntroVideo(name, black, lit), 'video', 'video/mp4', ['grid@1x']);
    await assertThumb(bytesOf(out, 'grid@1x'), 'grid@1x', 320, 240, name);
    const luma = await meanLuma(bytesOf(out, 'grid@1x').data);
    assert.ok(luma > 60, `${name}: the thumbnail is dark (mean luma ${luma.toFixed(1)})`);
  }
});
