/**
 * The safety model's other parties (DESIGN §22): a phone paired with every right, asking through
 * the daemon's routes (browser-door.ts) for every file operation a browser may call — copy, move,
 * delete, the trash, a dry run, a favourite — to destinations in a location, on a paired device,
 * and outside every location (a person's home folder and its `.bashrc`, the top of the device's
 * folder or of the drive: case N1 of the faults of 2026-11-27); and a paired device sending files
 * over /vss/drop as a peer may ask it — into the inbox, or placed in a folder it names of a
 * location it names, with a name it chooses, `..` and absolute paths included. Whatever they ask,
 * nothing may land outside the places vss may write (real.ts: `places`).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { sendDrop } from '../../src/sync/drop/send.js';
import { BrowserDoor, answerWords } from './browser-door.js';
import type { OnConflict } from './commands.js';
import { answered, JOB_WAIT_MS, named, other, reaches, Step } from './step.js';
import { HOME } from './places.js';
import { hashOf } from './reality.js';
import type { Model, Outcome, Real } from './real.js';
import type { Device, World } from './world.js';


/** What the phone asks. */
export const BROWSER_ASKS = ['copy', 'move', 'delete', 'trash-empty', 'trash-restore', 'preview', 'favorite'] as const;
export type BrowserAsk = (typeof BROWSER_ASKS)[number];
/** Where a copy or move of the phone's goes: in a location, on a paired device, or outside every location. */
export const BROWSER_INSIDE = ['main', 'drive', 'sub', 'device'] as const;
export const BROWSER_OUTSIDE = ['home', 'bashrc', 'device-top', 'drive-top'] as const;
export type BrowserTo = (typeof BROWSER_INSIDE)[number] | (typeof BROWSER_OUTSIDE)[number];

const doors = new WeakMap<World, BrowserDoor[]>();

/** The phone's door to device I of WORLD (made at its first use, kept with the world). */
export async function doorOf(world: World, i: number): Promise<BrowserDoor> {
  let list = doors.get(world);
  if (!list) {
    doors.set(world, (list = []));
    world.closers.push(async () => {
      for (const d of doors.get(world) ?? []) await d?.close();
      doors.delete(world);
    });
  }
  return (list[i] ??= await BrowserDoor.open(world.devices[i]!.dataDir, () => world.devices[i]!));
}

/** Where TO is for the phone of DEV (E: the paired device it may name), and whether it names a folder to go into. */
function destination(r: Real, dev: Device, e: Device, to: BrowserTo): { path: string; into: boolean; words: string } {
  const home = join(r.world.root, dev.name, HOME);
  switch (to) {
    case 'main': return { path: dev.dirs.main, into: true, words: `${dev.name}/main/` };
    case 'drive': return { path: dev.dirs.drive, into: true, words: `${dev.name}/drive/` };
    case 'sub': return { path: join(dev.dirs.main, 'sub'), into: true, words: `${dev.name}/main/sub/` };
    case 'device': return { path: `${e.uuid}:/main`, into: true, words: `${e.name}:/main/` };
    case 'home': return { path: home, into: true, words: `${dev.name}'s home folder (outside every location)` };
    case 'bashrc': return { path: join(home, '.bashrc'), into: false, words: `${dev.name}'s home/.bashrc (outside every location)` };
    case 'device-top': return { path: join(r.world.root, dev.name), into: true, words: `the top of ${dev.name}'s folder (outside every location)` };
    case 'drive-top': return { path: r.world.drive.mountAt, into: true, words: 'the drive\'s top folder (outside every location)' };
  }
}

/** The phone (paired with every right) asks DEV's daemon for ASK on file #K, to TO, as its routes take it. */
export class Browser extends Step {
  constructor(private readonly d: number, private readonly ask: BrowserAsk, private readonly k: number, private readonly to: BrowserTo, private readonly e: number, private readonly onConflict: OnConflict, private readonly force: boolean) {
    super();
  }
  check(m: Readonly<Model>): boolean {
    return this.to !== 'device' || (m.devices > 1 && reaches(m, this.d, other(m, this.d, this.e)));
  }
  protected plan(): string {
    return `D${this.d}: the phone asks ${this.ask} of file #${this.k}${this.moves ? ` to ${this.to} --on-conflict ${this.onConflict}` : ''}${this.force ? ' --force' : ''}`;
  }
  private get moves(): boolean {
    return this.ask === 'copy' || this.ask === 'move' || this.ask === 'preview';
  }
  protected async act(r: Real, m: Model): Promise<Outcome> {
    const dev = r.device(this.d);
    const e = r.device(other(m, this.d, this.e));
    const door = await doorOf(r.world, dev.index);
    const p = r.pick(dev, this.k);
    const lib = '/api/libraries/current';
    let url: string;
    let body: Record<string, unknown>;
    let what: string;
    const to = destination(r, dev, e, this.to);
    const victimPath = p && this.moves ? (to.into ? join(to.path, basename(p.held.path)) : to.path) : undefined;
    const victim = victimPath && !victimPath.includes(':/') && existsSync(victimPath) && victimPath !== p?.held.path ? hashOf(readFileSync(victimPath)) : undefined;
    switch (this.ask) {
      case 'copy':
      case 'move':
      case 'preview':
        if (!p) return this.noFile(dev);
        url = `${lib}/files/${this.ask}`;
        body = { srcs: [p.held.path], to: to.path, on_conflict: this.onConflict, into: to.into, force: this.force, ...(this.ask === 'preview' ? { op: 'copy' } : {}) };
        what = `${this.ask === 'preview' ? 'copy --dry-run' : this.ask} ${named(p)} to ${to.words} --on-conflict ${this.onConflict}`;
        break;
      case 'delete':
        if (!p) return this.noFile(dev);
        url = `${lib}/files/delete`;
        body = { paths: [p.held.path], force: this.force };
        what = `delete ${named(p)}`;
        break;
      case 'favorite':
        if (!p) return this.noFile(dev);
        url = `${lib}/meta`;
        body = { contents: [p.held.path], favorite: true };
        what = `favourite ${named(p)}`;
        break;
      case 'trash-empty':
        url = `${lib}/trash/empty`;
        body = { force: this.force };
        what = 'empty the trash';
        break;
      case 'trash-restore': {
        const items = dev.api.trash.list();
        const it = items[this.k % Math.max(1, items.length)];
        if (!it) {
          this.said = `${dev.name}: the phone asks to restore from the trash: it is empty`;
          return {};
        }
        url = `${lib}/trash/restore`;
        body = { refs: [it.trash_id] };
        what = `restore ${it.path} from the trash`;
        break;
      }
    }
    // What a forced empty may take (as the person's `trash empty --force`): every content with bytes in the trash.
    const inTrash = this.ask === 'trash-empty' && this.force ? dev.api.trash.list().map((t) => t.in_trash_at).filter((x) => existsSync(x)).map((x) => hashOf(readFileSync(x))) : [];
    const jobsBefore = lastJob(dev);
    const signal = AbortSignal.timeout(JOB_WAIT_MS);
    let said: string;
    try {
      said = answerWords(await door.ask(dev, 'POST', url, body, signal));
    } catch (err) {
      if (!signal.aborted) said = answered(err);
      else {
        // Stopped waiting: what it queued is cancelled, as a person's Ctrl-C would.
        for (const j of dev.api.jobs.iterate()) if (j.id > jobsBefore && (j.status === 'queued' || j.status === 'running')) await dev.life.run(() => dev.api.jobs.cancel(j.id)).catch(() => undefined);
        said = `still running after ${JOB_WAIT_MS / 1000} s: cancelled`;
      }
    }
    this.said = `${dev.name}: the phone (every right) asks to ${what}${this.force ? ' --force' : ''}${victim ? ` (the name holds ${victim.slice(0, 6)} there)` : ''} → ${said}`;
    const exempt = this.force && p ? [...(victim ? [victim] : []), ...(this.ask === 'move' || this.ask === 'delete' ? [p.held.hash] : []), ...inTrash] : inTrash;
    if (this.ask === 'favorite' && said === 'done') {
      const uuid = (await dev.api.meta.show(p!.held.path)).content_uuid;
      r.acknowledged(dev.index, uuid, { favorite: true });
    }
    return { changed: this.to === 'device' ? [dev.index, e.index] : [dev.index], exempt, shared: this.ask === 'favorite', trashed: this.ask === 'delete' };
  }
}

/** The highest job id of DEV now (0: none). */
function lastJob(dev: Device): number {
  let n = 0;
  for (const j of dev.api.jobs.iterate()) n = Math.max(n, j.id);
  return n;
}

/** Where a peer asks its file be put on the receiver: its inbox, or a folder it names of a location it names. */
export const PEER_PLACES = ['inbox', 'main', 'drive', 'sub', 'up', 'home', 'absolute', 'trash', 'theirs', 'unknown'] as const;
export type PeerPlace = (typeof PEER_PLACES)[number];
/** A location of no device. */
const NO_ONES = '00000000-0000-4000-8000-000000000000';
/** The name a peer offers its file under. */
export const PEER_NAMES = ['same', 'bashrc', 'up', 'bookkeeping'] as const;
export type PeerName = (typeof PEER_NAMES)[number];

/**
 * Another device (paired: a peer) sends its file #K to device D over /vss/drop as it may ask — the
 * real sending code (sync/drop/send.ts) over a stream served by D's real handlers (net.ts), the
 * place and the name as the peer chooses them.
 */
export class PeerDrop extends Step {
  constructor(private readonly d: number, private readonly e: number, private readonly k: number, private readonly place: PeerPlace, private readonly name: PeerName, private readonly onConflict: OnConflict, private readonly force: boolean) {
    super();
  }
  check(m: Readonly<Model>): boolean {
    return m.devices > 1 && reaches(m, this.d, other(m, this.d, this.e));
  }
  protected plan(): string {
    return `another device sends its file #${this.k} to D${this.d}'s ${this.place} as ${this.name}`;
  }
  protected async act(r: Real, m: Model): Promise<Outcome> {
    const dev = r.device(this.d);
    const peer = r.device(other(m, this.d, this.e));
    const p = r.pick(peer, this.k);
    if (!p) return this.noFile(peer);
    if (!existsSync(p.held.path)) return this.unreachable(peer, p);
    const lib = dev.lib;
    const locs = lib.store.locations.ofDevice(lib.deviceId);
    const locUuid = (name: string) => locs.find((l) => l.name === name)!.uuid;
    const theirs = peer.lib.store.locations.ofDevice(peer.lib.deviceId).find((l) => l.name === 'main')!.uuid;
    const dirs: Record<PeerPlace, { location: string; dir: string; words: string } | null> = {
      inbox: null,
      main: { location: locUuid('main'), dir: '', words: 'main' },
      drive: { location: locUuid('drive'), dir: '', words: 'drive' },
      sub: { location: locUuid('main'), dir: 'sub', words: 'main' },
      up: { location: locUuid('main'), dir: '../..', words: 'main' },
      home: { location: locUuid('main'), dir: `../${HOME}`, words: 'main' },
      absolute: { location: locUuid('main'), dir: join(r.world.root, dev.name, HOME), words: 'main' },
      trash: { location: locUuid('main'), dir: '.vss-trash', words: 'main' },
      theirs: { location: theirs, dir: '', words: `main of ${peer.name}` },
      unknown: { location: NO_ONES, dir: '', words: 'of no one' },
    };
    const names: Record<PeerName, string> = { same: basename(p.held.path), bashrc: '.bashrc', up: '../escaped.bin', bookkeeping: '.vss-trash' };
    const place = dirs[this.place];
    const item = { name: names[this.name], size: p.held.size, path: p.held.path, root: peer.dirs[p.loc] };
    const signal = AbortSignal.timeout(JOB_WAIT_MS);
    let said: string;
    try {
      const sent = await peer.life.run(async () => {
        const stream = await r.world.net.linkNetwork(peer.uuid).open(dev.remote.peerId, 'drop', signal);
        return sendDrop(stream, randomUUID(), [item], {
          signal,
          ...(place ? { into: { library: r.world.libraryId, location: place.location, dir: place.dir, onConflict: this.onConflict, force: this.force } } : {}),
        });
      });
      said = `done (saved as ${sent.saved.join(', ') || 'nothing'}${sent.skipped.size > 0 ? ', skipped' : ''})`;
    } catch (err) {
      said = signal.aborted ? `no answer within ${JOB_WAIT_MS / 1000} s` : answered(err);
    }
    this.said = `${peer.name} sends ${named(p)} to ${dev.name}'s ${place ? `location ${place.words}, folder ${JSON.stringify(place.dir)}` : 'inbox'} as ${JSON.stringify(item.name)} --on-conflict ${this.onConflict}${this.force ? ' --force' : ''} → ${said}`;
    return { changed: [dev.index, peer.index] };
  }
}
