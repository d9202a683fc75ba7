import type { Command } from 'commander';
import { knowCommands } from './invoked-as.js';
import { COMMAND_MANIFEST } from './command-manifest.js';
import { COMMAND_MODULES, type CommandModule } from './command-modules.js';
import { exitingThroughMain, rootProgram, termOf } from './program.js';

/** The root options that take a value: the word after one is not a command. */
const VALUED = new Set(['--data-dir', '--instance', '--library']);

/** The command ARGV asks for (`vss help NAME` asks for NAME's help), if any: the first word that is not a root option or its value. */
export function commandAsked(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return argv[i + 1];
    if (VALUED.has(a)) {
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    return a === 'help' ? (argv[i + 1] ?? a) : a;
  }
  return undefined;
}

/**
 * The program for ARGV, loading only what it asks for (issue 43): the module of the command
 * asked; for help, the version or no command, every command stood in for by its manifest entry
 * (its name and how help lists it); a word the manifest does not know, every module (so a
 * manifest left behind by a new command never hides it).
 */
export async function programFor(argv: readonly string[]): Promise<Command> {
  const program = rootProgram();
  const asked = commandAsked(argv);
  const entry = COMMAND_MANIFEST.find((e) => e.name === asked);
  const known = new Set(COMMAND_MANIFEST.map((e) => e.name));
  if (entry) (await COMMAND_MODULES[entry.module]())(program);
  else if (asked !== undefined && asked !== 'help' && !known.has(asked)) {
    for (const load of Object.values(COMMAND_MODULES)) (await load())(program);
  } else standIns(program);
  knowCommands([...new Set([...known, ...program.commands.map((c) => c.name())])]);
  exitingThroughMain(program);
  return program;
}

/** Every command of the manifest as a stand-in: listed by help as its module would list it. */
function standIns(program: Command): void {
  const terms = new Map<Command, string>();
  for (const e of COMMAND_MANIFEST) terms.set(program.command(e.name).description(e.description), e.term);
  program.configureHelp({ subcommandTerm: (cmd) => terms.get(cmd) ?? termOf(cmd) });
}

/** Every module of commands loaded in the order help lists them: the whole program (the manifest's test compares with it). */
export async function wholeProgram(): Promise<Command> {
  const program = rootProgram();
  for (const module of Object.keys(COMMAND_MODULES) as CommandModule[]) (await COMMAND_MODULES[module]())(program);
  exitingThroughMain(program);
  return program;
}
