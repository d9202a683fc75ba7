import { shortId } from '../../core/short-id.js';
import type { Command } from 'commander';
import type { TagView, UserMetaView } from '../../api/index.js';
import { UsageError } from '../../core/errors.js';
import { contentRef } from '../content-arg.js';
import { resolveLocationRef } from '../location-ref.js';
import { globals, withLibrary } from '../context.js';
import { displayPath, printJson, printLine, printLines, warn } from '../output.js';

function tagLine(t: TagView): string {
  const where = t.path.length > 1 ? `  (${t.path.join(' / ')})` : '';
  const twin = t.same_name ? `  [same name as another tag: ${t.uuid}]` : '';
  const beneath = t.contents_total !== t.contents ? ` (${t.contents_total} with the tags beneath it)` : '';
  return `${t.name}${t.color ? ` ${t.color}` : ''}  ${t.contents} content${t.contents === 1 ? '' : 's'}${beneath}${where}${twin}`;
}

function metaLines(m: UserMetaView): string[] {
  return [
    // A folder (or a file outside every location) by where it is; a content by its id.
    m.object ? `${displayPath(m.object.path)}  (${m.object.kind}${m.object.kind === 'file' ? ` ${shortId(m.content_uuid)}` : ''})` : `${m.content_uuid}`,
    `  favorite  ${m.favorite ? 'yes' : 'no'}`,
    `  hidden    ${m.hidden ? 'yes' : 'no'}`,
    `  rating    ${m.rating > 0 ? '★'.repeat(m.rating) + '☆'.repeat(5 - m.rating) : 'none'}`,
    `  tags      ${m.tags.length > 0 ? m.tags.join(', ') : 'none'}`,
    ...(m.note !== null ? [`  note      ${m.note}`] : []),
  ];
}

function parseRating(v: string): number {
  if (!/^[0-5]$/.test(v)) throw new UsageError(`a rating is 0 to 5, got ${JSON.stringify(v)}`);
  return Number(v);
}

/** `vss tag …` and `vss meta …` (DESIGN §11, §16): tags and user metadata, shared by every device of the library. */
export function registerTagCommands(program: Command): void {
  const tag = program.command('tag').description('tags, shared by every device of the library');

  tag
    .command('create <name>')
    .description('make a tag (under a parent tag, with a colour)')
    .option('--parent <tag>', 'the tag to put it under (its name or uuid)')
    .option('--color <color>', 'a colour, #rrggbb')
    .action(async function (this: Command, name: string, opts: { parent?: string; color?: string }) {
      await withLibrary(this, async (lib) => {
        const t = await lib.tags.create(name, opts);
        if (globals(this).json) return printJson(t);
        printLine(`Tag ${JSON.stringify(t.path.join(' / '))} made (${t.uuid}).`);
      });
    });

  tag
    .command('list')
    .description('every tag, with its place in the tree and how many contents carry it')
    .action(async function (this: Command) {
      await withLibrary(this, async (lib) => {
        const tags = await lib.tags.list();
        if (globals(this).json) return printJson(tags);
        await printLines(tags, tagLine, 'No tags yet: vss tag create NAME, or vss tag add NAME FILE…');
      }, 'read');
    });

  tag
    .command('set <tag>')
    .description('rename a tag, move it in the tree, or give it a colour')
    .option('--name <name>', 'its new name')
    .option('--parent <tag>', 'the tag to put it under ("" for the top)')
    .option('--color <color>', 'a colour, #rrggbb ("" for none)')
    .action(async function (this: Command, ref: string, opts: { name?: string; parent?: string; color?: string }) {
      await withLibrary(this, async (lib) => {
        const t = await lib.tags.change(ref, opts);
        if (globals(this).json) return printJson(t);
        printLine(tagLine(t));
      });
    });

  tag
    .command('delete <tag>')
    .description('delete a tag: its contents no longer carry it; the tags beneath it move up')
    .action(async function (this: Command, ref: string) {
      await withLibrary(this, async (lib) => {
        const t = await lib.tags.delete(ref);
        if (globals(this).json) return printJson(t);
        printLine(`Tag ${JSON.stringify(t.name)} deleted (${t.contents} content${t.contents === 1 ? '' : 's'} carried it).`);
      });
    });

  tag
    .command('merge <from> <into>')
    .description('make two tags one (two devices made the same name): FROM\'s contents carry INTO, FROM goes')
    .action(async function (this: Command, from: string, into: string) {
      await withLibrary(this, async (lib) => {
        const t = await lib.tags.merge(from, into);
        if (globals(this).json) return printJson(t);
        printLine(tagLine(t));
      });
    });

  for (const verb of ['add', 'remove'] as const) {
    tag
      .command(`${verb} <tag> <contents...>`)
      .description(verb === 'add'
        ? 'tag contents and folders (by path — any folder, any file —, uuid or DEVICE:/LOCATION/PATH); a tag no tag is named after is made'
        : 'take a tag off contents and folders (by path, uuid or DEVICE:/LOCATION/PATH)')
      .option('-r, --recursive', 'a folder\'s files too, every one beneath it')
      .action(async function (this: Command, ref: string, contents: string[], o: { recursive?: boolean }) {
        await withLibrary(this, async (lib) => {
          const r = await lib.tags[verb](ref, contents.map(contentRef), o.recursive ? { recursive: true } : {});
          if (globals(this).json) return printJson(r);
          const made = 'created' in r && r.created ? ` (tag ${JSON.stringify(r.tag.name)} made)` : '';
          printLine(`${r.changed} item${r.changed === 1 ? '' : 's'} ${verb === 'add' ? 'tagged' : 'untagged'} ${JSON.stringify(r.tag.name)}${made}.`);
        });
      });
  }

  const meta = program.command('meta').description("a content's favourite, hidden, rating and note, shared by every device of the library");

  meta
    .command('show <content>')
    .description('what is set on a content (by uuid, DEVICE:/LOCATION/PATH or file path), and its tags')
    .action(async function (this: Command, ref: string) {
      await withLibrary(this, async (lib) => {
        const m = await lib.meta.show(contentRef(ref));
        if (globals(this).json) return printJson(m);
        for (const l of metaLines(m)) printLine(l);
      }, 'read');
    });

  meta
    .command('set <contents...>')
    .description('set favourite, hidden, rating or note on contents (by uuid, DEVICE:/LOCATION/PATH or file path)')
    .option('--favorite', 'mark as a favourite')
    .option('--no-favorite', 'no longer a favourite')
    .option('--hidden', 'hide from the grid and search (unless asked for)')
    .option('--no-hidden', 'show again')
    .option('--rating <0-5>', 'stars, 0 for none', parseRating)
    .option('--note <text>', 'a note ("" clears it)')
    .action(async function (this: Command, refs: string[], opts: { favorite?: boolean; hidden?: boolean; rating?: number; note?: string }) {
      await withLibrary(this, async (lib) => {
        const fields = {
          ...(opts.favorite !== undefined ? { favorite: opts.favorite } : {}),
          ...(opts.hidden !== undefined ? { hidden: opts.hidden } : {}),
          ...(opts.rating !== undefined ? { rating: opts.rating } : {}),
          ...(opts.note !== undefined ? { note: opts.note } : {}),
        };
        const all = await lib.meta.set(refs.map(contentRef), fields);
        if (globals(this).json) return printJson(all);
        for (const m of all) for (const l of metaLines(m)) printLine(l);
      });
    });

  const xmp = program.command('xmp').description('XMP sidecar files other photo tools (digiKam, darktable, Lightroom) keep beside the originals');

  xmp
    .command('export [contents...]')
    .description('write vss\'s rating, colour label and tags into the XMP sidecars beside the originals (NAME.EXT.xmp where none exists); never into an original')
    .action(async function (this: Command, refs: string[]) {
      await withLibrary(this, async (lib) => {
        const r = await lib.xmp.export(refs.map(contentRef));
        if (r.problems.length > 0) process.exitCode = 1;
        if (globals(this).json) return printJson(r);
        for (const p of r.written) printLine(`updated ${displayPath(p)}`);
        for (const p of r.created) printLine(`created ${displayPath(p)}`);
        for (const p of r.problems) warn(`not written ${displayPath(p.path)}: ${p.reason}`);
        printLine(`${r.written.length} updated, ${r.created.length} created, ${r.unchanged} already up to date${r.problems.length > 0 ? `, ${r.problems.length} not written` : ''}.`);
      });
    });

  xmp
    .command('write-back <on|off> <location>')
    .description('keep a location\'s XMP sidecars written: a tag, rating or note changed here or on another device is written beside its files there while the daemon runs (off by default; other tools\' fields are kept)')
    .action(async function (this: Command, state: string, ref: string) {
      if (state !== 'on' && state !== 'off') throw new UsageError(`write-back is on or off, got ${JSON.stringify(state)}`);
      await withLibrary(this, async (lib) => {
        const r = await lib.xmp.writeBack(await resolveLocationRef(lib, ref), state === 'on');
        if (globals(this).json) return printJson(r);
        printLine(`XMP write-back ${r.write_back ? 'on' : 'off'} for location ${r.location_id}${r.write_back ? ': tags, ratings and notes are written beside its files while the daemon runs (vss xmp export writes what came before)' : ''}.`);
      });
    });
}
