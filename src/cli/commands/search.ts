import type { Command } from 'commander';
import type { ContentKind } from '../../api/index.js';
import { UsageError } from '../../core/errors.js';
import { SEARCH_MAX_LIMIT, SEARCH_SAY_WHAT } from '../../api/words.js';
import { globals, withLibrary } from '../context.js';
import { parseKind } from '../parse.js';
import { displayPath, note, printJson, printLine, warn } from '../output.js';

function parseLimit(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > SEARCH_MAX_LIMIT) throw new UsageError(`--limit must be a whole number from 1 to ${SEARCH_MAX_LIMIT}, got ${JSON.stringify(v)}`);
  return n;
}

export function registerSearchCommands(program: Command): void {
  const search = program
    .command('search')
    .description('search file names, OCR text, PDF text, transcripts and places: words, "a phrase", prefix*, and filters (tag: person: album: place: kind: date: device: rating: is:)')
    .argument('[query...]', 'what to find (every word must match)')
    .option('--kind <kind>', 'only contents of this kind (image, video, audio, document, ...)', parseKind)
    .option('--limit <n>', 'at most this many contents (default 50, at most 500)', parseLimit)
    .option('--semantic', 'also find text near in meaning, from the embeddings sidecars (needs vss models add embeddings DIR)')
    .option('--model <id>', 'with --semantic: the embeddings model to compare with (default: the first installed)')
    .action(async function (this: Command, words: string[], opts: { kind?: ContentKind; limit?: number; semantic?: boolean; model?: string }) {
      if (words.join('').trim() === '') throw new UsageError(`${SEARCH_SAY_WHAT} (e.g. vss search beach, vss search place:Dubrovnik date:2024, vss search tag:Family rating:>=4)`);
      await withLibrary(this, async (lib) => {
        const { results, pending, removing } = await lib.search.answer(words.join(' '), {
          ...(opts.kind ? { kind: opts.kind } : {}), ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
          ...(opts.semantic ? { semantic: true } : {}), ...(opts.model !== undefined ? { model: opts.model } : {}),
        });
        // On stderr, so that --json stays the results alone.
        if (pending > 0) warn(`${pending} ${pending === 1 ? 'content is' : 'contents are'} still being indexed for search: their text may be missing from these results`);
        if (removing > 0) note(`${removing} ${removing === 1 ? 'content that left the library is' : 'contents that left the library are'} being removed from the search index (none is in these results)`);
        if (globals(this).json) return printJson(results);
        if (results.length === 0) return printLine('Nothing found.');
        for (const r of results) {
          // A folder, or a file outside every location (issue 59): where it is, and what it is.
          if ('object_uuid' in r) {
            printLine(`${displayPath(r.path)}${r.kind === 'folder' ? '/' : ''}  (${r.kind === 'folder' ? 'folder' : r.kind}${r.source === 'name' ? ', name' : ''})`);
            continue;
          }
          const at = r.source === 'semantic' ? undefined : r.locator?.start_s;
          const where = r.source === 'semantic' ? `semantic, chunk ${r.locator.chunk + 1}`
            : r.locator?.page !== undefined ? `${r.source} page ${r.locator.page}`
            : at !== undefined ? `${r.source} at ${Math.floor(at / 60)}:${String(Math.floor(at % 60)).padStart(2, '0')}` : r.source;
          const path = displayPath(r.paths[0] ?? (r.source === 'semantic' ? undefined : r.addresses?.[0]) ?? r.content_uuid);
          // Filters alone match no text: the path is the whole answer.
          if (r.source === 'filters') {
            printLine(path);
            continue;
          }
          printLine(`${path}  (${where})`);
          printLine(`  ${r.snippet.replace(/\s+/g, ' ')}`);
        }
      });
    });

  search
    .command('reindex')
    .description('rebuild the search index from the sidecars and file names (to search the word itself: vss search \'"reindex"\')')
    .action(async function (this: Command) {
      await withLibrary(this, async (lib) => {
        const r = await lib.search.reindex();
        if (globals(this).json) return printJson(r);
        printLine(`Indexed ${r.contents} contents (${r.rows} texts).`);
      });
    });
}
