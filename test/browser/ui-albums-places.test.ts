import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { FIXTURES, FIXTURES_SKIP, json, tempDir, until } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { launchBrowser, newPage } from './launch.js';
import { keepScreenshot } from './screenshot.js';
import { UI_SKIP } from './ui-library.js';

// Inside page.evaluate the page's globals exist; this project compiles without the DOM lib.
declare const location: any;
declare const document: any;

interface Album { album_id: string; name: string; query: string | null; count: number }

const TUSCANY = join(FIXTURES, 'exif', 'gps', 'DSCN0010.jpg'); // Arezzo, Tuscany, Italy
const MISSOURI = join(FIXTURES, 'exif', 'heic', 'IMG_5195.HEIC'); // Blue Springs, Missouri, USA
const GPS_SKIP = FIXTURES_SKIP || (existsSync(TUSCANY) && existsSync(MISSOURI) ? false : 'the GPS fixtures are absent');

/**
 * Albums, places, jobs and tags pages of the web UI (issue 32), in a real headless Chromium
 * against a real daemon, over photos with GPS indexed in deep mode: the Albums page lists an album
 * made with the CLI and smart albums, an album opens as the grid `#/?album=ID`, a new matching
 * photo (rescan) makes a smart album's count grow; the Places page shows Italy › Arezzo, and
 * Arezzo opens the search with the photo; the Jobs page has its totals and lists newest first
 * (running and failed first); the Tags page counts the contents of the tags beneath.
 */
describe('albums, places, jobs and tags pages', { skip: GPS_SKIP || UI_SKIP, timeout: 300_000 }, () => {
  const tmp = tempDir('vss-ui-albums-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  const offline = { ...env, VSS_NO_DAEMON: '1' };
  const pictures = join(tmp.path, 'Pictures');
  let http = '';
  let token = '';
  let url = '';
  before(async () => {
    mkdirSync(pictures, { recursive: true });
    copyFileSync(TUSCANY, join(pictures, 'arezzo.jpg'));
    json(await runCli(['library', 'create', 'Photos', '--path', tmp.path, '--json'], offline));
    json(await runCli(['location', 'add', pictures, '--mode', 'deep', '--generate', 'thumb=grid@1x', '--json'], offline));
    const run = await runCli(['jobs', 'run', '--until-idle'], offline);
    assert.equal(run.code, 0, run.stderr);
    const cli = async (args: string[]) => {
      const r = await runCli(args, offline);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    };
    await cli(['album', 'add', 'Holiday', join(pictures, 'arezzo.jpg')]);
    await cli(['album', 'create', 'Tuscany', '--query', 'place:Tuscany']);
    await cli(['album', 'create', 'Missouri', '--query', 'place:Missouri']);
    await cli(['tag', 'create', 'Trips']);
    await cli(['tag', 'create', 'Italy trip', '--parent', 'Trips']);
    await cli(['tag', 'add', 'Italy trip', join(pictures, 'arezzo.jpg')]);
    const ui = json<{ url: string; http: string }>(await runCli(['ui', '--json'], env));
    ({ http, url } = ui);
    token = readFileSync(join(env.VSS_DATA_DIR, 'daemon.token'), 'utf8').trim();
  });
  // One browser for the whole suite: the daemon's address with its token opens one session.
  let launched: Awaited<ReturnType<typeof launchBrowser>> | null = null;
  let shared: Page | null = null;
  const opened = async (): Promise<Page> => {
    if (shared) return shared;
    launched = await launchBrowser();
    shared = (await newPage(launched.browser, { width: 1280, height: 900 })).page;
    assert.equal((await shared.goto(url))?.status(), 200);
    return shared;
  };
  after(async () => {
    await launched?.close();
    await runCli(['daemon', 'stop'], env);
    tmp.cleanup();
  });
  const call = async <T>(path: string): Promise<T> => {
    const r = await fetch(`${http}/api/libraries/current${path}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(30_000) });
    assert.ok(r.ok, `${path}: ${r.status}`);
    return (await r.json()) as T;
  };

  it('lists albums, opens one as the grid, and a smart album grows with a new matching photo', async () => {
    {
      const page = await opened();
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(String(err)));
      await page.getByRole('link', { name: 'Albums', exact: true }).click();
      const albums = page.getByRole('list', { name: 'Albums' });
      await albums.waitFor({ timeout: 20_000 });
      const card = (name: string) => albums.locator('.album-card').filter({ has: page.locator('.album-name', { hasText: new RegExp(`^${name}$`) }) });
      await card('Holiday').waitFor({ timeout: 10_000 });
      assert.match(await card('Holiday').innerText(), /1 item/);
      assert.match(await card('Tuscany').innerText(), /1 item/, 'the smart album finds the photo from Arezzo');
      assert.match(await card('Tuscany').innerText(), /place:Tuscany/, 'a smart album shows its search');
      assert.match(await card('Missouri').innerText(), /0 items/);
      await shot(page, 'albums');

      // Opening an album goes to the grid filtered by it.
      const listed = await call<Album[]>('/albums');
      const holiday = listed.find((a) => a.name === 'Holiday')!;
      await card('Holiday').locator('a.album-open').click();
      await page.waitForFunction((id: string) => location.hash === `#/?album=${id}`, holiday.album_id, { timeout: 10_000 });

      // A new photo from Missouri in the folder, indexed by a rescan: the smart album counts it after a reload.
      copyFileSync(MISSOURI, join(pictures, 'blue-springs.heic'));
      const rescan = await runCli(['location', 'rescan', pictures], env);
      assert.equal(rescan.code, 0, rescan.stderr);
      await until('the smart album counts the new photo', 60_000, async () => ((await call<Album[]>('/albums')).find((a) => a.name === 'Missouri')?.count === 1 ? true : undefined), 250);
      await page.goto(`${http}/ui/#/albums`);
      await page.reload();
      await card('Missouri').filter({ hasText: /1 item/ }).waitFor({ timeout: 10_000 });

      // Make an album from the page, then rename and delete it (with its confirm).
      await page.getByRole('textbox', { name: 'New album' }).fill('From the page');
      await page.getByRole('button', { name: 'Make album' }).click();
      await card('From the page').waitFor({ timeout: 10_000 });
      await page.getByRole('button', { name: 'Rename From the page' }).click();
      await page.getByRole('textbox', { name: 'New name' }).fill('Renamed');
      await page.getByRole('button', { name: 'Save name' }).click();
      await card('Renamed').waitFor({ timeout: 10_000 });
      await page.getByRole('button', { name: 'Delete Renamed' }).click();
      await page.getByRole('button', { name: 'Delete album' }).click();
      await until('the album deleted', 10_000, async () => ((await call<Album[]>('/albums')).some((a) => a.name === 'Renamed') ? undefined : true));
      await card('Renamed').waitFor({ state: 'detached', timeout: 10_000 });
      assert.deepEqual(problems, []);
    }
  });

  it('shows the places by country and town, and a town opens the search of its photos', async () => {
    {
      const page = await opened();
      await page.goto(`${http}/ui/#/places`);
      const countries = page.getByRole('list', { name: 'Countries' });
      await countries.waitFor({ timeout: 20_000 });
      const italy = page.getByRole('list', { name: 'Towns in Italy' });
      await italy.getByRole('link', { name: 'Arezzo' }).waitFor({ timeout: 10_000 });
      assert.match(await countries.innerText(), /Italy/);
      await shot(page, 'places');
      await italy.getByRole('link', { name: 'Arezzo' }).click();
      await page.waitForFunction(() => location.hash.startsWith('#/search?q=place'), undefined, { timeout: 10_000 });
      await page.getByRole('link', { name: /arezzo\.jpg/ }).first().waitFor({ timeout: 20_000 });
      await shot(page, 'places-search');
      // Its detail: where it was taken, in words and coordinates.
      await page.getByRole('link', { name: /arezzo\.jpg/ }).first().click();
      const details = page.getByRole('region', { name: 'Details' });
      await details.waitFor({ timeout: 20_000 });
      await details.getByText(/Arezzo/).first().waitFor({ timeout: 10_000 });
      assert.match(await details.innerText(), /Italy/);
      await page.waitForFunction(() => {
        const img = document.querySelector('figure.media img') as { complete: boolean; naturalWidth: number } | null;
        return img !== null && img.complete && img.naturalWidth > 0;
      }, undefined, { timeout: 30_000 });
      await shot(page, 'detail');
    }
  });

  it('shows the jobs with their totals, running and failed first, then newest first', async () => {
    {
      const page = await opened();
      await page.goto(`${http}/ui/#/jobs`);
      const totals = page.getByRole('definition').first();
      await totals.waitFor({ timeout: 20_000 });
      const text = await page.locator('.job-totals').innerText();
      for (const label of ['running', 'queued', 'failed', 'done']) assert.match(text, new RegExp(label), `totals say ${label}`);
      const jobs = page.getByRole('list', { name: 'Jobs' });
      await jobs.locator(':scope > li').first().waitFor({ timeout: 20_000 });
      const rows = await jobs.locator(':scope > li').evaluateAll((lis: any[]) => lis.map((li) => ({
        id: Number(/#(\d+)/.exec(li.querySelector('.job-id')?.textContent ?? '')?.[1]),
        status: li.querySelector('.status')?.textContent ?? '',
        buttons: [...li.querySelectorAll('.job-actions button')].map((b: any) => b.textContent as string),
      })));
      const rank = (s: string) => (s === 'running' ? 0 : s === 'failed' ? 1 : 2);
      for (let i = 1; i < rows.length; i++) {
        const a = rows[i - 1]!;
        const b = rows[i]!;
        assert.ok(rank(a.status) < rank(b.status) || (rank(a.status) === rank(b.status) && a.id > b.id), `job #${a.id} (${a.status}) before #${b.id} (${b.status})`);
      }
      for (const r of rows.filter((r) => r.status === 'completed')) assert.deepEqual(r.buttons, [], `a finished job #${r.id} shows no buttons`);
      await shot(page, 'jobs');
    }
  });

  it('counts the contents of the tags beneath a tag', async () => {
    {
      const page = await opened();
      await page.goto(`${http}/ui/#/tags`);
      const trips = page.locator('li', { has: page.getByText('Trips', { exact: true }) }).first();
      await trips.waitFor({ timeout: 20_000 });
      await page.getByText(/1 item \(0 tagged Trips itself\)/).waitFor({ timeout: 10_000 });
      await shot(page, 'tags');
    }
  });
});

async function shot(page: Page, name: string): Promise<void> {
  await keepScreenshot(page, `albums-places-${name}`);
}
