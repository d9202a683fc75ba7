/**
 * Sources outside every location (issue 59 item 2, "copy and move from anywhere"), as the safety
 * model's steps: the person copies or moves a file from their home folder into a location (allowed:
 * the copy lands verified, a move takes the source away only once its bytes are there, and changes
 * nothing else there), and the phone with every right names a file or folder of that home folder as
 * the source of a copy or move, or tags or favourites it (refused: a browser reaches only the
 * locations; nothing of the home folder may come to be read into a location, nor changed, nor
 * carry the library's data).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { answerWords } from './browser-door.js';
import type { OnConflict } from './commands.js';
import { doorOf } from './parties.js';
import { HOME, HOME_FILES } from './places.js';
import { hashOf } from './reality.js';
import { Violation, wholeSecond, type Model, type Outcome, type Real } from './real.js';
import { answer, answered, JOB_WAIT_MS, Step } from './step.js';
import type { LocationName } from './world.js';

/** The person saves new bytes in their home folder, then `vss files copy|move ~/inN.bin LOCATION[/sub]/`. */
export class FromOutside extends Step {
  constructor(private readonly op: 'copy' | 'move', private readonly d: number, private readonly n: number, private readonly to: LocationName, private readonly sub: boolean, private readonly onConflict: OnConflict) {
    super();
  }
  check(): boolean {
    return true;
  }
  protected plan(): string {
    return `D${this.d}: save ~/in${this.n}.bin, then files ${this.op} it ${this.to}${this.sub ? '/sub' : ''}/ --on-conflict ${this.onConflict}`;
  }
  protected async act(r: Real): Promise<Outcome> {
    const dev = r.device(this.d);
    const src = join(r.world.root, dev.name, HOME, `in${this.n}.bin`);
    const key = relative(r.world.root, src);
    // The person's own saving (a file already there from an earlier step is used as it is).
    if (!existsSync(src)) {
      const bytes = r.newBytes(1024 + this.n * 37);
      writeFileSync(src, bytes);
      wholeSecond(src, Date.now() - 60_000);
      r.contents.add(hashOf(bytes));
    }
    const hash = hashOf(readFileSync(src));
    const dst = this.sub ? join(dev.dirs[this.to], 'sub') : dev.dirs[this.to];
    const flags = { into: true, onConflict: this.onConflict };
    const said = await answer(dev, (o) => (this.op === 'copy' ? dev.api.files.copy([src], dst, { ...flags, ...o }) : dev.api.files.move([src], dst, { ...flags, ...o })));
    this.said = `${dev.name}: save ~/in${this.n}.bin (${hash.slice(0, 6)}), files ${this.op} it ${dev.name}/${this.to}${this.sub ? '/sub' : ''}/ --on-conflict ${this.onConflict} → ${said}`;
    const gone = !existsSync(src);
    if (gone && this.op === 'copy') throw new Violation('bytes lost', `${this.said}: a copy took its source away`);
    // A move's source goes only once its bytes are in the destination (a file holding them there now).
    const landed = r.world.held().some((h) => h.hash === hash && h.path.startsWith(`${dst}/`));
    if (gone && !landed) throw new Violation('bytes lost', `${this.said}: the source left the home folder, and no file of ${dst} holds its bytes`);
    return { changed: [dev.index], outsideOwn: [key] };
  }
}

/** What the phone names outside every location: a file of the home folder, a file in a folder of it, the home folder itself. */
export const HOME_REFS = ['.bashrc', 'notes/todo.txt', ''] as const;
export type HomeRef = (typeof HOME_REFS)[number];
export const BROWSER_READS = ['copy', 'move', 'favorite', 'tag'] as const;
export type BrowserRead = (typeof BROWSER_READS)[number];

/** The phone (every right) asks DEV's daemon to copy, move, favourite or tag something of the person's home folder. */
export class BrowserFromOutside extends Step {
  constructor(private readonly d: number, private readonly ask: BrowserRead, private readonly ref: HomeRef, private readonly to: LocationName) {
    super();
  }
  check(): boolean {
    return true;
  }
  protected plan(): string {
    return `D${this.d}: the phone asks ${this.ask} of ~/${this.ref}${this.ask === 'copy' || this.ask === 'move' ? ` to ${this.to}/` : ''}`;
  }
  protected async act(r: Real, _m: Model): Promise<Outcome> {
    const dev = r.device(this.d);
    const home = join(r.world.root, dev.name, HOME);
    const src = this.ref === '' ? home : join(home, this.ref);
    const door = await doorOf(r.world, dev.index);
    const lib = '/api/libraries/current';
    const [url, body] = this.ask === 'copy' || this.ask === 'move'
      ? [`${lib}/files/${this.ask}`, { srcs: [src], to: dev.dirs[this.to], into: true }]
      : this.ask === 'favorite' ? [`${lib}/meta`, { contents: [src], favorite: true }] : [`${lib}/tags/add`, { tag: 'Secrets', contents: [src] }];
    const signal = AbortSignal.timeout(JOB_WAIT_MS);
    let said: string;
    try {
      said = answerWords(await door.ask(dev, 'POST', url, body, signal));
    } catch (err) {
      said = answered(err);
    }
    this.said = `${dev.name}: the phone (every right) asks ${this.ask} of ~/${this.ref}${this.ask === 'copy' || this.ask === 'move' ? ` to ${this.to}/` : ''} → ${said}`;
    // Nothing of the home folder read into a place the phone can see, and no user data on it.
    const secrets = new Set(Object.values(HOME_FILES).map((t) => hashOf(Buffer.from(t))));
    const read = r.world.held().filter((h) => secrets.has(h.hash));
    if (read.length > 0) throw new Violation('a browser read outside every location', `${this.said}: ${read.map((h) => h.where).join(', ')} now holds a file of the home folder`);
    const marked = dev.lib.store.objects.withUserData(10_000).filter((o) => o.path === home || o.path.startsWith(`${home}/`));
    if (marked.length > 0) throw new Violation('a browser marked outside every location', `${this.said}: the library now carries user data on ${marked.map((o) => o.path).join(', ')}`);
    return { changed: [dev.index], shared: this.ask === 'favorite' || this.ask === 'tag' };
  }
}
