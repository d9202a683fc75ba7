import { installSignalHandlers } from './signals.js';
import { EXIT_OK, runCommandLine } from './run.js';

// A reader that stops early (`vss content list | head`) closes the pipe: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

installSignalHandlers();

// No top-level await: the bundle bin/vss runs is a CommonJS file (scripts/bundle-cli.mjs).
let settled = false;
void runCommandLine(process.argv.slice(2)).then((code) => {
  settled = true;
  // A command may already have set a failure code (e.g. an unavailable sidecar) without throwing.
  process.exitCode = code === EXIT_OK ? (process.exitCode ?? EXIT_OK) : code;
});
// A command whose work ran out before it settled ends as an unsettled top-level await did (13), not as a success.
process.on('beforeExit', () => {
  if (!settled) process.exitCode = 13;
});
