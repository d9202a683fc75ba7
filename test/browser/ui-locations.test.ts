import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { FIXTURES, FIXTURES_SKIP, json, tempDir, until } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { pairDaemons } from '../sync-peers.js';
import { launchBrowser, newPage } from './launch.js';
import { keepScreenshot } from './screenshot.js';
import { UI_SKIP, daemonGet } from './ui-library.js';
import type { DeviceLocations, LocationInfo } from '../../src/wire/locations.js';

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0'];

/**
 * The Locations page (issue 32) on a laptop paired with a desktop, two real daemons over loopback
 * and a real Chromium: each of the laptop's folders shows the drive it lies on and its free space;
 * a folder moved away shows offline with the reason; Remove asks first, says the files stay, and
 * the folder leaves the page and `vss location list` while its files stay on disk; the desktop's
 * folders show under its name, connected, then not once its daemon stops. The Devices page says
 * the desktop, reached over loopback, is on this machine.
 */
describe('the Locations page', { skip: FIXTURES_SKIP || UI_SKIP, timeout: 300_000 }, () => {
  const tmp = tempDir('vss-ui-locations-');
  const A = { VSS_DATA_DIR: join(tmp.path, 'laptop') };
  const B = { VSS_DATA_DIR: join(tmp.path, 'desktop') };
  const photos = join(tmp.path, 'Photos');
  const old = join(tmp.path, 'Old');
  const documents = join(tmp.path, 'Documents');
  let http = '';
  let token = '';
  let signIn = '';
  after(async () => {
    await Promise.all([runCli(['daemon', 'stop'], A), runCli(['daemon', 'stop'], B)]);
    tmp.cleanup();
  });

  const api = <T>(path: string): Promise<T> => daemonGet<T>(http, token, path);
  const cliLocations = async () => json<LocationInfo[]>(await runCli(['location', 'list', '--json'], A));

  before(async () => {
    for (const d of [photos, old, documents]) mkdirSync(d);
    copyFileSync(join(FIXTURES, 'exif/Canon_40D.jpg'), join(photos, 'Canon_40D.jpg'));
    writeFileSync(join(old, 'notes.txt'), 'an old folder');
    writeFileSync(join(documents, 'letter.txt'), 'dear laptop');

    assert.equal((await runCli(['library', 'create', 'Home', '--path', join(tmp.path, 'libs')], A)).code, 0);
    assert.equal((await runCli(['device', 'rename', 'Laptop'], A)).code, 0);
    assert.equal((await runCli(['device', 'rename', 'Desktop'], B)).code, 0);
    assert.equal((await runCli(['daemon', 'start', ...LOOPBACK], A)).code, 0);
    assert.equal((await runCli(['daemon', 'start', ...LOOPBACK], B)).code, 0);
    for (const [dir, name] of [[photos, 'Photos'], [old, 'Old']] as const) {
      const added = await runCli(['location', 'add', dir, '--name', name], A);
      assert.equal(added.code, 0, added.stderr);
    }
    await pairDaemons(A, B);
    assert.equal((await runCli(['location', 'add', documents, '--name', 'Documents'], B)).code, 0);

    const ui = json<{ url: string; http: string }>(await runCli(['ui', '--json'], A));
    http = ui.http;
    signIn = ui.url;
    token = readFileSync(join(A.VSS_DATA_DIR, 'daemon.token'), 'utf8').trim();
    // The desktop's folder reaches the laptop (pulled on connect, and on the desktop's change after its scan).
    await until('the desktop\'s folder heard on the laptop', 60_000, async () => {
      const others = await api<DeviceLocations[]>('/api/libraries/current/locations/other-devices');
      return others.some((d) => d.name === 'Desktop' && d.connected && d.locations.some((l) => l.name === 'Documents' && l.files === 1)) ? true : undefined;
    }, 300);
  });

  const card = (page: Page, name: string) => page.getByRole('region', { name: 'Locations of this library' }).getByRole('listitem', { name, exact: true });

  it('shows each folder\'s drive and free space, why one is offline, removes one after asking (its files stay), and the desktop\'s folders under its name', async () => {
    // The drive the folders lie on, named for this test where the mount table knows it (a temp
    // folder on a filesystem vss does not count as a drive, tmpfs, has none).
    const [photosRow] = (await cliLocations()).filter((l) => l.name === 'Photos');
    assert.ok(photosRow);
    assert.ok(photosRow.free_bytes !== null && photosRow.free_bytes > 0, `location list --json carries the free space: ${JSON.stringify(photosRow)}`);
    let drive = 'Drive not known yet';
    if (photosRow.volume_id !== null) {
      const tracked = await runCli(['volumes', 'track', String(photosRow.volume_id), '--name', 'Work Disk'], A);
      assert.equal(tracked.code, 0, tracked.stderr);
      drive = 'On drive “Work Disk”';
      const text = (await runCli(['location', 'list'], A)).stdout;
      assert.match(text, /on Work Disk \([\d.]+ [KMGT]?B free of [\d.]+ [KMGT]?B\)/, 'the CLI says the drive and its free space');
    }

    const launched = await launchBrowser();
    try {
      const { page } = await newPage(launched.browser);
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(String(err)));
      assert.equal((await page.goto(signIn))?.status(), 200);
      await page.evaluate(() => { (globalThis as unknown as { location: { hash: string } }).location.hash = '#/locations'; });

      // Each of this device's folders: its drive, with its free space.
      const photosCard = card(page, 'Photos');
      await photosCard.waitFor({ timeout: 20_000 });
      const driveLine = photosCard.locator('.location-drive');
      assert.match(await driveLine.innerText(), new RegExp(`^${drive} · [\\d.]+ [KMGT]?B free of [\\d.]+ [KMGT]?B$`));
      assert.match(await card(page, 'Old').locator('.location-drive').innerText(), / free of /);

      // The other device's folders, under its name, connected now.
      const others = page.getByRole('region', { name: 'Locations of other devices' });
      const desktop = others.getByRole('listitem', { name: 'Desktop', exact: true });
      await desktop.waitFor({ timeout: 20_000 });
      assert.match(await desktop.locator('.device-reach').innerText(), /^connected$/);
      const documentsCard = desktop.getByRole('listitem', { name: 'Documents on Desktop' });
      assert.match(await documentsCard.innerText(), /Documents[\s\S]*1 file · 0 folders · 11 B/);
      assert.ok((await documentsCard.innerText()).includes(realpathSync(documents)), 'its folder as the desktop shows it');
      await shot(page, 'online');

      // A folder moved away: after a refresh it is offline, and says why.
      renameSync(old, `${old}-moved`);
      await page.reload();
      const oldCard = card(page, 'Old');
      await oldCard.locator('.status-offline').waitFor({ timeout: 20_000 });
      assert.equal(await oldCard.getByRole('note').innerText(), `Offline: its folder ${realpathSync(tmp.path)}/Old is missing.`);
      assert.equal(await oldCard.locator('.location-drive').innerText(), drive, 'no free space told for a folder that is not there');
      assert.equal(await oldCard.getByRole('button', { name: 'Rescan' }).isDisabled(), true);
      const oldRow = (await cliLocations()).find((l) => l.name === 'Old')!;
      assert.deepEqual([oldRow.online, oldRow.offline_reason], [false, `its folder ${realpathSync(tmp.path)}/Old is missing`], 'the CLI agrees');
      await shot(page, 'offline');

      // Remove asks first and says the files stay; Cancel keeps the folder.
      await photosCard.getByRole('button', { name: 'Remove Photos' }).click();
      const ask = photosCard.getByRole('alertdialog', { name: 'Remove Photos?' });
      await ask.waitFor({ timeout: 5_000 });
      assert.match(await ask.innerText(), /The files on disk are not touched/);
      await ask.getByRole('button', { name: 'Cancel' }).click();
      await ask.waitFor({ state: 'detached', timeout: 5_000 });
      assert.ok((await cliLocations()).some((l) => l.name === 'Photos'), 'cancelled: still a location');
      await photosCard.getByRole('button', { name: 'Remove Photos' }).click();
      await shot(page, 'remove-confirm');
      await ask.getByRole('button', { name: 'Remove from library' }).click();
      await photosCard.waitFor({ state: 'detached', timeout: 20_000 });
      assert.deepEqual((await cliLocations()).map((l) => l.name), ['Old'], '`vss location list` agrees');
      assert.ok(existsSync(join(photos, 'Canon_40D.jpg')), 'the files on disk are still there');
      await page.reload();
      await card(page, 'Old').waitFor({ timeout: 20_000 });
      assert.equal(await card(page, 'Photos').count(), 0, 'gone after a reload too');

      // The Devices page: the desktop by its name, reached over loopback, so on this machine.
      await page.evaluate(() => { (globalThis as unknown as { location: { hash: string } }).location.hash = '#/devices'; });
      const device = page.locator('li.device', { has: page.getByRole('heading', { name: 'Desktop' }) });
      await device.waitFor({ timeout: 20_000 });
      assert.match(await device.locator('.device-reach').innerText(), /^online · on this machine/);
      // Remove asks first, saying no file is deleted; Cancel keeps it in the library.
      await device.getByRole('button', { name: 'Remove Desktop' }).click();
      const asked = device.getByRole('alertdialog', { name: 'Remove Desktop?' });
      await asked.waitFor({ timeout: 5_000 });
      assert.match(await asked.innerText(), /No file is deleted/);
      await shot(page, 'devices');
      await asked.getByRole('button', { name: 'Cancel' }).click();
      await asked.waitFor({ state: 'detached', timeout: 5_000 });
      assert.equal(json<unknown[]>(await runCli(['devices', 'list', '--json'], A)).length, 1, 'still paired');

      // The desktop goes away: its folders stay listed, as last heard, and it is no longer connected.
      await page.evaluate(() => { (globalThis as unknown as { location: { hash: string } }).location.hash = '#/locations'; });
      assert.equal((await runCli(['daemon', 'stop'], B)).code, 0);
      await desktop.locator('.device-reach', { hasText: /^not connected/ }).waitFor({ timeout: 45_000 });
      assert.match(await desktop.getByRole('listitem', { name: 'Documents on Desktop' }).innerText(), /as last heard/);
      await shot(page, 'desktop-away');
      assert.deepEqual(problems, [], 'no script error in the page');
    } finally {
      await launched.close();
    }
  });
});

async function shot(page: Page, name: string): Promise<void> {
  await keepScreenshot(page, `locations-${name}`);
}
