import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { resolveDataDir } from '../../api/words.js';
import { globals } from '../context.js';
import { printJson, printLine, warn } from '../output.js';

/** The program that opens a URL in the desktop's browser, by platform. */
const OPENERS: Partial<Record<NodeJS.Platform, string>> = { linux: 'xdg-open', darwin: 'open', freebsd: 'xdg-open', openbsd: 'xdg-open' };

/** `vss ui [--open]`: a single-use address that signs a browser in to the web UI (the daemon started first when none runs). */
export function registerUiCommand(program: Command): void {
  const ui = program
    .command('ui')
    .description("print an address that signs one browser in to the web UI, once, within a minute (starting the daemon if none runs); --open opens it")
    .option('--open', 'open the address in the default browser')
    .action(async function (this: Command, opts: { open?: boolean }) {
      const { uiAddress } = await import('../../daemon/index.js');
      const address = await uiAddress(resolveDataDir(globals(this).dataDir));
      if (address.started !== null) process.stderr.write(`vss: started the daemon for the web UI (pid ${address.started}); \`vss daemon stop\` stops it\n`);
      if (!address.built) warn('the web UI is not built here (npm run build): the page will say so');
      if (globals(this).json) printJson({ url: address.url, http: address.http, expires_at: address.expires_at });
      else {
        printLine(address.url);
        process.stderr.write(`vss: the address signs in one browser, once, until ${address.expires_at.slice(11, 19)} UTC; run \`vss ui\` again for another\n`);
      }
      if (opts.open) await openInBrowser(address.url);
    });

  ui
    .command('pair')
    .description('print an address (and its QR code) that pairs a phone or another browser with this device, once, within five minutes: on the home network when the daemon runs with --lan')
    .option('--name <name>', 'what to call the browser in `vss devices list` (default: when it was paired)')
    .option('--uploads-to <dir>', 'the folder (inside a location) its uploads land in, as DIR/YYYY/MM/NAME (default: Uploads/NAME in this device\'s first location)')
    .option('--may <rights>', 'what it may do, of view, upload, organise (tags, ratings, albums), files (copy, move, delete): comma-separated', 'view,upload,organise')
    .option('--away', 'pair it to work away from home: the address is on the relay box this device holds a slot on (`daemon start --box-web` there), and the browser reaches this device end to end through it')
    .option('--address <host>', 'the home address (or the machine\'s .local name) to put in the QR code, of those the daemon serves (default: the one a phone is likeliest to reach; the others are listed)')
    .action(async function (this: Command, opts: { name?: string; uploadsTo?: string; may?: string; away?: boolean; address?: string }) {
      const { pairAddress, terminalQr } = await import('../../daemon/index.js');
      const pair = await pairAddress(resolveDataDir(globals(this).dataDir), {
        ...(opts.away ? { away: true } : {}),
        ...(opts.name !== undefined ? { name: opts.name } : {}),
        ...(opts.uploadsTo !== undefined ? { uploads_to: resolve(opts.uploadsTo) } : {}),
        ...(opts.may !== undefined ? { may: opts.may } : {}),
        ...(opts.address !== undefined ? { address: opts.address } : {}),
      });
      if (pair.started !== null) process.stderr.write(`vss: started the daemon (pid ${pair.started}); \`vss daemon stop\` stops it\n`);
      if (pair.lan && pair.url.startsWith('http://')) warn((await import('../../daemon/index.js')).LAN_HTTP_WARNING);
      if (globals(this).json) return printJson({ url: pair.url, urls: pair.urls, expires_at: pair.expires_at });
      if (!pair.lan && !opts.away) warn('the daemon serves this machine only: a phone cannot open this address (restart it with `vss daemon stop && vss daemon start --lan`)');
      // Drawn only on a terminal: a pipe gets the address alone.
      if (process.stdout.isTTY) process.stdout.write(`${await terminalQr(pair.url)}\n`);
      printLine(pair.url);
      const others = pair.urls.filter((u) => u !== pair.url);
      // Another address when the phone cannot open this one (another network, no mDNS): `--address` puts it in the QR code.
      if (others.length > 0) process.stderr.write(`vss: the same pairing at ${others.length === 1 ? 'another address' : 'other addresses'} of this machine (\`--address HOST\` draws its QR code):\n${others.map((u) => `     ${u}\n`).join('')}`);
      if (pair.tls_fingerprint !== null) process.stderr.write(`vss: the phone's browser will warn about a certificate it does not know: accept it if its SHA-256 fingerprint is\n     ${pair.tls_fingerprint}\n`);
      process.stderr.write(`vss: the address pairs one browser, once, until ${pair.expires_at.slice(11, 19)} UTC\n`);
    });
}

/** Start the browser and let it be; a desktop without one is a warning (the address is printed anyway). */
async function openInBrowser(url: string): Promise<void> {
  const opener = OPENERS[process.platform];
  if (!opener) return warn(`cannot open a browser on ${process.platform}: open the address above`);
  await new Promise<void>((resolve) => {
    const child = spawn(opener, [url], { detached: true, stdio: 'ignore' });
    child.once('error', (err) => {
      warn(`could not run ${opener} (${err.message}): open the address above`);
      resolve();
    });
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
}
