import { launchBrowser } from './launch.js';

/**
 * For launcher.test: a process that launches a browser, prints its processes as one JSON line and
 * then waits to be killed (it exits by itself after 60 s, so nothing is left if the test dies too).
 */
const launched = await launchBrowser();
const page = await launched.browser.newPage();
await page.setContent('<p>alive</p>');
console.log(JSON.stringify(launched.processes()));
setTimeout(() => process.exit(3), 60_000);
