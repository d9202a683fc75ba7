import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { json, tempDir, until } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { launchBrowser, newPage } from './launch.js';
import { keepScreenshot } from './screenshot.js';
import { UI_SKIP } from './ui-library.js';

// Inside page.evaluate the page's globals exist; this project compiles without the DOM lib.
declare const document: any;

/** The photos made, by day (the camera's clock): newest day first, as the grid orders them. */
const DAYS = [
  { day: '2023-05-02', prefix: 'may', count: 8 },
  { day: '2022-03-20', prefix: 'spring', count: 8 },
  { day: '2021-07-14', prefix: 'summer', count: 3 },
] as const;
const PHOTOS = DAYS.reduce((n, d) => n + d.count, 0);

/** A small JPEG taken on DAY at HOUR (EXIF DateTimeOriginal), its colour telling it apart. */
async function photo(path: string, day: string, hour: number, shade: number): Promise<void> {
  const taken = `${day.replaceAll('-', ':')} ${String(hour).padStart(2, '0')}:00:00`;
  await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: shade, g: 120, b: 255 - shade } } })
    .jpeg({ quality: 80 })
    .withExif({ IFD0: { Make: 'vss', Model: 'test' }, IFD2: { DateTimeOriginal: taken } })
    .toFile(path);
}

interface Content { content_uuid: string; paths: string[] }

/**
 * The photo-first grid (issue 32 item 3) in a real headless Chromium against a real daemon: only
 * photos and videos until one click shows the other files; tiles picked by checkbox, Shift-click
 * (across two days), Ctrl-click and a day's "select day", tagged and put in an album in one call
 * each (the CLI finds them); an album's address shows its photos under its name; the scrubber
 * beside the grid jumps to a year.
 */
describe('the photo grid: kinds, picking, bulk actions, the scrubber', { skip: UI_SKIP, timeout: 300_000 }, () => {
  const tmp = tempDir('vss-ui-grid-select-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  const offline = { ...env, VSS_NO_DAEMON: '1' };
  let url = '';
  let uuidOf: (name: string) => string = () => '';
  before(async () => {
    const tree = join(tmp.path, 'Pictures');
    mkdirSync(tree);
    for (const d of DAYS) {
      for (let i = 0; i < d.count; i++) await photo(join(tree, `${d.prefix}-${i}.jpg`), d.day, 8 + i, 30 * i);
    }
    writeFileSync(join(tree, 'notes.txt'), 'packing list: passport, charger\n');
    json(await runCli(['library', 'create', 'Photos', '--path', tmp.path, '--json'], offline));
    json(await runCli(['location', 'add', tree, '--mode', 'deep', '--generate', 'thumb=grid@1x', '--json'], offline));
    const run = await runCli(['jobs', 'run', '--until-idle'], offline);
    assert.equal(run.code, 0, run.stderr);
    const contents = json<Content[]>(await runCli(['content', 'list', '--json'], offline));
    uuidOf = (name) => {
      const c = contents.find((x) => x.paths.some((p) => basename(p) === name));
      assert.ok(c, `${name} is in the library`);
      return c.content_uuid;
    };
    const ui = json<{ url: string; http: string }>(await runCli(['ui', '--json'], env));
    url = ui.url;
  });
  after(async () => {
    await runCli(['daemon', 'stop'], env);
    tmp.cleanup();
  });

  const main = (page: Page) => page.getByRole('main', { name: 'Library' });
  const bar = (page: Page) => page.getByRole('toolbar', { name: 'Selected items' });
  const scrubber = (page: Page) => page.getByRole('navigation', { name: 'Years and months' });
  /** The tiles drawn now: their names and contents, in the grid's order. */
  const tiles = (page: Page) => page.evaluate(() => [...document.querySelectorAll('main[aria-label="Library"] a[data-uuid]')]
    .map((a: any) => ({ i: Number(a.dataset.i), uuid: a.dataset.uuid as string, name: a.getAttribute('aria-label') as string })));
  const tilesAre = async (page: Page, n: number) => {
    try {
      await page.waitForFunction((want: number) => document.querySelectorAll('main[aria-label="Library"] a[data-uuid]').length === want, n, { timeout: 15_000 });
    } catch (err) {
      throw new Error(`${n} tiles wanted: ${JSON.stringify({ hash: await page.evaluate(() => document.location.hash), tiles: await tiles(page) })} (${String(err)})`);
    }
  };
  /** Whether the heading of DAY is inside the grid's visible part. */
  const dayInView = (page: Page, day: string) => page.waitForFunction((d: string) => {
    const m = document.querySelector('main[aria-label="Library"]');
    const t = m?.querySelector(`.grid time[datetime="${d}"]`);
    if (!m || !t) return false;
    const a = m.getBoundingClientRect();
    const b = t.getBoundingClientRect();
    return b.top >= a.top && b.bottom <= a.bottom;
  }, day, { timeout: 10_000 });
  const countIs = (page: Page, n: number) => bar(page).getByText(`${n} ${n === 1 ? 'item' : 'items'} selected`).waitFor({ timeout: 10_000 });
  const checkedUuids = (page: Page) => page.evaluate(() => [...document.querySelectorAll('main[aria-label="Library"] .tile input[type="checkbox"]:checked')]
    .map((c: any) => c.closest('.tile').querySelector('a[data-uuid]').dataset.uuid as string).sort());

  it('shows photos first, picks across days, tags and files them in one call each, and scrolls to a year', async () => {
    const launched = await launchBrowser();
    try {
      const { page } = await newPage(launched.browser, { width: 1000, height: 700 });
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(String(err)));
      const requests: Array<{ path: string; contents: number }> = [];
      page.on('request', (r) => {
        if (r.method() === 'POST' && /\/(tags\/add|albums\/add|meta)$/.test(new URL(r.url()).pathname)) {
          requests.push({ path: new URL(r.url()).pathname.replace(/.*\/libraries\/[^/]+/, ''), contents: (JSON.parse(r.postData() ?? '{}') as { contents?: string[] }).contents?.length ?? 0 });
        }
      });
      assert.equal((await page.goto(url))?.status(), 200);

      // Photos and videos only: the document waits behind one click ("Other files"), and "Everything" shows both.
      await main(page).locator('a[data-uuid]').first().waitFor({ timeout: 20_000 });
      await scrubber(page).getByRole('button', { name: '2021' }).click();
      await dayInView(page, '2021-07-14');
      await scrubber(page).getByRole('button', { name: '2023' }).click();
      await dayInView(page, '2023-05-02');
      const kinds = page.getByRole('group', { name: 'Kinds shown' });
      assert.equal(await kinds.getByRole('button', { name: 'Photos and videos' }).getAttribute('aria-pressed'), 'true');
      assert.equal(await main(page).locator(`a[data-uuid="${uuidOf('notes.txt')}"]`).count(), 0, 'no document in the photo grid');
      await kinds.getByRole('button', { name: 'Other files' }).click();
      await tilesAre(page, 1);
      assert.equal((await tiles(page))[0]!.uuid, uuidOf('notes.txt'));
      assert.match(page.url(), /#\/\?kinds=[a-z,]*document/);
      await kinds.getByRole('button', { name: 'Everything' }).click();
      await page.waitForFunction(() => document.location.hash === '#/?kinds=all', undefined, { timeout: 10_000 });
      await main(page).locator(`a[data-uuid="${uuidOf('notes.txt')}"]`).waitFor({ timeout: 10_000 });
      await kinds.getByRole('button', { name: 'Photos and videos' }).click();
      await page.waitForFunction(() => document.location.hash === '#/', undefined, { timeout: 10_000 });
      await main(page).locator(`a[data-uuid="${uuidOf('notes.txt')}"]`).waitFor({ state: 'detached', timeout: 10_000 });

      // The scrubber: each year, and the months of the year on screen; a press scrolls there.
      assert.deepEqual(await scrubber(page).getByRole('button').filter({ hasText: /^\d{4}$/ }).allInnerTexts(), ['2023', '2022', '2021']);
      await scrubber(page).getByRole('button', { name: '2022' }).click();
      await dayInView(page, '2022-03-20');

      // A range across two days: a checkbox, then Shift on another's (the last two of 2022, the first two of 2021).
      const firstOf2021 = DAYS[0].count + DAYS[1].count;
      const range = [firstOf2021 - 2, firstOf2021 - 1, firstOf2021, firstOf2021 + 1];
      await page.locator(`input[data-pick="${range[0]}"]`).click();
      await countIs(page, 1);
      await page.locator(`input[data-pick="${range[3]}"]`).click({ modifiers: ['Shift'] });
      await countIs(page, 4);
      const drawn = await tiles(page);
      const picked = range.map((i) => drawn.find((t) => t.i === i)!.uuid).sort();
      assert.deepEqual(await checkedUuids(page), picked, 'the four tiles of the range are checked');
      // Ctrl-click takes one out and puts it back, without opening it.
      const tileAt = (i: number) => main(page).locator(`a[data-i="${i}"]`);
      await tileAt(range[1]!).click({ modifiers: ['Control'] });
      await countIs(page, 3);
      await tileAt(range[1]!).click({ modifiers: ['Control'] });
      await countIs(page, 4);
      assert.match(page.url(), /#\/$/, 'a Ctrl-click does not open the detail');

      // Tag them all in one call; the CLI's search finds exactly those.
      await bar(page).getByRole('button', { name: 'Tag…' }).click();
      const tagBox = bar(page).getByRole('combobox', { name: 'Tag selected' });
      await tagBox.fill('Trip');
      await tagBox.press('Enter');
      const found = await until('search tag:Trip finds the four', 20_000, async () => {
        const r = await runCli(['search', 'tag:Trip', '--json'], env);
        if (r.code !== 0) throw new Error(r.stderr);
        const uuids = (JSON.parse(r.stdout) as Array<{ content_uuid: string }>).map((x) => x.content_uuid).sort();
        return uuids.length === 4 ? uuids : undefined;
      }, 250);
      assert.deepEqual(found, picked);
      assert.deepEqual(requests.filter((r) => r.path === '/tags/add'), [{ path: '/tags/add', contents: 4 }], 'one call with the four');
      await countIs(page, 4);

      // Escape clears (from the grid, not from a field).
      await tileAt(range[0]!).focus();
      await page.keyboard.press('Escape');
      await bar(page).waitFor({ state: 'detached', timeout: 10_000 });
      assert.deepEqual(await checkedUuids(page), []);

      // A whole day by its "select day", then Space on a focused tile adds one more; into an album in one call.
      await scrubber(page).getByRole('button', { name: '2023' }).click();
      await dayInView(page, '2023-05-02');
      await main(page).getByRole('button', { name: /^Select day .*2023/ }).click();
      await countIs(page, DAYS[0].count);
      await tileAt(DAYS[0].count).focus();
      await page.keyboard.press(' ');
      await countIs(page, DAYS[0].count + 1);
      const chosen = await checkedUuids(page);
      assert.equal(chosen.length, DAYS[0].count + 1);
      await shot(page, 'grid-selection');
      await bar(page).getByRole('button', { name: 'Add to album…' }).click();
      const albumBox = bar(page).getByRole('combobox', { name: 'Album name' });
      await albumBox.fill('Holiday');
      await albumBox.press('Enter');
      const album = await until('the album holds them', 20_000, async () => {
        const r = await runCli(['album', 'show', 'Holiday', '--json'], env);
        if (r.code !== 0) return undefined;
        const a = JSON.parse(r.stdout) as { album_id: string; contents: string[] };
        return a.contents.length === chosen.length ? a : undefined;
      }, 250);
      assert.deepEqual([...album.contents].sort(), chosen);
      assert.deepEqual(requests.filter((r) => r.path === '/albums/add'), [{ path: '/albums/add', contents: chosen.length }]);

      // Favourite them all: one call; each tile says so.
      await bar(page).getByRole('button', { name: 'Favourite', exact: true }).click();
      await page.waitForFunction((n: number) => document.querySelectorAll('main[aria-label="Library"] .tile-meta button[aria-label="Favourite"][aria-pressed="true"]').length >= n, chosen.length, { timeout: 15_000 });
      assert.deepEqual(requests.filter((r) => r.path === '/meta'), [{ path: '/meta', contents: chosen.length }]);

      // The album's address: its photos under its name.
      await page.evaluate((id: string) => { document.location.hash = `#/?album=${id}`; }, album.album_id);
      await page.locator('.album-header h2', { hasText: 'Holiday' }).waitFor({ timeout: 10_000 });
      await tilesAre(page, chosen.length);
      assert.deepEqual((await tiles(page)).map((t) => t.uuid).sort(), chosen);
      assert.deepEqual(problems, [], 'no script error in the page');
      assert.ok(PHOTOS > chosen.length);
    } finally {
      await launched.close();
    }
  });
});

async function shot(page: Page, name: string): Promise<void> {
  await keepScreenshot(page, name, false);
}
