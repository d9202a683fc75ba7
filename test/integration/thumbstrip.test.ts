import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { FIXTURES, FIXTURES_SKIP, json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { rotateQuarterTurn, soundOnly, testPattern } from '../support/test-videos.js';

interface ContentJson { content_uuid: string; kind: string; paths: string[] }
interface SidecarJson { content_uuid: string; kind: string; variant: string; format: string; status: string; path: string | null; generator: string | null }

/** As a user would: a deep location with the default policy, `jobs run`, then what `sidecars list` says. */
describe('thumbstrips of videos through the CLI (default policy, real ffmpeg)', { skip: FIXTURES_SKIP }, () => {
  const tmp = tempDir('vss-thumbstrip-cli-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_DEVICE_TYPE: 'desktop' };
  const tree = join(tmp.path, 'videos');
  let contents: ContentJson[] = [];
  let strips: SidecarJson[] = [];
  const uuidOf = (name: string) => contents.find((c) => c.paths.some((p) => p.endsWith(`/${name}`)))!.content_uuid;

  before(async () => {
    mkdirSync(tree);
    copyFileSync(join(FIXTURES, 'video', 'photoprism-blue-go-video.mp4'), join(tree, 'blue.mp4'));
    copyFileSync(join(FIXTURES, 'video', 'photoprism-christmas-noaudio.mp4'), join(tree, 'christmas.mp4'));
    await testPattern(join(tree, 'sideways.mp4'), { seconds: 1, width: 320, height: 180 });
    rotateQuarterTurn(join(tree, 'sideways.mp4'));
    await soundOnly(join(tree, 'sound.mp4'));
    json(await runCli(['library', 'create', 'T', '--path', tmp.path, '--json'], env));
    json(await runCli(['location', 'add', tree, '--mode', 'deep', '--json'], env));
    const run = await runCli(['jobs', 'run', '--until-idle'], env);
    assert.equal(run.code, 0, run.stderr);
    contents = json<ContentJson[]>(await runCli(['content', 'list', '--json'], env));
    strips = json<SidecarJson[]>(await runCli(['sidecars', 'list', '--kind', 'thumbstrip', '--json'], env));
  });
  after(() => tmp.cleanup());

  it('makes thumbstrip/preview for every video: a 5 × 5 WebP, upright', async () => {
    const expected: Record<string, [number, number]> = { 'blue.mp4': [450, 800], 'christmas.mp4': [800, 520], 'sideways.mp4': [450, 800] };
    for (const [name, [w, h]] of Object.entries(expected)) {
      const s = strips.find((x) => x.content_uuid === uuidOf(name));
      assert.equal(s?.status, 'ready', `${name}: ${JSON.stringify(s)}`);
      assert.equal(s.variant, 'preview');
      assert.equal(s.format, 'webp');
      assert.match(s.generator ?? '', /^vss-thumbstrip@/);
      assert.match(s.path!, /\/thumbstrips\/preview\.webp$/);
      const meta = await sharp(s.path!).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], ['webp', w, h], name);
    }
  });

  it('a file with sound only has none, and says why', async () => {
    const sound = contents.find((c) => c.paths.some((p) => p.endsWith('/sound.mp4')))!;
    assert.equal(strips.some((s) => s.content_uuid === sound.content_uuid), false);
    const r = await runCli(['sidecars', 'path', sound.content_uuid, 'thumbstrip', 'preview'], env);
    assert.equal(r.code, 1);
    // Typed as audio by its bytes, or a video whose generator said "no video stream".
    assert.match(r.stderr, sound.kind === 'video' ? /no video stream/ : /cannot be made from audio content/);
  });
});
