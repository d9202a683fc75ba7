import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { json, tempDir, until } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { launchBrowser, newPage } from './launch.js';
import { UI_SKIP } from './ui-library.js';

interface Content { content_uuid: string; paths: string[] }

/**
 * The Files panel of a content's detail (DESIGN §17) in a real headless Chromium against a real
 * daemon: a copy into another location's sub-folder, a delete (confirmed), then the last copy's
 * delete in two taps, never refused for copy counts (DESIGN §21): the last copy's answer says it
 * exists nowhere else and stays in the trash for 30 days. Each checked on disk.
 */
describe('files panel in the web UI', { skip: UI_SKIP, timeout: 300_000 }, () => {
  const tmp = tempDir('vss-ui-files-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  const offline = { ...env, VSS_NO_DAEMON: '1' };
  const a = join(tmp.path, 'Albums');
  const b = join(tmp.path, 'Backup');
  const bytes = Buffer.from('a note worth keeping\n'.repeat(1000));
  let http = '';
  let url = '';
  let uuid = '';

  before(async () => {
    mkdirSync(a);
    mkdirSync(b);
    writeFileSync(join(a, 'note.txt'), bytes);
    json(await runCli(['library', 'create', 'Files', '--path', tmp.path, '--json'], offline));
    json(await runCli(['location', 'add', a, '--mode', 'content', '--json'], offline));
    json(await runCli(['location', 'add', b, '--mode', 'content', '--json'], offline));
    uuid = json<Content[]>(await runCli(['content', 'list', '--json'], offline))[0]!.content_uuid;
    const ui = json<{ url: string; http: string }>(await runCli(['ui', '--json'], env));
    http = ui.http;
    url = ui.url;
  });
  after(async () => {
    await runCli(['daemon', 'stop'], env);
    tmp.cleanup();
  });

  it('copies to a sub-folder of another location, deletes a copy, and the last copy in two taps too, told it now exists nowhere else', async () => {
    const launched = await launchBrowser();
    try {
      const { page } = await newPage(launched.browser, { width: 1280, height: 900 });
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(String(err)));
      assert.equal((await page.goto(url))?.status(), 200);
      await page.goto(`${http}/ui/#/content/${uuid}`);
      await page.getByRole('heading', { level: 1, name: 'note.txt' }).waitFor({ timeout: 20_000 });
      const panel = page.getByRole('region', { name: 'Files' });

      await panel.getByLabel('Destination location').selectOption({ label: 'Backup' });
      await panel.getByLabel('Destination folder').fill('kept/2026');
      await panel.getByRole('button', { name: 'Copy' }).click();
      await panel.getByRole('status').filter({ hasText: 'Copied to' }).waitFor({ timeout: 30_000 });
      const copy = join(b, 'kept', '2026', 'note.txt');
      assert.ok(readFileSync(copy).equals(bytes), 'the copy is on disk, byte for byte');

      // Two copies now: deleting the first asks once.
      await until('the detail lists both copies', 15_000, async () => ((await panel.locator('select option').count()) >= 4 ? true : undefined), 200);
      await panel.locator('select').first().selectOption({ label: join(a, 'note.txt') });
      await panel.getByRole('button', { name: 'Delete…' }).click();
      await panel.getByRole('alertdialog', { name: 'Confirm delete' }).getByRole('button', { name: 'Delete' }).click();
      const first = panel.getByRole('status').filter({ hasText: 'to the trash' });
      await first.waitFor({ timeout: 30_000 });
      assert.doesNotMatch(await first.innerText(), /nowhere else/, 'its other copy is kept: nothing to warn of');
      assert.ok(!existsSync(join(a, 'note.txt')));

      // The last copy: two taps too, never refused (the trash loses nothing); the answer says it exists nowhere else now.
      await until('the detail lists one copy', 15_000, async () => ((await panel.locator('p.file-path').count()) === 1 ? true : undefined), 200);
      await panel.getByRole('button', { name: 'Delete…' }).click();
      await panel.getByRole('alertdialog', { name: 'Confirm delete' }).getByRole('button', { name: 'Delete' }).click();
      await panel.getByRole('status').filter({ hasText: 'exists nowhere else — it stays in the trash for 30 days, then is gone' }).waitFor({ timeout: 30_000 });
      assert.ok(!existsSync(copy), 'in the trash');
      void uuid;
      assert.deepEqual(problems, []);
    } finally {
      await launched.close();
    }
  });
});
