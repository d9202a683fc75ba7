import type { Command } from 'commander';
import { shortId } from '../../core/short-id.js';
import type { AlbumView } from '../../api/index.js';
import { contentRef } from '../content-arg.js';
import { globals, withLibrary } from '../context.js';
import { printJson, printLine, printLines } from '../output.js';
import { addShareCommands } from './shares.js';

function albumLine(a: AlbumView): string {
  const where = a.path.length > 1 ? `  (${a.path.join(' / ')})` : '';
  const smart = a.query !== null ? `  smart: ${a.query}` : '';
  const twin = a.same_name ? `  [same name as another album: this one is ${shortId(a.album_id)}]` : '';
  return `${a.name}  ${a.count} content${a.count === 1 ? '' : 's'}${where}${smart}${twin}`;
}

/** `vss album …` (issue 32): albums and smart albums, shared by every device of the library. */
export function registerAlbumCommands(program: Command): void {
  const album = program.command('album').description('albums and smart albums (saved searches), shared by every device of the library');

  album
    .command('create <name>')
    .description('make an album (in another album with --parent; a smart album with --query)')
    .option('--parent <album>', 'the album to put it in (its name or id)')
    .option('--query <search>', 'a saved search: its contents follow the library (e.g. "tag:Family rating:>=4", "place:Dubrovnik date:2024")')
    .action(async function (this: Command, name: string, opts: { parent?: string; query?: string }) {
      await withLibrary(this, async (lib) => {
        const a = await lib.albums.create(name, opts);
        if (globals(this).json) return printJson(a);
        printLine(`${a.query !== null ? 'Smart album' : 'Album'} ${JSON.stringify(a.path.join(' / '))} made (${shortId(a.album_id)})${a.query !== null ? `: ${a.count} content${a.count === 1 ? '' : 's'} found now` : ''}.`);
      });
    });

  album
    .command('list')
    .description('every album, with its place in the tree and how many contents it holds')
    .action(async function (this: Command) {
      await withLibrary(this, async (lib) => {
        const all = await lib.albums.list();
        if (globals(this).json) return printJson(all);
        await printLines(all, albumLine, 'No albums yet: vss album add NAME FILE… (makes it), or vss album create NAME --query "tag:Family"');
      }, 'read');
    });

  album
    .command('show <album>')
    .description('an album and its contents (a smart album: what its search finds now)')
    .action(async function (this: Command, ref: string) {
      await withLibrary(this, async (lib) => {
        const a = await lib.albums.show(ref);
        if (globals(this).json) return printJson(a);
        printLine(albumLine(a));
        // Each photo by its file's name; the start of its id beside it where two share a name, or none names it now.
        const seen = new Map<string, number>();
        for (const c of a.contents) seen.set(a.names[c] ?? '', (seen.get(a.names[c] ?? '') ?? 0) + 1);
        for (const c of a.contents) {
          const name = a.names[c] ?? null;
          const shown = name === null ? shortId(c) : (seen.get(name) ?? 0) > 1 ? `${name}  (${shortId(c)})` : name;
          printLine(`  ${shown}${c === a.cover ? '  (cover)' : ''}`);
        }
      }, 'read');
    });

  for (const verb of ['add', 'remove'] as const) {
    album
      .command(`${verb} <album> <contents...>`)
      .description(verb === 'add'
        ? 'put contents in an album (by uuid, DEVICE:/LOCATION/PATH or file path); an album no album is named after is made'
        : 'take contents out of an album (they stay in the library)')
      .action(async function (this: Command, ref: string, contents: string[]) {
        await withLibrary(this, async (lib) => {
          const r = await lib.albums[verb](ref, contents.map(contentRef));
          if (globals(this).json) return printJson(r);
          const made = 'created' in r && r.created ? ` (album ${JSON.stringify(r.album.name)} made)` : '';
          printLine(`${r.changed} content${r.changed === 1 ? '' : 's'} ${verb === 'add' ? 'put in' : 'taken out of'} ${JSON.stringify(r.album.name)}${made}; it holds ${r.album.count}.`);
        });
      });
  }

  album
    .command('rename <album> <name>')
    .description('give an album a new name')
    .action(async function (this: Command, ref: string, name: string) {
      await withLibrary(this, async (lib) => {
        const a = await lib.albums.change(ref, { name });
        if (globals(this).json) return printJson(a);
        printLine(albumLine(a));
      });
    });

  album
    .command('set <album>')
    .description('move an album, change its saved search, or choose its cover')
    .option('--parent <album>', 'the album to put it in ("" for the top)')
    .option('--query <search>', 'its saved search ("" : an album of its own contents again)')
    .option('--cover <content>', 'the content shown for it (uuid, DEVICE:/LOCATION/PATH or file path; "" for its first)')
    .action(async function (this: Command, ref: string, opts: { parent?: string; query?: string; cover?: string }) {
      await withLibrary(this, async (lib) => {
        const a = await lib.albums.change(ref, { ...opts, ...(opts.cover ? { cover: contentRef(opts.cover) } : {}) });
        if (globals(this).json) return printJson(a);
        printLine(albumLine(a));
      });
    });

  album
    .command('delete <album>')
    .description('delete an album: its contents stay in the library; the albums in it move up')
    .action(async function (this: Command, ref: string) {
      await withLibrary(this, async (lib) => {
        const a = await lib.albums.delete(ref);
        if (globals(this).json) return printJson(a);
        printLine(`Album ${JSON.stringify(a.name)} deleted (it held ${a.count}).`);
      });
    });
  addShareCommands(album);
}
