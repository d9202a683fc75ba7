import type { Command } from 'commander';
import { globals, vssFor } from '../context.js';
import { displayPath, printJson, printLine } from '../output.js';

export function registerLibraryCommands(program: Command): void {
  const library = program.command('library').description('create, list and select libraries');

  library
    .command('create <name>')
    .description('make DIR/NAME.sdlibrary (default DIR: the data dir) and make it current')
    .option('--path <dir>', 'folder to create the library in')
    .action(function (this: Command, name: string, opts: { path?: string }) {
      const lib = vssFor(this).createLibrary(name, opts.path);
      const out = { id: lib.config.id, name: lib.config.name, path: lib.root };
      lib.close();
      if (globals(this).json) printJson(out);
      else printLine(`Created library ${out.name} at ${displayPath(out.path)} (now current)`);
    });

  library
    .command('list')
    .description('the libraries this device knows')
    .action(function (this: Command) {
      const libs = vssFor(this).listLibraries();
      if (globals(this).json) return printJson(libs);
      if (libs.length === 0) return printLine('No libraries yet: run `vss library create NAME`.');
      for (const l of libs) printLine(`${l.current ? '*' : ' '} ${l.name}  ${displayPath(l.path)}${l.available ? '' : '  (missing)'}`);
    });

  library
    .command('open <path>')
    .description('make the library at PATH current')
    .action(function (this: Command, path: string) {
      const known = vssFor(this).useLibrary(path);
      if (globals(this).json) printJson(known);
      else printLine(`Current library: ${known.name} at ${displayPath(known.path)}`);
    });

  library
    .command('current')
    .description('the library commands use when --library is not given')
    .action(function (this: Command) {
      const known = vssFor(this).currentLibrary();
      if (globals(this).json) printJson(known);
      else printLine(`${known.name}  ${displayPath(known.path)}`);
    });
}
