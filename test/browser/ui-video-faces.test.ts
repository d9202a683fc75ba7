import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { ffmpegTools } from '../../src/generators/tools/ffmpeg.js';
import { runTool } from '../../src/generators/tools/run-tool.js';
import { FACE_SAMPLES_SKIP, faceSamplesDir } from '../support/face-photos.js';
import { json, tempDir, until } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { launchBrowser, newPage } from './launch.js';
import { keepScreenshot } from './screenshot.js';
import { UI_SKIP } from './ui-library.js';

// Inside page.evaluate the page's globals exist; this project compiles without the DOM lib.
declare const document: any;

interface Person { person_id: string; name: string | null }

/**
 * Faces in a video, in a real headless Chromium against a real daemon (issue 45): a library whose
 * only content is a video of two people (face-api's sample1, cut and held for two seconds). Their
 * faces are in one content only, so nobody is grouped yet: the People page says how many faces
 * wait, not "Nobody yet", and leads to the video. On the video's page the faces of its poster
 * frame are boxed over the player; one is named there, and becomes a person.
 */
describe('faces in a video in the web UI', { skip: FACE_SAMPLES_SKIP || UI_SKIP, timeout: 300_000 }, () => {
  const tmp = tempDir('vss-ui-video-faces-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  const offline = { ...env, VSS_NO_DAEMON: '1' };
  const dir = join(tmp.path, 'Videos');
  let http = '';
  let url = '';
  let token = '';
  before(async () => {
    mkdirSync(dir, { recursive: true });
    const still = join(tmp.path, 'two.png');
    await sharp(join(faceSamplesDir()!, 'sample1.jpg')).extract({ left: 300, top: 250, width: 900, height: 500 }).png().toFile(still);
    await runTool(ffmpegTools().ffmpeg, ['-hide_banner', '-v', 'error', '-y', '-loop', '1', '-i', still, '-t', '2', '-r', '10', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', join(dir, 'two.mp4')],
      { signal: new AbortController().signal, timeoutMs: 120_000 });
    json(await runCli(['library', 'create', 'Home', '--path', tmp.path, '--json'], offline));
    json(await runCli(['location', 'add', dir, '--mode', 'deep', '--generate', 'thumb=grid@1x+detail@1x,faces', '--json'], offline));
    const run = await runCli(['jobs', 'run', '--until-idle'], offline);
    assert.equal(run.code, 0, run.stderr);
    ({ http, url } = json<{ url: string; http: string }>(await runCli(['ui', '--json'], env)));
    token = readFileSync(join(env.VSS_DATA_DIR, 'daemon.token'), 'utf8').trim();
  });
  after(async () => {
    await runCli(['daemon', 'stop'], env);
    tmp.cleanup();
  });
  const people = async () => {
    const r = await fetch(`${http}/api/libraries/current/people`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(30_000) });
    assert.ok(r.ok);
    return (await r.json()) as Person[];
  };

  it('says the faces wait to be grouped, and names one from the video\'s poster frame', async () => {
    const launched = await launchBrowser();
    try {
      const { page } = await newPage(launched.browser, { width: 1280, height: 900 });
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(String(err)));
      assert.equal((await page.goto(url))?.status(), 200);
      await page.getByRole('link', { name: 'People' }).click();
      const waiting = page.getByRole('list', { name: 'Faces not grouped yet' });
      await waiting.getByRole('listitem').nth(1).waitFor({ timeout: 20_000 });
      const text = await page.locator('main').innerText();
      assert.doesNotMatch(text, /Nobody yet/);
      assert.match(text, /2 faces found in 1 photo, not yet grouped into people/);
      await keepScreenshot(page, 'people-unsorted');

      // A waiting face opens its video, where the faces are boxed over the player.
      await waiting.getByRole('link').first().click();
      await page.locator('video').waitFor({ timeout: 20_000 });
      const boxes = page.locator('.frame-video .face-box');
      await boxes.nth(1).waitFor({ timeout: 20_000 });
      assert.equal(await boxes.count(), 2);
      // The boxes lie over the picture: within the player's own rectangle.
      const [video, box] = await Promise.all([page.locator('video').boundingBox(), boxes.first().boundingBox()]);
      assert.ok(video && box && box.x >= video.x && box.y >= video.y && box.x + box.width <= video.x + video.width + 1 && box.y + box.height <= video.y + video.height + 1, JSON.stringify({ video, box }));
      await keepScreenshot(page, 'video-faces');
      await boxes.first().click();
      const form = page.getByRole('form', { name: 'Who is this?' });
      await form.getByRole('textbox', { name: 'New name' }).fill('Ana');
      await form.getByRole('button', { name: 'Save' }).click();
      await page.locator('.frame-video .face-box', { hasText: 'Ana' }).waitFor({ timeout: 10_000 });
      await until('Ana is a person', 10_000, async () => ((await people()).some((p) => p.name === 'Ana') ? true : undefined), 100);
      assert.deepEqual(problems, []);
    } finally {
      await launched.close();
    }
  });
});
