import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { s3SkipReason, startS3, type S3Server } from '../support/s3-server.js';
import { launchBrowser, newPage } from './launch.js';
import { ticketUrl, UI_SKIP } from './ui-library.js';

/**
 * A bucket added as a location from the web UI (issue 30 item 7) in a real Chromium against a
 * real daemon and a real S3 server on loopback (s3rver): the Locations page takes
 * `s3://BUCKET/PREFIX` with its endpoint, the first scan indexes the objects, the location is
 * listed with its URL, and a photo only the bucket holds shows in the library with its thumbnail.
 */
describe('the Locations page: a bucket as a location', { skip: UI_SKIP, timeout: 300_000 }, async () => {
  const skip = await s3SkipReason();
  const tmp = tempDir('vss-ui-bucket-loc-');
  let s3: S3Server | undefined;
  let env: Record<string, string> = {};
  let http = '';
  let token = '';
  before(async () => {
    if (skip) return;
    s3 = await startS3(join(tmp.path, 's3'), ['ui-photos']);
    const client = new S3Client({ endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    try {
      const photo = await sharp({ create: { width: 400, height: 300, channels: 3, background: { r: 30, g: 160, b: 60 } } }).jpeg().toBuffer();
      await client.send(new PutObjectCommand({ Bucket: 'ui-photos', Key: 'camera/meadow.jpg', Body: photo }));
      await client.send(new PutObjectCommand({ Bucket: 'ui-photos', Key: 'camera/notes/list.txt', Body: 'bread, milk\n' }));
    } finally {
      client.destroy();
    }
    env = { VSS_DATA_DIR: join(tmp.path, 'data'), ...s3.env };
    const r = await runCli(['library', 'create', 'Cloud', '--path', join(tmp.path, 'libs')], { ...env, VSS_NO_DAEMON: '1' });
    assert.equal(r.code, 0, r.stderr);
    http = json<{ http: string }>(await runCli(['ui', '--json'], env)).http;
    token = readFileSync(join(env.VSS_DATA_DIR!, 'daemon.token'), 'utf8').trim();
  });
  after(async () => {
    if (env.VSS_DATA_DIR) await runCli(['daemon', 'stop'], env);
    await s3?.stop();
    tmp.cleanup();
  });

  it('adds s3://BUCKET/PREFIX with its endpoint, indexes it, and shows its photo', { skip }, async () => {
    const launched = await launchBrowser();
    try {
      const { page } = await newPage(launched.browser, { width: 1280, height: 900 });
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(String(err)));
      assert.equal((await page.goto(await ticketUrl(http, token)))?.status(), 200);
      await page.getByRole('link', { name: 'Locations' }).first().click();
      const form = page.getByRole('form', { name: 'Add location' });
      await form.getByLabel('Path').fill('s3://ui-photos/camera');
      // Asked for only once the path names a bucket.
      await form.getByLabel(/Endpoint/).fill(s3!.endpoint);
      assert.equal(await form.getByLabel('Bucket in the path').isChecked(), true);
      await form.getByLabel('Name').fill('Camera uploads');
      await form.getByRole('button', { name: 'Add location' }).click();
      await form.getByRole('status').filter({ hasText: 'Added' }).waitFor({ timeout: 60_000 });
      assert.match(await form.getByRole('status').innerText(), /2 files/);
      const listed = page.getByRole('region', { name: 'Locations of this library' });
      await listed.getByText('s3://ui-photos/camera').waitFor({ timeout: 10_000 });
      assert.match(await listed.innerText(), /Camera uploads/);

      // The photo only the bucket holds, in the library with its thumbnail (made from a fetched copy).
      assert.equal((await runCli(['jobs', 'run', '--until-idle'], env)).code, 0);
      await page.getByRole('link', { name: 'Library' }).first().click();
      const img = page.locator('main[aria-label="Library"] a[aria-label^="meadow.jpg"] img');
      await img.waitFor({ timeout: 30_000 });
      await page.waitForFunction((el: any) => el.complete && el.naturalWidth > 0, await img.elementHandle(), { timeout: 30_000 });
      assert.deepEqual(problems, []);
    } finally {
      await launched.close();
    }
  });
});
