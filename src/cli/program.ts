import { createRequire } from 'node:module';
import type { Command as CommandType } from 'commander';

// Commander is CommonJS: required, not imported, it skips the ESM loader's scan of its exports (a
// few milliseconds of every command's start, issue 43).
const commander = createRequire(import.meta.url)('commander') as typeof import('commander');
export const { Command, CommanderError, Help, Option } = commander;
type Command = CommandType;
import { asRun } from './invoked-as.js';

/** The version `vss --version` prints. */
export const VERSION = '0.1.0';

/**
 * The program with its global options and none of its commands: what every run of the CLI
 * starts from, the commands added by their modules (cli/main.ts).
 */
export function rootProgram(): Command {
  const program = new Command('vss')
    .description('Virtual Sidecar System: index your folders into a portable library')
    .version(VERSION)
    .addOption(new Option('--data-dir <dir>', 'where this device keeps its identity (env VSS_DATA_DIR)'))
    .addOption(new Option('--instance <name>', 'use the data dir <app-data>/instances/NAME, a device of its own (env VSS_INSTANCE)'))
    .addOption(new Option('--library <path>', 'the library to use (env VSS_LIBRARY; default: the current one)'))
    .option('--json', 'machine-readable result on stdout')
    // A usage error is one line on stderr like every other error (DESIGN §11), with the way to help.
    .configureOutput({ outputError: (text, write) => write(asRun(`vss: ${text.trim().replace(/\s*\n\s*/g, ' ')} (run \`vss --help\` for usage)`) + '\n') })
    .exitOverride();
  // --instance is a name for a data dir: resolved once here, every command sees only --data-dir.
  program.hook('preAction', async (root) => {
    const { dataDir, instance } = root.opts<{ dataDir?: string; instance?: string }>();
    if (instance === undefined) return;
    const { resolveDataDir } = await import('../api/words.js');
    root.setOptionValue('dataDir', resolveDataDir(dataDir, instance));
    root.setOptionValue('instance', undefined);
  });
  return program;
}

/** PROGRAM's commands and theirs made to throw rather than exit (main turns that into an exit code). */
export function exitingThroughMain(program: Command): void {
  for (const cmd of program.commands) {
    cmd.exitOverride();
    for (const sub of cmd.commands) sub.exitOverride();
  }
}

/** A command as `vss --help` lists it, whether added by its module or standing in for it: its name, then what it takes. */
export function termOf(cmd: Command): string {
  return new Help().subcommandTerm(cmd);
}
