import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { blake3 } from '@napi-rs/blake-hash';
import sharp from 'sharp';
import { ffmpegTools } from '../../src/generators/tools/ffmpeg.js';
import { FIXTURES, FIXTURES_SKIP, json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { characterErrorRate } from '../../src/generators/ocr/text-metrics.js';
import { DEFAULT_POLICY_SPECS, formatPolicy, parsePolicy } from '../../src/jobs/policy.js';

interface ContentJson { content_uuid: string; kind: string; mime: string; size: number; paths: string[] }
interface SidecarJson { content_uuid: string; kind: string; variant: string; format: string; status: string; source: string; size: number | null; checksum: string | null; path: string | null }
interface OcrJson { text: string; lang: string; confidence: number; pages: Array<{ text: string; blocks: Array<{ text: string; bbox: number[]; confidence: number }> }> }

/**
 * What a new user's desktop makes by default, but faces: no assertion here looks at them, and the
 * face model on each of the fixtures' two dozen photos and videos was the largest part of this
 * file's CPU (the demo test and test/integration/faces*.test.ts check faces end to end).
 */
const DEFAULT_BUT_FACES = (() => {
  const p = parsePolicy(DEFAULT_POLICY_SPECS.desktop);
  assert.ok(p.faces, 'the default policy makes faces: leaving them out here is a cut');
  delete p.faces;
  return formatPolicy(p);
})();

/**
 * The fixture folder but ocrmypdf-cardinal.pdf: it is ocrmypdf-linn.pdf's page four times, turned
 * 0/90/180/270° (the orientation bench's), and no assertion here reads it, while its four pages of
 * OCR at 300 dpi were half of this file's CPU (~50 s). linn's one scanned page is read and checked
 * below; turned pages are checked by src/generators/ocr/orientation.test.ts.
 */
const LEFT_OUT = join('pdf', 'scanned', 'ocrmypdf-cardinal.pdf');

const THUMB_SIZES: Record<string, number> = { 'grid@1x': 256, 'grid@2x': 512, 'detail@1x': 1024 };

/**
 * The acceptance run, as a new user would do it: the real fixture folder (a copy, but one
 * file) added in deep mode (the default policy but faces), `jobs run --until-idle`, and every sidecar checked against
 * its source and ground truth.
 */
describe('deep mode makes every sidecar of the fixture media (real tools, real CLI)', { skip: FIXTURES_SKIP }, () => {
  const tmp = tempDir();
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  const media = join(tmp.path, 'fixtures');
  let contents: ContentJson[] = [];
  let sidecars: SidecarJson[] = [];
  let unavailable: Array<{ kind: string; reason: string }> = [];
  let runStdout = '';
  const byPath = (suffix: string) => {
    const c = contents.find((x) => x.paths.some((p) => p.endsWith(suffix)));
    assert.ok(c, `no content for ${suffix}`);
    return c;
  };
  const sidecar = (suffix: string, kind: string, variant: string) => sidecars.find((s) => s.content_uuid === byPath(suffix).content_uuid && s.kind === kind && s.variant === variant);

  before(async () => {
    assert.ok(existsSync(join(FIXTURES, LEFT_OUT)), `${LEFT_OUT} is not in the fixtures: nothing to leave out`);
    cpSync(FIXTURES, media, { recursive: true, filter: (src) => src !== join(FIXTURES, LEFT_OUT) });
    json(await runCli(['library', 'create', 'G', '--path', tmp.path, '--json'], env));
    const add = await runCli(['location', 'add', media, '--mode', 'deep', '--generate', DEFAULT_BUT_FACES, '--json'], env);
    const added = json<{ jobs_queued: number; unavailable: Array<{ kind: string; reason: string }> }>(add);
    unavailable = added.unavailable;
    assert.ok(added.jobs_queued > 20, `queued ${added.jobs_queued}`);
    const run = await runCli(['jobs', 'run', '--until-idle'], env);
    assert.equal(run.code, 0, run.stderr);
    runStdout = run.stdout + run.stderr;
    contents = json<ContentJson[]>(await runCli(['content', 'list', '--json'], env));
    sidecars = json<SidecarJson[]>(await runCli(['sidecars', 'list', '--json'], env));
  });
  after(() => tmp.cleanup());

  it('makes grid thumbnails for every photo (HEIC too) and video, upright and never enlarged', async () => {
    // Camera RAW files (fixtures/raw/) have no decoder here yet: their previews are issue 45's.
    const visual = contents.filter((c) => (c.kind === 'image' || c.kind === 'video') && !c.paths.every((p) => p.includes('/raw/')));
    assert.ok(visual.length >= 14, `only ${visual.length} photos and videos`);
    for (const c of visual) {
      for (const variant of ['grid@1x', 'grid@2x']) {
        const s = sidecars.find((x) => x.content_uuid === c.content_uuid && x.kind === 'thumb' && x.variant === variant);
        assert.equal(s?.status, 'ready', `${c.paths[0]} ${variant}: ${JSON.stringify(s)}`);
        const meta = await sharp(s!.path!).metadata();
        assert.equal(meta.format, 'webp');
        assert.ok(Math.max(meta.width!, meta.height!) <= THUMB_SIZES[variant]!, `${c.paths[0]} ${variant} is ${meta.width}×${meta.height}`);
      }
    }
    // EXIF orientation 6: stored landscape, shown portrait; the thumbnail must be portrait.
    const upright = await sharp(sidecar('orientation/portrait_6.jpg', 'thumb', 'grid@2x')!.path!).metadata();
    assert.ok(upright.height! > upright.width!, `portrait_6 thumbnail is ${upright.width}×${upright.height}`);
    const landscape = await sharp(sidecar('orientation/landscape_6.jpg', 'thumb', 'grid@2x')!.path!).metadata();
    const plain = await sharp(sidecar('orientation/landscape_1.jpg', 'thumb', 'grid@2x')!.path!).metadata();
    assert.equal(landscape.width, plain.width);
    assert.equal(landscape.height, plain.height);
    // A small source is never enlarged: Canon_40D.jpg is 100×68 px... or whatever size it is, the thumb is no larger.
    const canon = await sharp(join(FIXTURES, 'exif', 'Canon_40D.jpg')).metadata();
    const canonThumb = await sharp(sidecar('exif/Canon_40D.jpg', 'thumb', 'detail@1x')!.path!).metadata();
    assert.ok(canonThumb.width! <= canon.width! && canonThumb.height! <= canon.height!);
  });

  it('reads phototest.tif with a character error rate under 5% and simple-90.jpg after its rotation', () => {
    const truth = readFileSync(join(FIXTURES, 'ocr', 'tesseract-test', 'phototest.gt.txt'), 'utf8');
    const ocr = JSON.parse(readFileSync(sidecar('tesseract-test/phototest.tif', 'ocr', 'default')!.path!, 'utf8')) as OcrJson;
    const cer = characterErrorRate(ocr.text, truth);
    assert.ok(cer < 0.05, `CER ${cer}: ${ocr.text}`);
    assert.ok(ocr.pages[0]!.blocks.length > 0 && ocr.pages[0]!.blocks.every((b) => b.bbox.length === 4));
    const simple = JSON.parse(readFileSync(sidecar('tesseract.js/simple-90.jpg', 'ocr', 'default')!.path!, 'utf8')) as OcrJson;
    assert.match(simple.text, /Tesseract\.js/);
  });

  it('takes the text layer of a born-digital PDF and OCRs a scanned one', () => {
    const layer = JSON.parse(readFileSync(sidecar('text-layer/lychee-pdf.pdf', 'ocr', 'default')!.path!, 'utf8')) as OcrJson;
    assert.match(layer.text, /PDF/);
    const tex = JSON.parse(readFileSync(sidecar('text-layer/springai-pdftex-sample.pdf', 'ocr', 'default')!.path!, 'utf8')) as OcrJson;
    assert.match(tex.text, /Sample PDF Document/);
    const scanned = JSON.parse(readFileSync(sidecar('scanned/ocrmypdf-linn.pdf', 'ocr', 'default')!.path!, 'utf8')) as OcrJson;
    const truthWords = new Set(readFileSync(join(FIXTURES, 'pdf', 'scanned', 'ocrmypdf-linn.gt.txt'), 'utf8').toLowerCase().match(/[a-z]{5,}/g));
    const found = new Set(scanned.text.toLowerCase().match(/[a-z]{5,}/g));
    const hit = [...truthWords].filter((w) => found.has(w)).length / truthWords.size;
    assert.ok(hit > 0.6, `only ${Math.round(hit * 100)}% of the reference words found`);
  });

  it('makes an H.264 proxy of each video, no larger than the source', () => {
    const { ffprobe } = ffmpegTools();
    for (const name of ['photoprism-blue-go-video.mp4', 'photoprism-christmas-noaudio.mp4', 'train.mov']) {
      const s = sidecar(name, 'proxy', 'quick');
      assert.equal(s?.status, 'ready', `${name}: ${JSON.stringify(s)}`);
      const probe = JSON.parse(spawnSync(ffprobe, ['-v', 'error', '-print_format', 'json', '-show_streams', s!.path!], { encoding: 'utf8' }).stdout) as { streams: Array<{ codec_type: string; codec_name: string; width?: number; height?: number }> };
      const video = probe.streams.find((x) => x.codec_type === 'video')!;
      assert.equal(video.codec_name, 'h264');
      const src = JSON.parse(spawnSync(ffprobe, ['-v', 'error', '-print_format', 'json', '-show_streams', byPath(name).paths[0]!], { encoding: 'utf8' }).stdout) as typeof probe;
      const sv = src.streams.find((x) => x.codec_type === 'video')!;
      assert.ok(video.width! * video.height! <= sv.width! * sv.height!, `${name}: proxy ${video.width}×${video.height} > source ${sv.width}×${sv.height}`);
    }
  });

  it('has no transcript for jfk.wav and says once that there is no speech model', async () => {
    assert.equal(sidecar('audio/jfk.wav', 'transcript', 'default'), undefined);
    const notes = unavailable.filter((u) => u.kind === 'transcript');
    assert.equal(notes.length, 1, 'reported once, not per file');
    assert.match(notes[0]!.reason, /no speech model installed: run vss models add whisper PATH/);
    assert.equal(json<unknown[]>(await runCli(['jobs', 'list', '--status', 'failed', '--json'], env)).length, 0, 'no failed job per file either');
  });

  it('extracts the movie of the Pixel motion photo', () => {
    const s = sidecar('PXL_20200710_061629144.MP.jpg', 'live_photo_video', 'embedded');
    assert.equal(s?.status, 'ready', JSON.stringify(s));
    const original = readFileSync(byPath('PXL_20200710_061629144.MP.jpg').paths[0]!);
    assert.deepEqual(readFileSync(s!.path!), original.subarray(2_728_123));
    assert.equal(sidecar('ente-pixel_8-NOT-motion.jpg', 'live_photo_video', 'embedded'), undefined);
  });

  it('records every ready sidecar with its file, size, checksum and generator', () => {
    const ready = sidecars.filter((s) => s.status === 'ready' && s.source === 'generated');
    assert.ok(ready.length > 40);
    for (const s of ready) {
      assert.ok(s.path && existsSync(s.path), `${s.kind}/${s.variant} of ${s.content_uuid} has no file`);
      assert.equal(statSync(s.path).size, s.size);
      assert.equal(blake3(readFileSync(s.path)).toString('hex'), s.checksum);
    }
    assert.equal(sidecars.filter((s) => s.status === 'pending' || s.status === 'generating').length, 0, 'nothing is left half-done');
  });

  it('makes nothing again on a second run or a rescan', async () => {
    const again = await runCli(['jobs', 'run', '--until-idle', '--json'], env);
    assert.equal(json<{ completed: number }>(again).completed, 0);
    const rescan = json<{ jobs_queued: number }>(await runCli(['location', 'rescan', '1', '--json'], env));
    assert.equal(rescan.jobs_queued, 0);
    assert.match(runStdout, /Jobs: \d+ completed/);
  });
});
