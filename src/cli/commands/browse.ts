import { shortId } from '../../core/short-id.js';
import type { Command } from 'commander';
import type { FolderEntry, FolderListing } from '../../api/index.js';
import { UsageError, VssError } from '../../core/errors.js';
import { globals, vssFor, withLibrary } from '../context.js';
import { displayPath, formatBytes, printJson, printLine, warn } from '../output.js';

function line(e: FolderEntry): string {
  const name = displayPath(e.path) + (e.type === 'dir' ? '/' : e.type === 'symlink' ? ' ->' : '');
  if (e.error !== undefined) return `${name.padEnd(40)}  cannot read: ${e.error}`;
  if (e.type !== 'file') return name;
  const id = e.content_uuid ? `  ${shortId(e.content_uuid)}${e.in_library ? '  (in library)' : ''}` : '';
  return `${name.padEnd(40)} ${formatBytes(e.size).padStart(9)}  ${(e.kind ?? '').padEnd(8)}${id}`;
}

/** `vss browse PATH` (seed 003 `index browse`): a folder as vss sees it, without adding it to the library. */
export function registerBrowseCommand(program: Command): void {
  program
    .command('browse')
    .description('list a folder with kinds, sizes and content ids of small files, without adding it to the library')
    .argument('<path>', 'the folder (e.g. a drive you just plugged in), DEVICE:/PATH on a paired device, or DEVICE: for the folders it lets you browse')
    .option('-r, --recursive', 'every folder beneath too')
    .option('--content', 'identify every file, not only small ones (large files are sampled)')
    .option('--limit <n>', 'the most entries listed (default 10000, at most 100000)')
    .action(async function (this: Command, path: string, o: { recursive?: boolean; content?: boolean; limit?: string }) {
      let limit: number | undefined;
      if (o.limit !== undefined) {
        limit = Number(o.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) throw new UsageError(`--limit is 1 to 100000, got ${JSON.stringify(o.limit)}`);
      }
      const opts = { recursive: o.recursive, content: o.content, limit };
      // `DEVICE:` alone: the folders in no location that device lets this one browse (issue 59).
      const device = /^([^/:]+):$/.exec(path)?.[1];
      if (device !== undefined) {
        const roots = await withLibrary(this, (lib) => lib.browse.roots(device), 'read');
        if (globals(this).json) return printJson(roots);
        if (roots.roots.length === 0) printLine(`${roots.device} lets no folder outside its locations be browsed (vss device browsable add PATH there)`);
        for (const r of roots.roots) printLine(`${roots.device}:${r}/`);
        return;
      }
      let out: FolderListing;
      try {
        out = await withLibrary(this, (lib) => lib.browse.folder(path, opts), 'read');
      } catch (err) {
        // Browsing a drive needs no library: without one, nothing says which contents are known.
        if (!(err instanceof VssError) || err.code !== 'NO_CURRENT_LIBRARY') throw err;
        out = await (await vssFor(this)).browseFolder(path, opts);
      }
      if (out.truncated) warn(`listed the first ${out.entries.length} entries; --limit shows more`);
      // --json: the entries themselves, each with its name, kind, size and time (issue 59's interface).
      if (globals(this).json) return printJson(out.entries);
      if (out.entries.length === 0) printLine('Empty.');
      for (const e of out.entries) printLine(line(e));
    });
}
