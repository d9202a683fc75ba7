import { COMMAND_MODULES, type CommandModule, type ManifestEntry } from './command-modules.js';
import { rootProgram, termOf } from './program.js';

/**
 * The manifest as the modules of commands make it now: each top-level command's name, the module
 * that adds it, and how `vss --help` lists it. `npm run build` writes it (scripts/cli-manifest.mjs);
 * a test checks the one in the source is this.
 */
export async function manifestOf(): Promise<ManifestEntry[]> {
  const out: ManifestEntry[] = [];
  for (const module of Object.keys(COMMAND_MODULES) as CommandModule[]) {
    const program = rootProgram();
    (await COMMAND_MODULES[module]())(program);
    for (const cmd of program.commands) out.push({ name: cmd.name(), module, term: termOf(cmd), description: cmd.description() });
  }
  return out;
}

/** The manifest's source file for ENTRIES. */
export function manifestSource(entries: readonly ManifestEntry[]): string {
  const rows = entries.map((e) => `  ${JSON.stringify(e)},`).join('\n');
  return `import type { ManifestEntry } from './command-modules.js';

/*
 * Made by \`npm run build\` from the modules of commands (cli/manifest-gen.ts): do not edit. Each
 * top-level command, the module that adds it and how \`vss --help\` lists it, so that the command
 * line is parsed loading only the module of the command asked (cli/main.ts).
 */

export const COMMAND_MANIFEST: readonly ManifestEntry[] = [
${rows}
];
`;
}
