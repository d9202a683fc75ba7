import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, statSync, utimesSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { json, runCli } from '../helpers.js';
import { loopSkipReason } from '../loop-volume.js';
import { twoDrives, type TwoDrives } from '../two-drives.js';
import { launchBrowser, newPage } from './launch.js';
import { ticketUrl, UI_SKIP } from './ui-library.js';

const ONCE = 'a photo that exists once\n';
const KEPT = 'on both drives already\n';

/**
 * The Guardian page's actions (issue 30 items 2 and 5) in a real Chromium against a real daemon:
 * a library with a location here and one on another drive (an ext4 image on a loop device). The
 * content that exists once is planned, then protected onto the other drive, and the page counts
 * it safe; a byte flipped in a copy (size and time kept) is found by a scrub started on the page
 * and repaired from the other copy.
 */
describe('the Guardian page: protect, scrub and repair', { skip: UI_SKIP || loopSkipReason(), timeout: 240_000 }, () => {
  let t!: TwoDrives;
  let http = '';
  let token = '';
  before(async () => {
    t = await twoDrives('vss-ui-guardian-act-', { sizeMiB: 64, files: { 'photos/once.txt': ONCE, 'photos/kept.txt': KEPT, 'backup/kept.txt': KEPT } });
    const ui = json<{ http: string }>(await runCli(['ui', '--json'], { VSS_DATA_DIR: t.env.VSS_DATA_DIR }));
    http = ui.http;
    token = readFileSync(join(t.env.VSS_DATA_DIR!, 'daemon.token'), 'utf8').trim();
  });
  after(async () => {
    if (t) await runCli(['daemon', 'stop'], { VSS_DATA_DIR: t.env.VSS_DATA_DIR });
    t?.stop();
  });

  it('plans and runs a protect, then finds and repairs a rotten copy', async () => {
    const launched = await launchBrowser();
    try {
      const { page } = await newPage(launched.browser, { width: 1280, height: 900 });
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(String(err)));
      assert.equal((await page.goto(await ticketUrl(http, token)))?.status(), 200);
      await page.getByRole('link', { name: 'Guardian' }).first().click();
      const main = page.getByRole('main', { name: 'Guardian' });
      const tally = (label: string) => main.getByRole('listitem').filter({ hasText: label }).first();
      await tally('exist once').waitFor({ timeout: 20_000 });
      assert.match(await tally('exist once').innerText(), /^1\b/);

      // Plan first: what would go where, nothing copied yet.
      const protect = main.getByRole('region', { name: 'Protect' });
      await protect.getByRole('button', { name: 'Plan' }).click();
      const plan = protect.getByRole('region', { name: 'The plan' });
      await plan.waitFor({ timeout: 20_000 });
      assert.match(await plan.innerText(), /Would copy 1 content: 1 file, 25 B\./);
      assert.match(await plan.innerText(), /to .*backup\/vss-protect/);
      await protect.getByRole('button', { name: 'Protect now' }).click();
      await protect.getByRole('status').filter({ hasText: 'Protected 1 content: 1 file' }).waitFor({ timeout: 60_000 });
      const copy = join(t.backup, 'vss-protect', 'photos', 'once.txt');
      assert.equal(readFileSync(copy, 'utf8'), ONCE, 'the copy is on the other drive');
      await main.getByRole('listitem').filter({ hasText: 'exist once' }).filter({ hasText: /^0/ }).first().waitFor({ timeout: 20_000 });

      // Rot: one byte of the copy flipped, its size and time kept (whole seconds: utimes keeps no more than the millisecond).
      utimesSync(copy, 1_700_000_000, 1_700_000_000);
      assert.equal((await runCli(['location', 'rescan', t.backup], { VSS_DATA_DIR: t.env.VSS_DATA_DIR })).code, 0);
      const was = statSync(copy);
      const fd = openSync(copy, 'r+');
      writeSync(fd, Buffer.from('A'), 0, 1, 0);
      closeSync(fd);
      utimesSync(copy, was.atime, was.mtime);
      const rot = main.getByRole('region', { name: 'Rot' });
      await rot.getByRole('button', { name: 'Check for rot now' }).click();
      await rot.getByRole('status').filter({ hasText: '1 file rotten' }).waitFor({ timeout: 60_000 });
      await rot.getByRole('button', { name: 'Repair 1 rotten file' }).click();
      await rot.getByRole('status').filter({ hasText: 'Repaired 1 file from verified copies' }).waitFor({ timeout: 60_000 });
      assert.equal(readFileSync(copy, 'utf8'), ONCE, 'the copy holds the good bytes again');
      assert.deepEqual(problems, []);
    } finally {
      await launched.close();
    }
  });
});
