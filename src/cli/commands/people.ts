import { shortId } from '../../core/short-id.js';
import type { Command } from 'commander';
import type { FaceView, PersonView, UnsortedFacesView } from '../../api/index.js';
import { contentRef } from '../content-arg.js';
import { globals, withLibrary } from '../context.js';
import { printJson, printLine, printLines } from '../output.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function personLine(p: PersonView): string {
  const name = p.name === null ? '(not named)' : p.name;
  return `${shortId(p.person_id)}  ${name}  ${plural(p.faces, 'face')} in ${plural(p.contents, 'content')}${p.hidden ? '  [hidden]' : ''}`;
}

function faceLine(f: FaceView, names: Map<string, string | null>): string {
  const b = f.box;
  const pct = (v: number) => `${Math.round(v * 100)}%`;
  const who = f.person_id === null ? 'nobody yet' : `${names.get(f.person_id) ?? '(not named)'} ${shortId(f.person_id)}`;
  return `${shortId(f.face_id)}  at ${pct(b.x)},${pct(b.y)} size ${pct(b.w)}×${pct(b.h)}  score ${f.score.toFixed(2)}  ${who}`;
}

/** The contract's shape of a person (`vss people list --json`): no more, no less. */
const personJson = (p: PersonView): PersonView => ({ person_id: p.person_id, name: p.name, faces: p.faces, contents: p.contents, hidden: p.hidden });

/** What an empty people list says: the faces found that are nobody yet, when there are some, and how to name one. */
function nobodyYet(u: UnsortedFacesView): string {
  const first = u.sample[0];
  if (u.faces === 0 || !first) return 'Nobody yet: people are found in photos of deep-mode locations (vss location add DIR --mode deep), then vss people list.';
  return `${plural(u.faces, 'face')} found in ${plural(u.contents, 'content')}, not yet grouped into people: a person appears once the same face is in several photos. `
    + `Name one yourself: vss faces list ${shortId(first.content_uuid)} shows its faces, vss faces assign FACE NAME names one.`;
}

/** `vss people …` and `vss faces …` (issue 31): people named once, known on every device. */
export function registerPeopleCommands(program: Command): void {
  const people = program.command('people').description('the people in your photos, found from their faces; names shared by every device');

  people
    .command('list')
    .description('every person: id, name, how many faces and contents')
    .option('--no-hidden', 'leave hidden people out')
    .action(async function (this: Command, opts: { hidden: boolean }) {
      await withLibrary(this, async (lib) => {
        const list = await lib.people.list(opts.hidden ? {} : { hidden: false });
        if (globals(this).json) return printJson(list.map(personJson));
        const none = list.length === 0 ? nobodyYet(await lib.faces.unsorted({ limit: 1 })) : '';
        await printLines(list, personLine, none);
      }, 'read');
    });

  people
    .command('name <person> <name>')
    .description('name a person (by id, or by the name they have); "" takes the name back')
    .action(async function (this: Command, ref: string, name: string) {
      await withLibrary(this, async (lib) => {
        const p = await lib.people.name(ref, name);
        if (globals(this).json) return printJson(personJson(p));
        printLine(personLine(p));
      });
    });

  people
    .command('merge <people...>')
    .description('make several people one: the others join the first')
    .action(async function (this: Command, refs: string[]) {
      await withLibrary(this, async (lib) => {
        const p = await lib.people.merge(refs);
        if (globals(this).json) return printJson(personJson(p));
        printLine(personLine(p));
      });
    });

  people
    .command('split <person> <faces...>')
    .description("take faces of a person out into a new person (vss faces list FILE shows the faces' ids)")
    .action(async function (this: Command, ref: string, faces: string[]) {
      await withLibrary(this, async (lib) => {
        const p = await lib.people.split(ref, faces);
        if (globals(this).json) return printJson(personJson(p));
        printLine(personLine(p));
      });
    });

  for (const verb of ['hide', 'show'] as const) {
    people
      .command(`${verb} <person>`)
      .description(verb === 'hide' ? 'hide a person from the people list and suggestions' : 'show a hidden person again')
      .action(async function (this: Command, ref: string) {
        await withLibrary(this, async (lib) => {
          const p = await lib.people[verb](ref);
          if (globals(this).json) return printJson(personJson(p));
          printLine(personLine(p));
        });
      });
  }

  people
    .command('faces <person>')
    .description("a person's faces and the contents they are in")
    .action(async function (this: Command, ref: string) {
      await withLibrary(this, async (lib) => {
        const faces = await lib.people.faces(ref);
        if (globals(this).json) return printJson(faces);
        await printLines(faces, (f) => `${shortId(f.face_id)}  in ${shortId(f.content_uuid)}  score ${f.score.toFixed(2)}`, 'No faces.');
      }, 'read');
    });

  const faces = program.command('faces').description('the faces found in a photo (or a video\'s poster frame)');

  faces
    .command('list <content>')
    .description('the faces of a content (uuid, DEVICE:/LOCATION/PATH or file path): id, box, score, person')
    .action(async function (this: Command, ref: string) {
      await withLibrary(this, async (lib) => {
        const list = await lib.faces.list(contentRef(ref));
        if (globals(this).json) return printJson(list);
        const names = new Map((await lib.people.list()).map((p) => [p.person_id, p.name]));
        await printLines(list, (f) => faceLine(f, names), 'No faces found in it (or none made yet: its faces are made in deep mode).');
      }, 'read');
    });

  faces
    .command('remake [contents...]')
    .description('make faces again with the model this vss has (none named: every photo whose faces were made here); a newer model re-makes nothing until asked')
    .action(async function (this: Command, refs: string[]) {
      await withLibrary(this, async (lib) => {
        const r = await lib.faces.remake(refs.map(contentRef));
        if (globals(this).json) return printJson(r);
        printLine(`${r.queued} photo${r.queued === 1 ? '' : 's'} queued: vss jobs run --until-idle makes their faces (the daemon does it by itself).`);
      });
    });

  faces
    .command('assign <face> <person>')
    .description('say who a face is: a person (id or name), "none" (nobody), or "auto" (back to what vss found)')
    .action(async function (this: Command, face: string, person: string) {
      await withLibrary(this, async (lib) => {
        const f = await lib.faces.assign(face, person);
        if (globals(this).json) return printJson(f);
        const name = f.person_id === null ? null : (await lib.people.list()).find((p) => p.person_id === f.person_id)?.name ?? null;
        printLine(f.person_id === null ? `Face ${shortId(f.face_id)} is nobody's now.` : `Face ${shortId(f.face_id)} is ${name ?? '(not named)'}'s now (${shortId(f.person_id)}).`);
      });
    });
}
