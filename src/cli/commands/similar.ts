import { shortId } from '../../core/short-id.js';
import type { Command } from 'commander';
import type { SimilarGroup } from '../../api/index.js';
import { contentRef } from '../content-arg.js';
import { globals, withLibrary } from '../context.js';
import { displayPath, formatBytes, printJson, printLine } from '../output.js';

function groupLines(g: SimilarGroup): string[] {
  // No group id: nothing takes one (similar keep takes the photos), and a person tells a group by its photos.
  const lines = [`${g.contents.length} near-duplicates:`];
  for (const c of g.contents) {
    const dims = c.width && c.height ? `${c.width}×${c.height}` : '?×?';
    const bpp = c.bits_per_pixel !== null ? `${c.bits_per_pixel} bits/px` : '';
    lines.push(`  ${c.content_uuid === g.keep ? 'keep' : '    '}  ${shortId(c.content_uuid)}  ${c.format.padEnd(5)} ${dims.padStart(11)}  ${formatBytes(c.size).padStart(9)}  ${bpp.padStart(13)}  ${c.paths[0] ? displayPath(c.paths[0]) : ''}${c.paths.length > 1 ? ` (+${c.paths.length - 1})` : ''}`);
  }
  return lines;
}

/** `vss similar …` (issue 45): photos whose pictures match though their bytes differ. */
export function registerSimilarCommands(program: Command): void {
  const similar = program
    .command('similar')
    .description('near-duplicates: photos whose pictures match though their bytes differ (re-encoded, resized, re-saved), the one to keep suggested')
    .action(async function (this: Command) {
      await withLibrary(this, async (lib) => {
        const groups = await lib.similar.list();
        if (globals(this).json) return printJson(groups);
        if (groups.length === 0) return printLine('No near-duplicates found (among the contents with a fingerprint: deep locations make one for each photo and video).');
        for (const g of groups) for (const l of groupLines(g)) printLine(l);
        printLine(`${groups.length} group${groups.length === 1 ? '' : 's'}: vss similar keep CONTENT OTHER… keeps one (their tags, albums and ratings merged onto it) and moves the others' files here to the trash`);
      }, 'read');
    });

  similar
    .command('keep <keep> <others...>')
    .description("keep one near-duplicate: the others' tags, albums, rating and favourite are merged onto it, and their files on this device go to the trash (restorable for 30 days)")
    .action(async function (this: Command, keep: string, others: string[]) {
      await withLibrary(this, async (lib) => {
        const r = await lib.similar.keep(contentRef(keep), others.map(contentRef));
        if (globals(this).json) return printJson(r);
        const merged = [r.merged.tags.length > 0 ? `tags ${r.merged.tags.join(', ')}` : '', r.merged.albums > 0 ? `${r.merged.albums} album${r.merged.albums === 1 ? '' : 's'}` : ''].filter(Boolean).join('; ');
        printLine(`Kept ${r.kept_name ?? shortId(r.kept)}${merged ? ` (merged onto it: ${merged})` : ''}; ${r.files} file${r.files === 1 ? '' : 's'} of ${r.trashed.length} near-duplicate${r.trashed.length === 1 ? '' : 's'} moved to the trash (vss trash list).`);
      });
    });
}
