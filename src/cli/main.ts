import { Command, CommanderError, Option } from 'commander';
import { VssError, resolveDataDir } from '../api/index.js';
import { installSignalHandlers } from './signals.js';
import { closeClients } from './context.js';
import { printError } from './output.js';
import { registerContentCommands } from './commands/content.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerLibraryCommands } from './commands/library.js';
import { registerLocationCommands } from './commands/location.js';
import { registerSidecarCommands } from './commands/sidecars.js';
import { registerJobCommands } from './commands/jobs.js';
import { registerModelCommands } from './commands/models.js';
import { registerEventsCommand } from './commands/events.js';
import { registerDeviceCommands } from './commands/device.js';
import { registerDaemonCommands } from './commands/daemon.js';
import { registerPairCommands } from './commands/pair.js';
import { registerSyncCommands } from './commands/sync.js';
import { registerUiCommand } from './commands/ui.js';
import { registerSearchCommands } from './commands/search.js';
import { registerLsCommand } from './commands/ls.js';
import { registerTagCommands } from './commands/tags.js';
import { registerPeopleCommands } from './commands/people.js';
import { registerAlbumCommands } from './commands/albums.js';
import { registerPlacesCommand } from './commands/places.js';
import { asRun, knowCommands } from './invoked-as.js';
import { registerFileCommands } from './commands/files.js';
import { registerBrowseCommand } from './commands/browse.js';
import { registerVolumeCommands } from './commands/volumes.js';
import { registerGuardianCommands } from './commands/guardian.js';
import { registerActionCommands } from './commands/actions.js';

/** Exit codes of the contract (DESIGN §11). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

function buildProgram(): Command {
  const program = new Command('vss')
    .description('Virtual Sidecar System: index your folders into a portable library')
    .version('0.1.0')
    .addOption(new Option('--data-dir <dir>', 'where this device keeps its identity (env VSS_DATA_DIR)'))
    .addOption(new Option('--instance <name>', 'use the data dir <app-data>/instances/NAME, a device of its own (env VSS_INSTANCE)'))
    .addOption(new Option('--library <path>', 'the library to use (env VSS_LIBRARY; default: the current one)'))
    .option('--json', 'machine-readable result on stdout')
    // A usage error is one line on stderr like every other error (DESIGN §11), with the way to help.
    .configureOutput({ outputError: (text, write) => write(asRun(`vss: ${text.trim().replace(/\s*\n\s*/g, ' ')} (run \`vss --help\` for usage)`) + '\n') })
    .exitOverride();
  // --instance is a name for a data dir: resolved once here, every command sees only --data-dir.
  program.hook('preAction', (root) => {
    const { dataDir, instance } = root.opts<{ dataDir?: string; instance?: string }>();
    if (instance === undefined) return;
    root.setOptionValue('dataDir', resolveDataDir(dataDir, instance));
    root.setOptionValue('instance', undefined);
  });
  registerLibraryCommands(program);
  registerLocationCommands(program);
  registerContentCommands(program);
  registerSidecarCommands(program);
  registerJobCommands(program);
  registerModelCommands(program);
  registerEventsCommand(program);
  registerDeviceCommands(program);
  registerPairCommands(program);
  registerSyncCommands(program);
  registerUiCommand(program);
  registerSearchCommands(program);
  registerLsCommand(program);
  registerTagCommands(program);
  registerPeopleCommands(program);
  registerAlbumCommands(program);
  registerPlacesCommand(program);
  registerFileCommands(program);
  registerBrowseCommand(program);
  registerVolumeCommands(program);
  registerGuardianCommands(program);
  registerActionCommands(program);
  registerDemoCommand(program);
  registerDaemonCommands(program);
  knowCommands(program.commands.map((c) => c.name()));
  for (const cmd of program.commands) {
    cmd.exitOverride();
    for (const sub of cmd.commands) sub.exitOverride();
  }
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
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
