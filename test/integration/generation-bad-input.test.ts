import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { buildPdf } from '../build-pdf.js';
import { ffmpegTools } from '../../src/generators/tools/ffmpeg.js';
import { runTool } from '../../src/generators/tools/run-tool.js';
import { json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { pngClaiming } from '../hostile-files.js';

interface JobJson { id: number; kind: string; content_uuid: string; status: string; error: string | null; attempts: number }
interface ContentJson { content_uuid: string; paths: string[] }
interface SidecarJson { content_uuid: string; kind: string; variant: string; status: string; error?: string | null }

/**
 * Bad input through the whole pipeline: a folder of broken and hostile files beside good ones,
 * indexed in deep mode and worked by `jobs run --until-idle`. Each bad file's jobs fail at once
 * with a reason, the good ones are made, and the run ends.
 */
describe('bad input fails with a reason and stops nothing else (real CLI, real tools)', () => {
  const tmp = tempDir();
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  const tree = join(tmp.path, 'media');
  let jobs: JobJson[] = [];
  let contents: ContentJson[] = [];
  let runMs = 0;
  const uuidOf = (name: string) => contents.find((c) => c.paths.some((p) => p.endsWith(`/${name}`)))!.content_uuid;
  const jobsOf = (name: string) => jobs.filter((j) => j.content_uuid === uuidOf(name));

  before(async () => {
    mkdirSync(tree, { recursive: true });
    await sharp({ create: { width: 800, height: 600, channels: 3, background: '#3a7' } }).jpeg().toFile(join(tree, 'good.jpg'));
    const jpeg = readFileSync(join(tree, 'good.jpg'));
    writeFileSync(join(tree, 'truncated.jpg'), jpeg.subarray(0, Math.floor(jpeg.length * 0.4)));
    writeFileSync(join(tree, 'bomb.png'), pngClaiming(50_000, 50_000));
    writeFileSync(join(tree, 'loop.pdf'), buildPdf(['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [2 0 R] /Count 1 >>']));
    writeFileSync(join(tree, 'garbage.pdf'), Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(4096, 0x5a)]));
    const { ffmpeg } = ffmpegTools();
    const clip = join(tmp.path, 'clip.mp4');
    await runTool(ffmpeg, ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25:duration=2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-y', clip], { signal: new AbortController().signal, timeoutMs: 60_000 });
    const movie = readFileSync(clip);
    // The index (moov) is at the end: cut it off and ffmpeg cannot read the rest.
    writeFileSync(join(tree, 'cut.mp4'), movie.subarray(0, Math.floor(movie.length * 0.5)));
    writeFileSync(join(tree, 'empty.jpg'), '');

    json(await runCli(['library', 'create', 'Bad', '--path', tmp.path, '--json'], env));
    json(await runCli(['location', 'add', tree, '--mode', 'deep', '--generate', 'thumb=grid@1x+grid@2x,ocr,proxy=quick', '--json'], env));
    const t0 = Date.now();
    const run = await runCli(['jobs', 'run', '--until-idle'], env);
    runMs = Date.now() - t0;
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /vss: warning: job \d+ \(thumb [0-9a-f-]+\) failed: .*bomb\.png/);
    jobs = json<JobJson[]>(await runCli(['jobs', 'list', '--json'], env));
    contents = json<ContentJson[]>(await runCli(['content', 'list', '--json'], env));
  });
  after(() => tmp.cleanup());

  it('makes the good file\'s sidecars', async () => {
    assert.ok(jobsOf('good.jpg').length >= 2);
    for (const j of jobsOf('good.jpg')) assert.equal(j.status, 'completed', JSON.stringify(j));
    const made = json<SidecarJson[]>(await runCli(['sidecars', 'list', '--content', uuidOf('good.jpg'), '--json'], env));
    assert.deepEqual(made.map((s) => `${s.kind}/${s.variant}:${s.status}`).sort(), ['ocr/default:ready', 'thumb/grid@1x:ready', 'thumb/grid@2x:ready']);
  });

  it('fails each broken or hostile file at once, with its reason, never retrying it', () => {
    // Each reason is matched with the file's path taken out of the error, and no word of a file's
    // name is in its pattern: a pattern that the name alone satisfies passes whatever the reason.
    const expect: Array<[string, RegExp]> = [
      ['truncated.jpg', /could not be decoded: VipsJpeg: premature end of JPEG image/],
      ['bomb.png', /50000×50000 \((2500 MP|2\.5 gigapixels)\), more than the 100 (MP|megapixels) limit/],
      ['loop.pdf', /Pages tree contains circular reference/],
      ['garbage.pdf', /not a valid PDF: Invalid PDF structure/],
      ['cut.mp4', /not a readable video|cannot read the video/],
    ];
    for (const [name, reason] of expect) {
      const mine = jobsOf(name);
      assert.ok(mine.length >= 1, `${name} got no job`);
      const path = join(tree, name);
      for (const j of mine) {
        assert.equal(j.status, 'failed', `${name} ${j.kind}: ${JSON.stringify(j)}`);
        assert.equal(j.attempts, 1, `${name} ${j.kind} was retried`);
        const error = j.error ?? '';
        assert.ok(error.startsWith(`${path}: `), `${name} ${j.kind}: the error names the file first: ${error}`);
        assert.match(error.replaceAll(path, '<file>'), reason, `${name} ${j.kind}`);
      }
    }
    assert.match(jobsOf('cut.mp4')[0]!.error!.replaceAll(join(tree, 'cut.mp4'), '<file>'), /moov atom not found|Invalid data found when processing input/);
  });

  it('leaves nothing half-done and ends in bounded time', async () => {
    const all = json<SidecarJson[]>(await runCli(['sidecars', 'list', '--json'], env));
    assert.deepEqual(all.filter((s) => s.status === 'pending' || s.status === 'generating'), []);
    assert.ok(all.filter((s) => s.status === 'failed').every((s) => s.error));
    assert.ok(runMs < 60_000, `the run took ${runMs} ms`);
    // The empty file has no content kind to make anything from: no job at all.
    assert.equal(jobs.filter((j) => j.content_uuid === uuidOf('empty.jpg')).length, 0);
  });
});
