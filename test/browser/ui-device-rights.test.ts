/**
 * What a member may do (issue 46: `vss devices rights`) on the web app's Devices page, in a real
 * Chromium against two real daemons over loopback: the laptop (the library's founder) opens the
 * desktop's rights, sees it may remove and be relayed but not admit, lets it admit, and the grant
 * it signed is what the CLI reads back on both devices; the desktop's page, which may not set
 * rights, says so when it tries.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { json, tempDir, until } from '../helpers.js';
import { cliHere as runCli } from '../support/cli-here.js';
import { pairDaemons } from '../sync-peers.js';
import { launchBrowser, newPage } from './launch.js';
import { UI_SKIP } from './ui-library.js';

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0'];
interface Rights { libraries: Array<{ rights: string[] }> }

describe('the Devices page shows and sets what a member may do', { skip: UI_SKIP, timeout: 300_000 }, () => {
  const tmp = tempDir('vss-ui-rights-');
  const A = { VSS_DATA_DIR: join(tmp.path, 'laptop') };
  const B = { VSS_DATA_DIR: join(tmp.path, 'desktop') };
  const ok = async (env: Record<string, string>, ...args: string[]) => {
    const r = await runCli(args, env);
    assert.equal(r.code, 0, `vss ${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  before(async () => {
    await ok(A, 'library', 'create', 'Home', '--path', join(tmp.path, 'libs'));
    await ok(A, 'device', 'rename', 'Laptop');
    await ok(B, 'device', 'rename', 'Desktop');
    await ok(A, 'daemon', 'start', ...LOOPBACK);
    await ok(B, 'daemon', 'start', ...LOOPBACK);
    await pairDaemons(A, B);
  });
  after(async () => {
    await Promise.all([runCli(['daemon', 'stop'], A), runCli(['daemon', 'stop'], B)]);
    tmp.cleanup();
  });

  it('lets the desktop admit from the laptop\'s page; the desktop\'s own page may not set rights', async () => {
    const desktopId = json<Array<{ id: string; name: string }>>(await ok(A, '--json', 'devices', 'list')).find((d) => d.name === 'Desktop')!.id;
    const laptopId = json<Array<{ id: string; name: string }>>(await ok(B, '--json', 'devices', 'list')).find((d) => d.name === 'Laptop')!.id;
    const launched = await launchBrowser();
    try {
      const { page } = await newPage(launched.browser);
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(String(err)));
      await page.goto(json<{ url: string }>(await ok(A, '--json', 'ui')).url);
      await page.getByRole('link', { name: 'Devices' }).first().click();
      await page.getByRole('button', { name: 'What Desktop may do' }).click();
      const panel = page.getByRole('group', { name: 'What Desktop may do' });
      const admit = panel.getByRole('checkbox', { name: /^Admit/ });
      await admit.waitFor();
      assert.equal(await admit.isChecked(), false);
      assert.equal(await panel.getByRole('checkbox', { name: 'Remove members' }).isChecked(), true);
      await admit.check();
      await panel.getByRole('button', { name: 'Save' }).click();
      await panel.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
      assert.deepEqual(json<Rights>(await ok(A, '--json', 'devices', 'rights', desktopId)).libraries.map((l) => l.rights), [['admit', 'remove', 'relay']]);
      await until('the desktop hears it may admit', 30_000, async () => (json<Rights>(await ok(B, '--json', 'devices', 'rights', laptopId)).libraries[0]?.rights.length === 3 ? true : undefined));

      // The desktop may admit now; take it back from the laptop's page, then the desktop's own page is refused.
      await admit.uncheck();
      await panel.getByRole('button', { name: 'Save' }).click();
      await until('saved again', 15_000, async () => (json<Rights>(await ok(A, '--json', 'devices', 'rights', desktopId)).libraries[0]?.rights.includes('admit') ? undefined : true));
      await until('the desktop hears it may no longer admit', 30_000, async () => {
        const r = await runCli(['devices', 'rights', laptopId, 'admit,remove,relay'], B);
        return r.code !== 0 ? r : undefined;
      });
      const desk = await newPage(launched.browser);
      await desk.page.goto(json<{ url: string }>(await ok(B, '--json', 'ui')).url);
      await desk.page.getByRole('link', { name: 'Devices' }).first().click();
      await desk.page.getByRole('button', { name: 'What Laptop may do' }).click();
      const other = desk.page.getByRole('group', { name: 'What Laptop may do' });
      await other.getByRole('checkbox', { name: 'Remove members' }).uncheck();
      await other.getByRole('button', { name: 'Save' }).click();
      await desk.page.getByText(/may not set what others may do/).first().waitFor();
      assert.deepEqual(problems, []);
    } finally {
      await launched.close();
    }
  });
});
