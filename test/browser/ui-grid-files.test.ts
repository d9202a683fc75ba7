import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { json, tempDir, until } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { pairDaemons } from '../sync-peers.js';
import { launchBrowser, newPage } from './launch.js';
import { keepScreenshot } from './screenshot.js';
import { UI_SKIP, daemonGet } from './ui-library.js';

// Inside page.evaluate the page's globals exist; this project compiles without the DOM lib.
declare const document: any;

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0'];

/** A small JPEG, its colour (SHADE) telling it apart. */
async function photo(path: string, shade: number): Promise<void> {
  await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: shade, g: 120, b: 255 - shade } } }).jpeg({ quality: 80 }).toFile(path);
}

interface Item { content_uuid: string; name: string; local: boolean; devices: string[] }

/**
 * The grid's bulk file actions (issue 32 item 3) in a real headless Chromium against two real
 * paired daemons (a laptop and a desktop, over loopback), driven on the desktop: picked photos
 * copied into a folder of another location (same bytes there), one moved (gone from its folder,
 * there), a delete of two where one has a second copy on the laptop and the other has none: the
 * plan names the refused one with the Guardian's reason, the rest is deleted and nothing of the
 * refused one is lost; then a picked photo sent to the laptop's inbox. Each checked on disk.
 */
describe('the grid\'s bulk copy, move, delete and send', { skip: UI_SKIP, timeout: 300_000 }, () => {
  const tmp = tempDir('vss-ui-grid-files-');
  const A = { VSS_DATA_DIR: join(tmp.path, 'laptop') };
  const B = { VSS_DATA_DIR: join(tmp.path, 'desktop') };
  const laptopPhotos = join(tmp.path, 'LaptopPhotos');
  const pictures = join(tmp.path, 'Pictures');
  const backup = join(tmp.path, 'Backup');
  const inbox = join(tmp.path, 'laptop-inbox');
  const NAMES = ['shared.jpg', 'only.jpg', 'copyme.jpg', 'moveme.jpg'] as const;
  const bytes = new Map<string, Buffer>();
  let http = '';
  let token = '';
  let signIn = '';
  after(async () => {
    await Promise.all([runCli(['daemon', 'stop'], A), runCli(['daemon', 'stop'], B)]);
    tmp.cleanup();
  });

  const api = <T>(path: string): Promise<T> => daemonGet<T>(http, token, path);
  const gridItems = async () => (await api<{ items: Item[] }>('/api/libraries/current/grid?offset=0&limit=100')).items;
  let uuidOf: (name: string) => string = () => '';

  before(async () => {
    for (const d of [laptopPhotos, pictures, backup]) mkdirSync(d);
    for (const [i, name] of NAMES.entries()) {
      await photo(join(pictures, name), 40 + 50 * i);
      bytes.set(name, readFileSync(join(pictures, name)));
    }
    // The laptop holds a second copy of one of them.
    await photo(join(laptopPhotos, 'shared.jpg'), 40);
    assert.ok(readFileSync(join(laptopPhotos, 'shared.jpg')).equals(bytes.get('shared.jpg')!));

    assert.equal((await runCli(['library', 'create', 'Home', '--path', join(tmp.path, 'libs')], A)).code, 0);
    assert.equal((await runCli(['device', 'rename', 'Laptop'], A)).code, 0);
    assert.equal((await runCli(['device', 'rename', 'Desktop'], B)).code, 0);
    assert.equal((await runCli(['daemon', 'start', ...LOOPBACK], A)).code, 0);
    assert.equal((await runCli(['daemon', 'start', ...LOOPBACK], B)).code, 0);
    assert.equal((await runCli(['location', 'add', laptopPhotos, '--name', 'Photos', '--mode', 'content'], A)).code, 0);
    await pairDaemons(A, B);
    assert.equal((await runCli(['files', 'inbox', '--dir', inbox], A)).code, 0);
    for (const [dir, name] of [[pictures, 'Pictures'], [backup, 'Backup']] as const) {
      const added = await runCli(['location', 'add', dir, '--name', name, '--mode', 'content'], B);
      assert.equal(added.code, 0, added.stderr);
    }
    // One copy anywhere is enough: deleting the desktop's file of what the laptop holds too is allowed, the only copy of anything is not.
    const policy = await runCli(['guardian', 'policy', '--copies', '1'], B);
    assert.equal(policy.code, 0, policy.stderr);

    const ui = json<{ url: string; http: string }>(await runCli(['ui', '--json'], B));
    http = ui.http;
    signIn = ui.url;
    token = readFileSync(join(B.VSS_DATA_DIR, 'daemon.token'), 'utf8').trim();
    // The laptop's copy is known to the desktop (its index pulled on connect and after its scan).
    const items = await until('the desktop knows the laptop\'s copy of shared.jpg', 60_000, async () => {
      const all = await gridItems();
      const shared = all.find((i) => i.name === 'shared.jpg');
      return all.length === NAMES.length && shared && shared.devices.length === 2 ? all : undefined;
    }, 300);
    uuidOf = (name) => items.find((i) => i.name === name)!.content_uuid;
  });

  const grid = (page: Page) => page.getByRole('main', { name: 'Library' });
  const bar = (page: Page) => page.getByRole('toolbar', { name: 'Selected items' });
  /** Pick the tiles of NAMES (their checkboxes), from an empty pick. */
  const pick = async (page: Page, ...names: string[]) => {
    for (const name of names) {
      const i = await grid(page).locator(`a[data-uuid="${uuidOf(name)}"]`).getAttribute('data-i', { timeout: 10_000 });
      await page.locator(`input[data-pick="${i}"]`).click();
    }
    await bar(page).getByText(`${names.length} ${names.length === 1 ? 'item' : 'items'} selected`).waitFor({ timeout: 10_000 });
  };
  const clear = async (page: Page) => {
    await bar(page).getByRole('button', { name: 'Clear selection' }).click();
    await bar(page).waitFor({ state: 'detached', timeout: 10_000 });
  };
  const sameBytes = (path: string, name: string) => existsSync(path) && readFileSync(path).equals(bytes.get(name)!);

  it('copies and moves picked photos into a folder, deletes what the Guardian lets go and keeps the last copy with its reason, and sends one to the laptop', async () => {
    const launched = await launchBrowser();
    try {
      const { page } = await newPage(launched.browser, { width: 1280, height: 900 });
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(String(err)));
      assert.equal((await page.goto(signIn))?.status(), 200);
      await page.evaluate(() => { document.location.hash = '#/?kinds=all'; });
      await page.waitForFunction((n: number) => document.querySelectorAll('main[aria-label="Library"] a[data-uuid]').length === n, NAMES.length, { timeout: 30_000 });

      // Copy two into Backup/picked: planned, asked for, then one job; the same bytes there, the originals stay.
      await pick(page, 'copyme.jpg', 'only.jpg');
      await bar(page).getByRole('button', { name: 'Copy to…' }).click();
      const copy = bar(page).getByRole('region', { name: 'Copy selected' });
      await copy.getByLabel('Destination location').selectOption({ label: 'Backup' });
      await copy.getByLabel('Destination folder').fill('picked');
      await copy.getByRole('button', { name: 'Copy…' }).click();
      const askCopy = copy.getByRole('alertdialog', { name: 'Confirm copy' });
      await askCopy.waitFor({ timeout: 20_000 });
      assert.match(await askCopy.innerText(), /Copy 2 files .* into Backup\/picked\?/);
      await askCopy.getByRole('button', { name: 'Copy', exact: true }).click();
      await copy.getByRole('status').filter({ hasText: 'Copied 2 files' }).waitFor({ timeout: 30_000 });
      for (const name of ['copyme.jpg', 'only.jpg']) {
        assert.ok(sameBytes(join(backup, 'picked', name), name), `${name} copied, byte for byte`);
        assert.ok(sameBytes(join(pictures, name), name), `${name} is still where it was`);
      }
      await copy.getByRole('button', { name: 'Close' }).click();
      await clear(page);

      // Move one into Backup/moved: gone from Pictures, there with its bytes.
      await pick(page, 'moveme.jpg');
      await bar(page).getByRole('button', { name: 'Move to…' }).click();
      const move = bar(page).getByRole('region', { name: 'Move selected' });
      await move.getByLabel('Destination location').selectOption({ label: 'Backup' });
      await move.getByLabel('Destination folder').fill('moved');
      await move.getByRole('button', { name: 'Move…' }).click();
      await move.getByRole('alertdialog', { name: 'Confirm move' }).getByRole('button', { name: 'Move', exact: true }).click();
      await move.getByRole('status').filter({ hasText: 'Moved 1 file' }).waitFor({ timeout: 30_000 });
      assert.ok(!existsSync(join(pictures, 'moveme.jpg')), 'moved away from Pictures');
      assert.ok(sameBytes(join(backup, 'moved', 'moveme.jpg'), 'moveme.jpg'), 'moved there, byte for byte');
      await move.getByRole('button', { name: 'Close' }).click();
      await clear(page);

      // Delete two: shared.jpg has a second copy on the laptop, only.jpg none (its two files here are on one drive: one copy).
      await pick(page, 'shared.jpg', 'only.jpg');
      await bar(page).getByRole('button', { name: 'Delete…' }).click();
      const del = bar(page).getByRole('region', { name: 'Delete selected' });
      await del.getByRole('button', { name: 'Delete…' }).click();
      const askDelete = del.getByRole('alertdialog', { name: 'Confirm delete' });
      await askDelete.waitFor({ timeout: 20_000 });
      // The plan: three files (shared's one, only's two), never refused (DESIGN §21); it says only.jpg then exists nowhere else.
      assert.match(await askDelete.innerText(), /Move 3 files .* to the trash\?/);
      assert.match(await askDelete.innerText(), /1 item exists nowhere else: it stays in the trash for 30 days, then is gone/);
      assert.deepEqual(await askDelete.getByRole('list', { name: 'Nowhere else' }).locator('li').allInnerTexts(), ['only.jpg']);
      assert.ok(existsSync(join(pictures, 'shared.jpg')), 'a plan deletes nothing');
      await shot(page, 'grid-bulk-delete-plan');
      await askDelete.getByRole('button', { name: 'Delete 3 files' }).click();
      await del.getByRole('status').filter({ hasText: /^Deleted 3 files into the trash \(job \d+\)$/ }).waitFor({ timeout: 30_000 });
      assert.deepEqual(await del.getByRole('list', { name: 'Nowhere else' }).locator('li').allInnerTexts(), ['only.jpg']);
      await shot(page, 'grid-bulk-delete-done');
      assert.ok(!existsSync(join(pictures, 'shared.jpg')), 'the desktop\'s file of shared.jpg is deleted');
      assert.ok(sameBytes(join(laptopPhotos, 'shared.jpg'), 'shared.jpg'), 'the laptop\'s copy is untouched');
      assert.ok(!existsSync(join(pictures, 'only.jpg')) && !existsSync(join(backup, 'picked', 'only.jpg')), 'both files of only.jpg are in the trash');
      await del.getByRole('button', { name: 'Close' }).click();
      await clear(page);

      // The Trash page: the deleted file, where it was; restored, it is back byte for byte (and in the grid).
      await page.evaluate(() => { document.location.hash = '#/trash'; });
      const inTrash = page.getByRole('list', { name: 'In the trash' });
      await inTrash.getByText('shared.jpg', { exact: true }).waitFor({ timeout: 20_000 });
      await shot(page, 'trash');
      // Each put back in turn: the list shortens by one each time, to empty.
      for (let left = 3; left > 0; left--) {
        await inTrash.getByRole('button', { name: /^Restore / }).first().click();
        if (left > 1) await page.waitForFunction((n: number) => document.querySelectorAll('[aria-label="In the trash"] li').length === n, left - 1, { timeout: 20_000 });
      }
      await page.getByText('The trash is empty.').waitFor({ timeout: 20_000 });
      assert.ok(sameBytes(join(pictures, 'shared.jpg'), 'shared.jpg'), 'restored to its path, byte for byte');
      assert.ok(sameBytes(join(pictures, 'only.jpg'), 'only.jpg') && sameBytes(join(backup, 'picked', 'only.jpg'), 'only.jpg'), 'only.jpg\'s two files restored, byte for byte');
      await page.evaluate(() => { document.location.hash = '#/?kinds=all'; });
      await page.waitForFunction((n: number) => document.querySelectorAll('main[aria-label="Library"] a[data-uuid]').length === n, NAMES.length, { timeout: 30_000 });

      // Send one to the laptop: it lands in the laptop's inbox, verified.
      await pick(page, 'copyme.jpg');
      await bar(page).getByRole('button', { name: 'Send to…' }).click();
      const send = bar(page).getByRole('region', { name: 'Send to a device' });
      await send.getByRole('combobox', { name: 'Send to' }).selectOption({ label: 'Laptop' });
      await send.getByRole('button', { name: 'Send' }).click();
      await send.locator('.status-completed').waitFor({ timeout: 30_000 });
      assert.ok(sameBytes(join(inbox, 'copyme.jpg'), 'copyme.jpg'), 'sent to the laptop, byte for byte');

      // The Jobs page lists what ran.
      const jobs = json<Array<{ kind: string; status: string }>>(await runCli(['jobs', 'list', '--json'], B));
      for (const kind of ['files-copy', 'files-move', 'files-delete', 'files-send']) {
        assert.ok(jobs.some((j) => j.kind === kind && j.status === 'completed'), `a completed ${kind} job: ${JSON.stringify(jobs.map((j) => [j.kind, j.status]))}`);
      }
      assert.deepEqual(problems, [], 'no script error in the page');
    } finally {
      await launched.close();
    }
  });
});

async function shot(page: Page, name: string): Promise<void> {
  await keepScreenshot(page, name, false);
}
