import { VssError } from '../core/errors.js';
import { installSignalHandlers } from './signals.js';
import { closeClients } from './context.js';
import { printError } from './output.js';
import { programFor } from './program-for.js';
import { CommanderError } from './program.js';

/** Exit codes of the contract (DESIGN §11). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export async function main(argv: string[]): Promise<number> {
  try {
    const program = await programFor(argv);
    await program.parseAsync(argv, { from: 'user' });
    return EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has already printed its message (or the help / version).
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT_OK;
      return EXIT_USAGE;
    }
    if (err instanceof VssError) {
      printError(`vss: error: ${err.message}${err.path && !err.message.includes(err.path) ? `: ${err.path}` : ''}`);
      return err.code === 'USAGE' ? EXIT_USAGE : EXIT_FAILURE;
    }
    printError(`vss: error: ${err instanceof Error ? err.message : String(err)}`);
    if (process.env.VSS_DEBUG) console.error(err);
    return EXIT_FAILURE;
  } finally {
    closeClients();
  }
}

// A reader that stops early (`vss content list | head`) closes the pipe: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

installSignalHandlers();

const code = await main(process.argv.slice(2));
// A command may already have set a failure code (e.g. an unavailable sidecar) without throwing.
process.exitCode = code === EXIT_OK ? (process.exitCode ?? EXIT_OK) : code;
