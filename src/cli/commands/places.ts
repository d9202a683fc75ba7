import type { Command } from 'commander';
import { globals, withLibrary } from '../context.js';
import { printJson, printLine } from '../output.js';

/** `vss places` (issue 32): where the library's photos were taken, by country and town. */
export function registerPlacesCommand(program: Command): void {
  program
    .command('places')
    .description('where the photos were taken (from their GPS, offline), by country and town, with how many; find them with vss search place:NAME')
    .action(async function (this: Command) {
      await withLibrary(this, async (lib) => {
        const places = await lib.browse.places();
        if (globals(this).json) return printJson(places);
        if (places.length === 0) return printLine('No places yet: photos get one from their GPS when a location is indexed in deep mode (vss location rescan LOCATION --mode deep).');
        for (const c of places) {
          printLine(`${c.country}  ${c.count}`);
          for (const t of c.cities) printLine(`  ${t.city}${t.region ? ` (${t.region})` : ''}  ${t.count}`);
        }
      }, 'read');
    });
}
