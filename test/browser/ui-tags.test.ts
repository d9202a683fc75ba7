import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { FIXTURES_SKIP, until } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { launchBrowser, newPage } from './launch.js';
import { nameOf, startUiLibrary, UI_SKIP, type UiLibrary } from './ui-library.js';

// Inside page.evaluate the page's globals exist; this project compiles without the DOM lib.
declare const document: any;
declare const window: any;

interface Meta { favorite: boolean; hidden: boolean; rating: number; note: string | null; tags: string[] }
interface Tag { uuid: string; name: string; contents: number; same_name: boolean }

/**
 * Favourites, ratings, tags and notes in the web UI (DESIGN §13, §16), as a user meets them: a real
 * daemon over the fixtures, a real headless Chromium. A photo is favourited and rated from its tile
 * and from its detail, tagged (a new tag, an existing one), noted; the Tags page counts, renames and
 * merges two tags of one name; the grid filters by tag, favourite and rating; a hidden photo leaves
 * the grid; and a change made through the CLI shows in the open page with no reload.
 */
describe('tags, favourites and ratings in the web UI', { skip: FIXTURES_SKIP || UI_SKIP, timeout: 300_000 }, () => {
  let ui: UiLibrary;
  before(async () => {
    // What the pages shown need: the thumbnails of the tiles, their details and the Tags page (text, faces, video and speech are other tests').
    ui = await startUiLibrary('vss-ui-tags-', { generate: 'thumb' });
  });
  after(async () => {
    await ui?.stop();
  });

  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const r = await fetch(`${ui.http}/api/libraries/current${path}`, {
      method, headers: { authorization: `Bearer ${ui.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}), signal: AbortSignal.timeout(30_000),
    });
    assert.ok(r.ok, `${method} ${path}: ${r.status} ${await r.clone().text()}`);
    return (await r.json()) as T;
  };
  const meta = (uuid: string) => call<Meta>('GET', `/meta?ref=${uuid}`);
  const metaBecomes = (uuid: string, want: Partial<Meta>, what: string) => until(what, 10_000, async () => {
    const m = await meta(uuid);
    return Object.entries(want).every(([k, v]) => JSON.stringify(m[k as keyof Meta]) === JSON.stringify(v)) ? m : undefined;
  });
  const grid = (page: Page) => page.getByRole('main', { name: 'Library' });
  const tileCount = (page: Page) => page.evaluate(() => document.querySelectorAll('main[aria-label="Library"] a[data-uuid]').length);
  const tilesAre = async (page: Page, n: number) => {
    try {
      await page.waitForFunction((want: number) => document.querySelectorAll('main[aria-label="Library"] a[data-uuid]').length === want, n, { timeout: 15_000 });
    } catch (err) {
      const seen = await page.evaluate(() => ({ hash: document.location.hash, tiles: [...document.querySelectorAll('main[aria-label="Library"] a[data-uuid]')].map((a: any) => a.getAttribute('aria-label')) }));
      throw new Error(`${n} tiles wanted: ${JSON.stringify(seen)} (${String(err)})`);
    }
  };
  const controlsOf = (page: Page, name: string) => grid(page).getByRole('group', { name: `${name}: favourite and rating` });

  it('favourites, rates, tags and notes a photo; the Tags page counts, renames and merges; the grid filters; hidden leaves the grid; the CLI\'s change shows live', async () => {
    const photo = ui.uuidOf('photo');
    const gps = ui.uuidOf('gpsPhoto');
    const video = ui.uuidOf('video');
    const launched = await launchBrowser();
    try {
      const { page } = await newPage(launched.browser, { width: 1280, height: 900 });
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(String(err)));
      assert.equal((await page.goto(await ui.signInUrl()))?.status(), 200);
      await grid(page).locator('a[data-uuid]').first().waitFor({ timeout: 20_000 });
      const all = await tileCount(page);
      await page.evaluate(() => { window.__noReload = true; });

      // From the tile: favourite and four stars, shown at once (pressed), stored by the daemon.
      const tile = controlsOf(page, nameOf('photo'));
      await grid(page).locator(`a[data-uuid="${photo}"]`).hover();
      await tile.getByRole('button', { name: 'Favourite' }).click();
      await tile.getByRole('button', { name: '4 stars' }).click();
      assert.equal(await tile.getByRole('button', { name: 'Favourite' }).getAttribute('aria-pressed'), 'true');
      assert.equal(await tile.getByRole('button', { name: '4 stars' }).getAttribute('aria-pressed'), 'true');
      await metaBecomes(photo, { favorite: true, rating: 4 }, 'the tile\'s favourite and rating stored');
      // From the keyboard: the focused tile takes `f` and a digit; Tab goes on to its buttons.
      await grid(page).locator(`a[data-uuid="${gps}"]`).focus();
      await page.keyboard.press('2');
      await metaBecomes(gps, { rating: 2 }, 'a digit on a focused tile rates it');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Favourite', 'Tab from a tile reaches its favourite');

      // From the detail: favourite and five stars.
      await grid(page).locator(`a[data-uuid="${gps}"]`).click();
      await page.getByRole('heading', { level: 1, name: nameOf('gpsPhoto') }).waitFor();
      const mine = page.getByRole('region', { name: 'Favourite, rating and tags' });
      await mine.getByRole('button', { name: 'Favourite' }).click();
      await mine.getByRole('button', { name: '5 stars' }).click();
      assert.equal(await mine.getByRole('button', { name: '5 stars' }).getAttribute('aria-pressed'), 'true');
      await metaBecomes(gps, { favorite: true, rating: 5 }, 'the detail\'s favourite and rating stored');

      // Tags from the detail: a new one by typing, then an existing one (made elsewhere, with a colour) from the picker.
      const picker = mine.getByRole('combobox', { name: 'Add a tag' });
      await picker.fill('Dubrovnik');
      await mine.getByRole('option', { name: 'Create tag “Dubrovnik”' }).waitFor();
      await picker.press('Enter');
      const chips = mine.getByRole('list', { name: 'Tags of this content' });
      await chips.getByText('Dubrovnik').waitFor({ timeout: 10_000 });
      await call('POST', '/tags', { name: 'Trips', color: '#2f9e44' });
      await picker.click();
      const trips = mine.getByRole('option', { name: 'Trips' });
      await trips.waitFor({ timeout: 10_000 });
      assert.equal(await trips.locator('.swatch').evaluate((s) => s.style.background), 'rgb(47, 158, 68)', 'the picker shows the tag\'s colour');
      await trips.click();
      await chips.getByText('Trips').waitFor({ timeout: 10_000 });
      await metaBecomes(gps, { tags: ['Dubrovnik', 'Trips'] }, 'both tags on the photo');
      // Removed, then put back.
      await mine.getByRole('button', { name: 'Remove tag Trips' }).click();
      await metaBecomes(gps, { tags: ['Dubrovnik'] }, 'a tag removed');
      await chips.getByText('Trips').waitFor({ state: 'detached', timeout: 10_000 });
      await picker.fill('tri');
      await picker.press('Enter');
      await metaBecomes(gps, { tags: ['Dubrovnik', 'Trips'] }, 'the tag added again by typing part of it');
      // The note.
      await mine.getByRole('textbox', { name: 'Note' }).fill('Old town walls at dusk');
      await mine.getByRole('button', { name: 'Save note' }).click();
      await mine.getByRole('status').getByText('Saved').waitFor({ timeout: 10_000 });
      await metaBecomes(gps, { note: 'Old town walls at dusk' }, 'the note stored');

      // The Tags page: counts; a second "Dubrovnik" (as a paired device would make it) is marked; merged, then renamed.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tags' }).click();
      const tags = page.getByRole('list', { name: 'Tags' });
      const row = (name: string) => tags.getByRole('listitem', { name, exact: true });
      await row('Dubrovnik').getByText('1 item').waitFor({ timeout: 10_000 });
      const tripsUuid = (await call<Tag[]>('GET', '/tags')).find((t) => t.name === 'Trips')!.uuid;
      const twin = await call<Tag>('POST', '/tags', { name: 'Dubrovnik', parent: tripsUuid });
      await call('POST', '/tags/add', { tag: twin.uuid, contents: [photo] });
      // Arrives by `shared:changed`: both marked.
      await row('Trips / Dubrovnik').getByText('Same name as another tag').waitFor({ timeout: 10_000 });
      await row('Dubrovnik').getByText('Same name as another tag').waitFor();
      await row('Trips / Dubrovnik').getByRole('button', { name: 'Merge Trips / Dubrovnik' }).click();
      const into = page.getByRole('combobox', { name: 'Merge Trips / Dubrovnik into' });
      assert.match(await into.locator('option:checked').innerText(), /^Dubrovnik \(1\) — same name/, 'its twin is offered first');
      await row('Trips / Dubrovnik').getByRole('button', { name: 'Merge', exact: true }).click();
      await row('Trips / Dubrovnik').waitFor({ state: 'detached', timeout: 10_000 });
      await row('Dubrovnik').getByText('2 items').waitFor({ timeout: 10_000 });
      assert.equal(await row('Dubrovnik').getByText('Same name as another tag').count(), 0);
      await row('Dubrovnik').getByRole('button', { name: 'Edit Dubrovnik' }).click();
      await row('Dubrovnik').getByRole('button', { name: 'Rename Dubrovnik' }).click();
      await page.getByRole('textbox', { name: 'New name' }).fill('Dubrovnik 2024');
      await page.getByRole('button', { name: 'Save name' }).click();
      await row('Dubrovnik 2024').getByText('2 items').waitFor({ timeout: 10_000 });
      const dubrovnik = (await call<Tag[]>('GET', '/tags')).find((t) => t.name === 'Dubrovnik 2024')!;
      assert.equal(dubrovnik.contents, 2);

      // The grid's filters: by tag, favourites only, least rating (each an address; the controls say so).
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Library' }).click();
      await tilesAre(page, all);
      await page.getByRole('combobox', { name: 'Tag' }).selectOption(dubrovnik.uuid);
      await tilesAre(page, 2);
      assert.match(page.url(), new RegExp(`#/\\?tag=${dubrovnik.uuid}$`));
      await page.getByRole('combobox', { name: 'Tag' }).selectOption('');
      await tilesAre(page, all);
      await page.getByRole('checkbox', { name: 'Favourites only' }).click();
      await tilesAre(page, 2);
      await page.getByRole('combobox', { name: 'Minimum rating' }).selectOption('5');
      await tilesAre(page, 1);
      assert.equal(await grid(page).locator(`a[data-uuid="${gps}"]`).count(), 1, 'the five-star favourite');
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Minimum rating', 'the control used keeps the focus');
      await page.getByRole('checkbox', { name: 'Favourites only' }).click();
      // The same one tile either way: the address says the filter went.
      await page.waitForFunction(() => document.location.hash === '#/?rating=5' && document.querySelector('input[aria-label="Favourites only"]')?.checked === false, undefined, { timeout: 10_000 });
      await page.getByRole('combobox', { name: 'Minimum rating' }).selectOption('4');
      await tilesAre(page, 2);
      await page.getByRole('combobox', { name: 'Minimum rating' }).selectOption('0');
      await tilesAre(page, all);

      // Hidden from its detail: it leaves the grid; "Show hidden" brings it back, marked.
      await grid(page).locator(`a[data-uuid="${photo}"]`).click();
      await page.getByRole('heading', { level: 1, name: nameOf('photo') }).waitFor();
      await page.getByRole('button', { name: 'Hide from the grid' }).click();
      await page.getByRole('button', { name: 'Hidden from the grid' }).waitFor();
      await metaBecomes(photo, { hidden: true }, 'hidden stored');
      await page.getByRole('button', { name: 'Back' }).click();
      await tilesAre(page, all - 1);
      // The pages shown before stay until read again (no flash of placeholders): then it is gone.
      await grid(page).locator(`a[data-uuid="${photo}"]`).waitFor({ state: 'detached', timeout: 10_000 });
      await page.getByRole('checkbox', { name: 'Show hidden' }).click();
      await tilesAre(page, all);
      await grid(page).locator(`a[data-uuid="${photo}"][aria-label="${nameOf('photo')}, hidden"]`).waitFor({ timeout: 10_000 });
      await page.getByRole('checkbox', { name: 'Show hidden' }).click();
      await tilesAre(page, all - 1);

      // Through the CLI, against the same daemon: the open grid shows it with no reload.
      const videoFav = controlsOf(page, nameOf('video')).getByRole('button', { name: 'Favourite' });
      assert.equal(await videoFav.getAttribute('aria-pressed'), 'false');
      const set = await runCli(['meta', 'set', video, '--favorite', '--rating', '3'], ui.env);
      assert.equal(set.code, 0, set.stderr);
      await page.waitForFunction((uuid: string) => {
        const group = document.querySelector(`main[aria-label="Library"] a[data-uuid="${uuid}"]`)?.parentElement?.querySelector('[role="group"]');
        return group?.querySelector('button[aria-label="Favourite"]')?.getAttribute('aria-pressed') === 'true'
          && group?.querySelector('button[aria-label="3 stars"]')?.getAttribute('aria-pressed') === 'true';
      }, video, { timeout: 15_000 });
      // And a hide through the CLI takes the tile out.
      assert.equal((await runCli(['meta', 'set', video, '--hidden'], ui.env)).code, 0);
      await tilesAre(page, all - 2);
      assert.equal(await page.evaluate(() => window.__noReload), true, 'the page was not reloaded');
      assert.deepEqual(problems, [], 'no script error in the page');
    } finally {
      await launched.close();
    }
  });
});
