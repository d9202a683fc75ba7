import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { FACE_SAMPLES_SKIP, makeFacePhotos, type FacePhotos } from '../support/face-photos.js';
import { json, tempDir, until } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { launchBrowser, newPage } from './launch.js';
import { keepScreenshot } from './screenshot.js';
import { UI_SKIP } from './ui-library.js';

// Inside page.evaluate the page's globals exist; this project compiles without the DOM lib.
declare const document: any;

interface Person { person_id: string; name: string | null; faces: number; contents: number; hidden: boolean }
interface Face { face_id: string; person_id: string | null }

/**
 * People in the web UI (issue 31), in a real headless Chromium against a real daemon: the People
 * page asks who the two people found are, a name is typed, two people are merged by selecting
 * them, a person's photos open as the grid, and on a photo's detail a face box (a button, reached
 * by the keyboard) is given a new name.
 */
describe('people in the web UI', { skip: FACE_SAMPLES_SKIP || UI_SKIP, timeout: 300_000 }, () => {
  const tmp = tempDir('vss-ui-people-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  const offline = { ...env, VSS_NO_DAEMON: '1' };
  let photos: FacePhotos;
  let http = '';
  let token = '';
  let url = '';
  before(async () => {
    photos = await makeFacePhotos(join(tmp.path, 'Pictures'));
    json(await runCli(['library', 'create', 'Photos', '--path', tmp.path, '--json'], offline));
    json(await runCli(['location', 'add', join(tmp.path, 'Pictures'), '--mode', 'deep', '--generate', 'thumb=grid@1x+detail@1x,faces', '--json'], offline));
    const run = await runCli(['jobs', 'run', '--until-idle'], offline);
    assert.equal(run.code, 0, run.stderr);
    const ui = json<{ url: string; http: string }>(await runCli(['ui', '--json'], env));
    ({ http, url } = ui);
    token = readFileSync(join(env.VSS_DATA_DIR, 'daemon.token'), 'utf8').trim();
  });
  after(async () => {
    await runCli(['daemon', 'stop'], env);
    tmp.cleanup();
  });
  const call = async <T>(path: string): Promise<T> => {
    const r = await fetch(`${http}/api/libraries/current${path}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(30_000) });
    assert.ok(r.ok, `${path}: ${r.status}`);
    return (await r.json()) as T;
  };
  const people = () => call<Person[]>('/people');

  it('names, merges, opens a person\'s photos, and corrects a face from the photo', async () => {
    const launched = await launchBrowser();
    try {
      const { page } = await newPage(launched.browser, { width: 1280, height: 900 });
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(String(err)));
      assert.equal((await page.goto(url))?.status(), 200);
      await page.getByRole('link', { name: 'People' }).click();
      const ask = page.getByRole('list', { name: 'People to name' });
      await ask.getByRole('listitem').nth(1).waitFor({ timeout: 20_000 });
      assert.equal(await ask.getByRole('listitem').count(), 2, 'two people found, asked about');
      await shot(page, 'people');
      // The face shown is a crop of the strip: its image loads.
      await page.waitForFunction(() => [...document.querySelectorAll('.person-card .face-crop')].every((e: any) => e.style.backgroundImage.includes('face%401x') || e.style.backgroundImage.includes('face@1x')));

      // Name by typing (Enter).
      const first = ask.getByRole('listitem').first();
      const input = first.getByRole('textbox');
      await input.fill('Ana');
      await input.press('Enter');
      await until('Ana named', 10_000, async () => ((await people()).some((p) => p.name === 'Ana') ? true : undefined), 100);
      await page.getByRole('list', { name: 'Everyone' }).getByRole('textbox', { name: 'Name of Ana' }).waitFor({ timeout: 10_000 });

      // Merge by selecting both.
      const everyone = page.getByRole('list', { name: 'Everyone' });
      for (const box of await everyone.getByRole('checkbox').all()) await box.check();
      await page.getByRole('button', { name: /Merge 2 people/ }).click();
      const merged = await until('one person', 10_000, async () => {
        const p = await people();
        return p.length === 1 ? p[0] : undefined;
      }, 100);
      assert.equal(merged!.name, 'Ana');
      assert.equal(merged!.contents, 5);
      await until('one card', 10_000, async () => ((await everyone.getByRole('listitem').count()) === 1 ? true : undefined), 100);

      // Their photos: the grid, narrowed to them.
      await everyone.getByRole('link', { name: /Ana: 5 photos/ }).click();
      await page.waitForFunction(() => document.location.hash.includes('person='));
      await tilesAre(page, 5);
      assert.match(await page.locator('.person-header h2').innerText(), /Ana/);

      // A photo's detail: the face box with its name; reached by the keyboard, given a new name.
      const closeUp = json<Array<{ content_uuid: string; paths: string[] }>>(await runCli(['content', 'list', '--json'], env)).find((c) => c.paths.some((p) => basename(p) === basename(photos.first[3]!)))!;
      await page.goto(`${http}/ui/#/content/${closeUp.content_uuid}`);
      const box = page.locator('.face-box').first();
      await box.waitFor({ timeout: 20_000 });
      await page.waitForFunction(() => document.querySelector('.face-box')?.textContent === 'Ana', undefined, { timeout: 10_000 }).catch(() => undefined);
      assert.equal(await box.innerText(), 'Ana');
      await shot(page, 'detail-faces');
      await box.focus();
      await page.keyboard.press('Enter');
      const form = page.getByRole('form', { name: 'Who is this?' });
      await form.getByRole('textbox', { name: 'New name' }).fill('Cleo');
      await form.getByRole('button', { name: 'Save' }).click();
      await until('the face is Cleo\'s', 10_000, async () => {
        const [face] = await call<Face[]>(`/faces?ref=${closeUp.content_uuid}`);
        return (await people()).find((p) => p.person_id === face?.person_id)?.name === 'Cleo' ? true : undefined;
      }, 100);
      await page.locator('.face-box', { hasText: 'Cleo' }).waitFor({ timeout: 10_000 });
      assert.deepEqual(problems, []);
    } finally {
      await launched.close();
    }
  });
});

async function shot(page: Page, name: string): Promise<void> {
  await keepScreenshot(page, name);
}

async function tilesAre(page: Page, n: number): Promise<void> {
  try {
    await page.waitForFunction((want: number) => document.querySelectorAll('main[aria-label="Library"] a[data-uuid]').length === want, n, { timeout: 15_000 });
  } catch (err) {
    const seen = await page.evaluate(() => ({ hash: document.location.hash, tiles: document.querySelectorAll('main[aria-label="Library"] a[data-uuid]').length }));
    throw new Error(`${n} tiles wanted: ${JSON.stringify(seen)} (${String(err)})`);
  }
}
