/**
 * Issue 61 "and one through the box": an album shared by a link, opened by a browser that was never
 * paired, away from home — the web app on the relay box, the guest's requests end to end through
 * the box to the home (its own Noise key, the box carrying ciphertext) — sees exactly the album,
 * fetches an original byte for byte, is refused another content's original, and is refused once the
 * share is revoked. Real daemons on loopback; Chromium trusts the box's certificate by its key.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { json, until } from '../helpers.js';
import { AWAY_SKIP, awaySetup, plaintextWindowsIn, type AwaySetup } from '../support/away-setup.js';
import { launchBrowser, newPage } from './launch.js';
import { keepScreenshot } from './screenshot.js';
import { UI_SKIP } from './ui-library.js';

// Inside page.evaluate the page's globals exist; this project compiles without the DOM lib.
declare const fetch: any;

describe('a shared album opened away from home, through the relay box', { skip: UI_SKIP || AWAY_SKIP, timeout: 300_000 }, () => {
  let t!: AwaySetup;
  before(async () => {
    t = await awaySetup('vss-ui-share-away-');
    for (const [i, name] of ['kite.jpg', 'other.jpg'].entries()) {
      await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 220 - 100 * i, g: 60, b: 90 + 100 * i } } }).jpeg().toFile(join(t.photos, name));
    }
    await t.cli(t.HOME, 'location', 'rescan', t.photos);
    const added = await t.cli(t.HOME, 'album', 'add', 'Kites', join(t.photos, 'kite.jpg'));
    assert.equal(added.code, 0, added.stderr);
  });
  after(async () => {
    await t?.stop();
  });

  it('shows the album through the box, an original byte for byte, nothing else, and nothing once revoked', async () => {
    const made = json<{ share_id: string; urls: string[] }>(await t.cli(t.HOME, '--json', 'album', 'share', 'Kites', '--download'));
    const away = made.urls.find((u) => u.startsWith(t.boxWeb));
    assert.ok(away && /#share=[A-Za-z0-9_-]{43}&home=/.test(away), `a link on the box: ${made.urls.join(' ')}`);
    const uuidOf = async (name: string) => json<{ content_uuid: string }>(await t.cli(t.HOME, '--json', 'meta', 'show', join(t.photos, name))).content_uuid;
    const [kite, other] = [await uuidOf('kite.jpg'), await uuidOf('other.jpg')];
    const launched = await launchBrowser({ args: [`--ignore-certificate-errors-spki-list=${t.spki}`] });
    try {
      const { page } = await newPage(launched.browser, { width: 390, height: 844, timeoutMs: 30_000 });
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(String(err)));
      await page.goto(away);
      await page.getByRole('heading', { name: 'Kites' }).waitFor({ timeout: 60_000 }).catch(async (err: Error) => {
        throw new Error(`${err.message.split('\n')[0]}; the page says: ${(await page.locator('body').innerText()).slice(0, 600)}`);
      });
      await until('the fragment is gone', 30_000, async () => (new URL(page.url()).hash === '' || new URL(page.url()).hash.startsWith('#/') ? true : undefined));
      assert.equal(await page.locator('.shared-tile').count(), 1);
      await until('the tile drawn', 60_000, async () => (await page.locator('.shared-tile img').evaluate((i: any) => i.complete && i.naturalWidth > 0)) || undefined, 250);
      await keepScreenshot(page, 'shared-album-away-phone');
      const got = await page.evaluate(async (u: string) => [...new Uint8Array(await (await fetch(`/api/share/original/${u}`)).arrayBuffer())], kite);
      const bytes = readFileSync(join(t.photos, 'kite.jpg'));
      assert.ok(Buffer.from(got).equals(bytes), 'the original through the box, byte for byte');
      assert.equal(plaintextWindowsIn(readFileSync(t.tap), bytes), 0, 'the box carried none of it in the clear');
      const status = (url: string) => page.evaluate(async (x: string) => (await fetch(x)).status, url);
      assert.equal(await status(`/api/share/original/${other}`), 403, 'another content: refused');
      assert.equal(await status('/api/libraries'), 403, 'the library: refused');
      const listed = json<Array<{ browsers: number }>>(await t.cli(t.HOME, '--json', 'shares', 'list'));
      assert.equal(listed[0]!.browsers, 1, 'one browser opened it');

      await t.cli(t.HOME, 'shares', 'revoke', made.share_id);
      assert.equal(await status('/api/share'), 401, 'revoked: refused from the next request');
      assert.deepEqual(problems, []);
    } finally {
      await launched.close();
    }
  });

  it('asks for the password in the page (not a system dialog), refuses a wrong one and opens with the right one', async () => {
    const made = json<{ urls: string[]; password?: string }>(await t.cli(t.HOME, '--json', 'album', 'share', 'Kites', '--password'));
    const away = made.urls.find((u) => u.startsWith(t.boxWeb))!;
    const launched = await launchBrowser({ args: [`--ignore-certificate-errors-spki-list=${t.spki}`] });
    try {
      const { page } = await newPage(launched.browser, { width: 390, height: 844, timeoutMs: 30_000 });
      const dialogs: string[] = [];
      page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
      await page.goto(away);
      await page.getByText('shared with a password').waitFor({ timeout: 60_000 });
      await page.getByLabel('Password').fill('not-it');
      await page.getByRole('button', { name: 'Open' }).click();
      await page.getByText('That is not the password.').waitFor({ timeout: 30_000 });
      await page.getByLabel('Password').fill(made.password!);
      await page.getByRole('button', { name: 'Open' }).click();
      await page.getByRole('heading', { name: 'Kites' }).waitFor({ timeout: 60_000 });
      assert.deepEqual(dialogs, [], 'no system dialog');
    } finally {
      await launched.close();
    }
  });
});
