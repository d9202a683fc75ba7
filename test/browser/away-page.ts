import type { Page } from 'playwright-core';
import { until } from '../helpers.js';

/**
 * The web app away from home as a test drives it (ui-away, ui-away-cafe): the library's first
 * thumbnail shown (decoded, through the box's service worker), and a file picked under Upload
 * and sent. A wait that runs out says what the page shows.
 */
export async function thumbnailShown(page: Page, what: string): Promise<void> {
  const thumb = page.locator('img').first();
  await thumb.waitFor({ timeout: 60_000 }).catch(async (err: Error) => {
    throw new Error(`${err.message.split('\n')[0]}; the page says: ${(await page.locator('body').innerText()).slice(0, 600)}`);
  });
  await until(what, 60_000, async () => ((await thumb.evaluate((img) => {
    const i = img as unknown as { complete: boolean; naturalWidth: number };
    return i.complete && i.naturalWidth > 0;
  })) ? true : undefined));
}

/** FILE picked under Upload and sent; resolves once the page shows it done. */
export async function uploadThroughPage(page: Page, file: string, ms: number): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await (await chooser).setFiles([file]);
  await until('the upload done', ms, async () => ((await page.$$eval('.upload-item', (lis) => lis.map((li) => li.getAttribute('data-state')))).includes('done') ? true : undefined));
}
