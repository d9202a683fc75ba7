import type { Command } from 'commander';
import type { ContentKind } from '../../api/index.js';
import { globals, withLibrary } from '../context.js';
import { parseKind } from '../parse.js';
import { resolveLocationRef } from '../location-ref.js';
import { displayPath, formatBytes, printJsonArray, printLines } from '../output.js';

export function registerContentCommands(program: Command): void {
  const content = program.command('content').description('unique contents and their copies');

  content
    .command('list')
    .description('every unique content with the paths of its copies')
    .option('--kind <kind>', 'only contents of this kind (image, video, audio, document, text, ...)', parseKind)
    .option('--location <location>', 'only copies in this location (its id, name or folder)')
    .action(async function (this: Command, opts: { kind?: ContentKind; location?: string }) {
      await withLibrary(this, async (lib) => {
        const locationId = opts.location === undefined ? undefined : await resolveLocationRef(lib, opts.location);
        const items = lib.content.iterate({ kind: opts.kind, locationId });
        if (globals(this).json) return printJsonArray(items);
        await printLines(items, (c) => {
          const more = c.paths.length > 1 ? `  (+${c.paths.length - 1} more)` : '';
          return `${c.content_uuid}  ${c.kind.padEnd(9)} ${formatBytes(c.size).padStart(9)}  ${displayPath(c.paths[0] ?? '')}${more}`;
        }, 'No contents yet: add a location in content or deep mode.');
      }, 'read');
    });
}
