import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { loopSkipReason, makeLoopVolume, type LoopVolume } from '../loop-volume.js';
import { launchBrowser, newPage } from '../browser/launch.js';
import { UI_SKIP } from '../browser/ui-library.js';

/**
 * The web UI's Locations page while a location's drive is unplugged: the daemon notices (it polls
 * the mount table), the page hears `locations:changed` and shows the location offline, its rescan
 * button off; plugged back in (elsewhere), it is online again at its new folder.
 */
describe('the Locations page with a drive unplugged and plugged back', { skip: loopSkipReason() || UI_SKIP, timeout: 300_000 }, () => {
  const tmp = tempDir('vss-volweb-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  let drive: LoopVolume | undefined;
  after(async () => {
    await runCli(['daemon', 'stop'], env);
    drive?.remove();
    tmp.cleanup();
  });

  it('shows an offline badge while it is away, with no page reload, and the new folder once it is back', async () => {
    drive = makeLoopVolume({ sizeMiB: 16 });
    writeFileSync(join(drive.mountPoint!, 'note.txt'), 'on the drive');
    json(await runCli(['library', 'create', 'Web', '--path', join(tmp.path, 'libs'), '--json'], env));
    json(await runCli(['location', 'add', drive.mountPoint!, '--name', 'Stick', '--json'], env));
    const ui = json<{ url: string; http: string }>(await runCli(['ui', '--json'], env));
    const launched = await launchBrowser();
    try {
      const { page } = await newPage(launched.browser);
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(String(err)));
      assert.equal((await page.goto(ui.url))?.status(), 200);
      await page.goto(`${ui.http}/ui/#/locations`);
      const card = page.locator('li.location').filter({ hasText: 'Stick' });
      await card.waitFor();
      assert.equal(await card.locator('.status-offline').count(), 0);
      drive.unplug();
      await card.locator('.status-offline', { hasText: 'offline' }).waitFor({ timeout: 20_000 });
      assert.equal(await card.getByRole('button', { name: 'Rescan' }).isDisabled(), true);
      const at = drive.plug(join(tmp.path, 'back-here'));
      await card.locator('.status-offline').waitFor({ state: 'detached', timeout: 20_000 });
      await card.locator('p.path', { hasText: at }).waitFor({ timeout: 20_000 });
      assert.deepEqual(problems, [], 'no script error in the page');
    } finally {
      await launched.close();
    }
  });
});
