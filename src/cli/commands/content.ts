import type { Command } from 'commander';
import type { ContentKind } from '../../api/index.js';
import { globals, withLibrary } from '../context.js';
import { parseId, parseKind } from '../parse.js';
import { displayPath, formatBytes, printJsonArray, printLines } from '../output.js';

export function registerContentCommands(program: Command): void {
  const content = program.command('content').description('unique contents and their copies');

  content
    .command('list')
    .description('every unique content with the paths of its copies')
    .option('--kind <kind>', 'only contents of this kind (image, video, audio, document, text, ...)', parseKind)
    .option('--location <id>', 'only copies in this location', (v: string) => parseId(v, 'location ID'))
    .action(async function (this: Command, opts: { kind?: ContentKind; location?: number }) {
      await withLibrary(this, async (lib) => {
        const items = lib.content.iterate({ kind: opts.kind, locationId: opts.location });
        if (globals(this).json) return printJsonArray(items);
        await printLines(items, (c) => {
          const more = c.paths.length > 1 ? `  (+${c.paths.length - 1} more)` : '';
          return `${c.content_uuid}  ${c.kind.padEnd(9)} ${formatBytes(c.size).padStart(9)}  ${displayPath(c.paths[0] ?? '')}${more}`;
        }, 'No contents yet: add a location in content or deep mode.');
      }, 'read');
    });
}
