import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

/** Where the browser tests keep their pictures of each page: VSS_SCREENSHOTS, else dist/screenshots (kept after the run). */
export const SCREENSHOTS_DIR = process.env.VSS_SCREENSHOTS ?? join(import.meta.dirname, '..', '..', 'screenshots');

/**
 * The page as it is now, kept as NAME.png (what a reviewer looks at after `npm test`): FULL the
 * whole page, else the window. A picture that cannot be taken fails nothing: it is an artifact of
 * the test, not what it checks.
 */
export async function keepScreenshot(page: Page, name: string, full = true): Promise<void> {
  try {
    mkdirSync(SCREENSHOTS_DIR, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS_DIR, `${name}.png`), fullPage: full, timeout: 10_000 });
  } catch (err) {
    process.stderr.write(`screenshot ${name} not kept: ${(err as Error).message}\n`);
  }
}
