import { VssError } from '../core/errors.js';
import { closeClients } from './context.js';
import { printError } from './output.js';
import { programFor } from './program-for.js';
import { CommanderError } from './program.js';

/** Exit codes of the contract (DESIGN §11). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/**
 * The command line ARGV run, its exit code answered: all a command does, without this process's
 * signal handlers or its exit (main.ts is the process's entry; a test harness runs this in its own).
 */
export async function runCommandLine(argv: string[]): Promise<number> {
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

