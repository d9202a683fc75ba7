import type { Command } from 'commander';
import { globals, withLibrary } from '../context.js';
import { displayPath, formatBytes, printJson, printLine } from '../output.js';

/** `vss ls [DEVICE:]/LOCATION[/PATH]`: a folder of any device of the library (DESIGN §15). */
export function registerLsCommand(program: Command): void {
  program
    .command('ls')
    .description('list a folder of any device of the library: [DEVICE:]/LOCATION[/PATH] (no address: every device\'s locations)')
    .argument('[address]', 'e.g. Laptop:/Photos/2024, /Documents (this device), Laptop: (its locations)')
    .action(async function (this: Command, address: string | undefined) {
      await withLibrary(this, async (lib) => {
        const items = await lib.ls(address);
        if (globals(this).json) return printJson(items);
        if (items.length === 0) return printLine(address === undefined ? 'No locations yet: add one with `vss location add PATH`.' : 'Empty.');
        // Every device's locations: each shown as its address.
        const many = address === undefined || /^[^/]*:\/?$/.test(address);
        for (const e of items) {
          const name = displayPath(many ? `${e.device}:/${e.name}` : e.name) + (!many && e.kind === 'dir' ? '/' : '');
          const size = e.kind === 'file' || many ? formatBytes(e.size) : '';
          printLine(`${name.padEnd(40)} ${size.padStart(9)}${e.online ? '' : '  (offline)'}`);
        }
      }, 'read');
    });
}
