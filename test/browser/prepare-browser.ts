import { browserExecutable } from './launch.js';

/**
 * Run before the browser tests (npm test runs it first): unpacks the npm Chromium once, so test
 * files running in parallel never unpack it at the same time.
 *   node dist/test/browser/prepare-browser.js
 */
const started = Date.now();
try {
  const exe = await browserExecutable();
  console.log(`browser: ${exe.executablePath} (${exe.source}, ready in ${Date.now() - started} ms)`);
} catch (err) {
  console.error(`prepare-browser: ${(err as Error).message}`);
  process.exit(1);
}
