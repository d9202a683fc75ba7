/**
 * Issue 46 item 4 in a real Chromium: the web app opened on the relay box, paired away from home
 * by the address `vss ui pair --away` printed, shows the home device's library — its photo's
 * thumbnail, fetched by the box's service worker end to end through the box — and its key stays
 * the browser's (the same peer id after a reload, read back from the home's devices list). Real
 * daemons on loopback; Chromium trusts the box's certificate by its key alone
 * (--ignore-certificate-errors-spki-list), as a phone trusts a box's real certificate.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { json, until } from '../helpers.js';
import { AWAY_SKIP, awaySetup, filesUnder, plaintextWindowsIn, type AwaySetup } from '../support/away-setup.js';
import { thumbnailShown, uploadThroughPage } from './away-page.js';
import { launchBrowser, newPage } from './launch.js';
import { UI_SKIP } from './ui-library.js';

describe('the web app away from home, through the relay box', { skip: UI_SKIP || AWAY_SKIP, timeout: 300_000 }, () => {
  let t!: AwaySetup;
  before(async () => {
    t = await awaySetup('vss-ui-away-');
    // A photo of the home's library, its thumbnail made by the home's daemon.
    await sharp({ create: { width: 320, height: 240, channels: 3, background: { r: 200, g: 90, b: 40 } } }).jpeg().toFile(join(t.photos, 'sunset.jpg'));
    await t.cli(t.HOME, 'location', 'rescan', t.photos);
  });
  after(async () => {
    await t?.stop();
  });

  it('pairs on the box by the address, then shows the home library\'s photo through the box', async () => {
    const pair = json<{ url: string }>(await t.cli(t.HOME, '--json', 'ui', 'pair', '--away', '--name', 'Phone away'));
    const launched = await launchBrowser({ args: [`--ignore-certificate-errors-spki-list=${t.spki}`] });
    try {
      const { page } = await newPage(launched.browser, { width: 390, height: 844, timeoutMs: 30_000 });
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(String(err)));
      const opened = Date.now();
      assert.equal((await page.goto(pair.url))?.status(), 200);
      // The fragment (ticket and home) leaves the address bar once kept.
      await until('the pairing fragment is gone', 30_000, async () => (new URL(page.url()).hash === '' ? true : undefined));
      await thumbnailShown(page, 'a thumbnail shows');
      const shownMs = Date.now() - opened;
      const devices = json<Array<{ kind: string; id: string; name: string; reached: string }>>(await t.cli(t.HOME, '--json', 'devices', 'list'));
      const phone = devices.find((d) => d.name === 'Phone away');
      assert.equal(phone?.reached, 'relay');

      // An upload from the phone, through the box: it lands in its folder at home whole, and the box saw none of it.
      const photo = join(t.tmp, 'from-the-phone.jpg');
      await sharp(randomBytes(160 * 120 * 3), { raw: { width: 160, height: 120, channels: 3 } }).jpeg({ quality: 95 }).toFile(photo);
      const bytes = readFileSync(photo);
      await uploadThroughPage(page, photo, 60_000);
      const landed = filesUnder(join(t.photos, 'Uploads')).filter((p) => p.endsWith('from-the-phone.jpg'));
      assert.equal(landed.length, 1, `landed once: ${landed.join(', ')}`);
      assert.ok(readFileSync(landed[0]!).equals(bytes), 'whole');
      const carried = readFileSync(t.tap);
      assert.ok(carried.length > bytes.length, `the box carried the upload (${carried.length} bytes)`);
      assert.equal(plaintextWindowsIn(carried, bytes), 0, 'no 32-byte window of the photo in what the box carried');
      assert.ok(!carried.includes(Buffer.from('"name":"Home"')), 'nor the library\'s JSON');
      // Opened again (paired: its key kept in the browser): the library shows, as the same browser device.
      const reopened = Date.now();
      await page.reload();
      await thumbnailShown(page, 'a thumbnail shows again');
      const reopenedMs = Date.now() - reopened;
      const browsers = json<Array<{ kind: string }>>(await t.cli(t.HOME, '--json', 'devices', 'list')).filter((d) => d.kind === 'browser');
      assert.equal(browsers.length, 1, 'the same browser device, by the key it kept');
      assert.deepEqual(problems, []);
      console.log(`# a thumbnail shown ${shownMs} ms after opening the pairing address, ${reopenedMs} ms after opening the app again; the box carried ${carried.length} bytes, none of them plaintext`);
    } finally {
      await launched.close();
    }
  });
});
