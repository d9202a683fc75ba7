import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { json, tempDir } from '../helpers.js';
import type { GuardianStatus } from '../../src/wire/guardian.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { loopSkipReason } from '../loop-volume.js';
import { s3SkipReason, startS3, type S3Server } from '../support/s3-server.js';
import { twoDrives, type TwoDrives } from '../two-drives.js';
import { launchBrowser, newPage } from './launch.js';
import { ticketUrl, UI_SKIP } from './ui-library.js';

const ONCE = 'a photo that exists once\n';
const KEPT = 'on both drives already\n';

/**
 * The Guardian page's actions (issue 30 items 2 and 5) in a real Chromium against a real daemon:
 * a library with a location here and one on another drive (an ext4 image on a loop device). The
 * content that exists once is planned, then protected onto the other drive, and the page counts
 * it safe; a byte flipped in a copy below the filesystem (real rot: size and times kept) is found by a scrub started on the page
 * and repaired from the other copy.
 */
describe('the Guardian page: protect, scrub and repair', { skip: UI_SKIP || loopSkipReason(), timeout: 300_000 }, () => {
  let t!: TwoDrives;
  let http = '';
  let token = '';
  before(async () => {
    t = await twoDrives('vss-ui-guardian-act-', { sizeMiB: 64, run: runCli, files: { 'photos/once.txt': ONCE, 'photos/kept.txt': KEPT, 'backup/kept.txt': KEPT } });
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

      // Rot: one byte of the copy flipped on the drive below its filesystem, as a failing disk does:
      // its size and times (ctime too) kept, so the daemon's watch neither hears of it nor takes it for an edit.
      t.drive.rot(copy, 0);
      assert.equal(readFileSync(copy, 'utf8'), `A${ONCE.slice(1)}`);
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

/**
 * The same page with a bucket (issue 30 item 7): a real S3 server on loopback (s3rver) added as a
 * volume through the CLI, the page's Protect typed its name, planned and run; the content that
 * existed once is then safe, its copy in the bucket listed nowhere short.
 */
describe('the Guardian page: protect to a bucket', { skip: UI_SKIP, timeout: 300_000 }, async () => {
  const skip = await s3SkipReason();
  const tmp = tempDir('vss-ui-bucket-');
  let s3: S3Server | undefined;
  let env: Record<string, string> = {};
  let http = '';
  let token = '';
  before(async () => {
    if (skip) return;
    s3 = await startS3(join(tmp.path, 's3'), ['ui-test']);
    env = { VSS_DATA_DIR: join(tmp.path, 'data'), ...s3.env };
    const photos = join(tmp.path, 'photos');
    mkdirSync(photos);
    writeFileSync(join(photos, 'once.txt'), ONCE);
    const cli = async (...args: string[]) => {
      const r = await runCli(args, { ...env, VSS_NO_DAEMON: '1' });
      assert.equal(r.code, 0, `vss ${args.join(' ')}: ${r.stderr}`);
    };
    await cli('library', 'create', 'B', '--path', join(tmp.path, 'libs'));
    await cli('location', 'add', photos, '--mode', 'content');
    await cli('volumes', 'add', 's3://ui-test/home', '--endpoint', s3.endpoint, '--path-style', '--name', 'Offsite');
    await cli('guardian', 'policy', '--copies', '2', '--offsite', '1');
    http = json<{ http: string }>(await runCli(['ui', '--json'], env)).http;
    token = readFileSync(join(env.VSS_DATA_DIR!, 'daemon.token'), 'utf8').trim();
  });
  after(async () => {
    if (env.VSS_DATA_DIR) await runCli(['daemon', 'stop'], env);
    await s3?.stop();
    tmp.cleanup();
  });

  it('plans and runs a protect to the bucket by its name; the content is safe then', { skip }, async () => {
    const launched = await launchBrowser();
    try {
      const { page } = await newPage(launched.browser, { width: 1280, height: 900 });
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(String(err)));
      assert.equal((await page.goto(await ticketUrl(http, token)))?.status(), 200);
      await page.getByRole('link', { name: 'Guardian' }).first().click();
      const main = page.getByRole('main', { name: 'Guardian' });
      const protect = main.getByRole('region', { name: 'Protect' });
      await protect.getByLabel('Copy onto').fill('Offsite');
      await protect.getByRole('button', { name: 'Plan' }).click();
      const plan = protect.getByRole('region', { name: 'The plan' });
      await plan.waitFor({ timeout: 20_000 });
      assert.match(await plan.innerText(), /to s3:\/\/ui-test\/home\/vss-protect \[Offsite\]: 1 file, 25 B/);
      // Again every day: the daemon keeps the bucket up with what is added (guardian protect --every 24).
      await protect.getByLabel('and again every day (the daemon does it)').check();
      await protect.getByRole('button', { name: 'Protect now' }).click();
      await protect.getByRole('status').filter({ hasText: 'Protected 1 content: 1 file' }).waitFor({ timeout: 60_000 });
      await main.getByText('Every content has the copies its policy asks for.').waitFor({ timeout: 20_000 });
      assert.match(await main.getByRole('listitem').filter({ hasText: 'meet their policy' }).first().innerText(), /^1\s*safe/);
      const schedule = protect.getByRole('note', { name: 'Protect schedule' });
      await schedule.waitFor({ timeout: 20_000 });
      assert.match(await schedule.innerText(), /^The daemon protects again every 24 h onto Offsite; last /);
      assert.equal(json<GuardianStatus>(await runCli(['guardian', 'status', '--json'], env)).protect_schedule?.every_hours, 24);
      await schedule.getByRole('button', { name: 'Stop' }).click();
      await schedule.waitFor({ state: 'detached', timeout: 20_000 });
      assert.equal(json<GuardianStatus>(await runCli(['guardian', 'status', '--json'], env)).protect_schedule, null);
      assert.deepEqual(problems, []);
    } finally {
      await launched.close();
    }
  });
});
