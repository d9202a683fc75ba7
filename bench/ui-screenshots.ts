/**
 * `npm run screenshots` — the user guide's pictures of the web UI (docs/screenshots/), taken from a
 * real daemon over the shared fixtures (the browser tests' library) in the tests' headless
 * Chromium at 1280×800: grid.png (the end of the library grid), detail.png (phototest.tif with its OCR boxes,
 * the words of a search marked), search.png (results for a word of the OCR fixtures). Each is
 * quantized to a palette PNG so it stays small (< 300 KB).
 */
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { REPO } from '../test/helpers.js';
import { launchBrowser, newPage } from '../test/browser/launch.js';
import { nameOf, startUiLibrary } from '../test/browser/ui-library.js';
import { runMain } from './util.js';

const OUT = join(REPO, 'docs', 'screenshots');
const MAX_BYTES = 300 * 1024;
/** Beside the tests' library: more photos, so the grid shows more than one tile a day. */
const MORE = [
  'exif/orientation/landscape_1.jpg', 'exif/orientation/portrait_6.jpg', 'exif/heic/IMG_5195.HEIC', 'exif/heic/immich-IMG_2682.heic',
  'livephoto/google-pixel/PXL_20200710_061629144.MP.jpg', 'livephoto/orphan-still/IMG_1309.HEIC',
  'ocr/tesseract-test/eurotext.tif', 'ocr/tesseract.js/testocr.png', 'ocr/tesseract.js/simple.png', 'pdf/scanned/ocrmypdf-cardinal.pdf',
  'pdf/text-layer/lychee-pdf.pdf', 'video/photoprism-christmas-noaudio.mp4',
];

async function save(page: Page, name: string): Promise<void> {
  // Let lazy images decode and transitions end before the picture.
  await page.waitForFunction(() => [...(globalThis as unknown as { document: { images: Iterable<{ complete: boolean }> } }).document.images].every((i) => i.complete), undefined, { timeout: 15_000 });
  await page.waitForTimeout(400);
  const png = await page.screenshot({ type: 'png' });
  const file = join(OUT, name);
  await sharp(png).png({ palette: true, quality: 90, effort: 10, compressionLevel: 9 }).toFile(file);
  const size = statSync(file).size;
  console.log(`${file}: ${Math.round(size / 1024)} KB`);
  if (size > MAX_BYTES) throw new Error(`${name} is ${Math.round(size / 1024)} KB, over ${MAX_BYTES / 1024} KB`);
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const ui = await startUiLibrary('vss-screenshots-', { moreFixtures: MORE });
  try {
    const launched = await launchBrowser();
    try {
      const { page } = await newPage(launched.browser, { width: 1280, height: 800, timeoutMs: 20_000 });
      await page.goto(await ui.signInUrl());
      const grid = page.getByRole('main', { name: 'Library' });
      await grid.getByRole('img').first().waitFor();
      // The end of the grid: the last dated day and the undated files (documents, scans) together.
      await grid.evaluate((main) => { main.scrollTop = main.scrollHeight; });
      await grid.getByRole('img', { name: nameOf('ocrImage') }).waitFor();
      await save(page, 'grid.png');

      await page.getByRole('searchbox', { name: 'Search' }).fill('quick');
      await page.getByRole('list', { name: 'Search results' }).locator(':scope > li').first().waitFor();
      await save(page, 'search.png');

      await page.getByRole('list', { name: 'Search results' }).locator(`a[href^="#/content/${ui.uuidOf('ocrImage')}"]`).first().click();
      await page.getByRole('heading', { level: 1, name: nameOf('ocrImage') }).waitFor();
      await page.locator('[data-ocr-box]').first().waitFor();
      await save(page, 'detail.png');
    } finally {
      await launched.close();
    }
  } finally {
    await ui.stop();
  }
}

runMain(import.meta.url, main);
