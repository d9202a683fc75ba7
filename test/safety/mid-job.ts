/**
 * The world's faults in the middle of a job: a kill -9 of the device running a copy, move,
 * delete or protect (or of the device receiving one) at a chosen operation of it, a partition
 * between two devices at a chosen message of a copy or move from one to the other, and another
 * program writing to the file a job reads at a chosen operation of it. Each point is
 * a count (the Nth write to a disk, the database or the bucket, or message to a peer, of the
 * device's life: life.ts), so a sequence replays the same point and shrinks toward the first.
 */
import { closeSync, existsSync, fstatSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { JobRow } from '../../src/jobs/states.js';
import { hashOf } from './reality.js';
import type { Model, Outcome, Picked, Real } from './real.js';
import { answer, answered, JOB_WAIT_MS, named, other, reaches, Step } from './step.js';
import type { Device, LocationName } from './world.js';

/** What a job in the middle of which a fault strikes does: a local copy or move, a delete, a protect, a copy or move to another device. */
export const MID_JOBS = ['copy', 'move', 'delete', 'protect-drive', 'protect-bucket', 'protect-device', 'copy-to-device', 'move-to-device'] as const;
export type MidJob = (typeof MID_JOBS)[number];
const TO_DEVICE: ReadonlySet<MidJob> = new Set(['protect-device', 'copy-to-device', 'move-to-device']);
const ENDED: ReadonlySet<string> = new Set(['completed', 'failed', 'cancelled']);

type Call = (o: { signal: AbortSignal; onQueued: (id: number) => void }) => Promise<unknown>;

/** The call that starts JOB on DEV (its file P, where it applies), to LOC here or on device TO. */
function callOf(job: MidJob, dev: Device, to: Device, p: Picked | undefined, loc: LocationName): { call: Call; words: string } {
  const path = p?.held.path ?? '';
  const what = p ? named(p) : '';
  switch (job) {
    case 'copy':
    case 'move':
      return {
        call: (o) => (job === 'copy' ? dev.api.files.copy([path], dev.dirs[loc], { into: true, onConflict: 'keep-both', ...o }) : dev.api.files.move([path], dev.dirs[loc], { into: true, onConflict: 'keep-both', ...o })),
        words: `files ${job} ${what} ${dev.name}/${loc}/`,
      };
    case 'delete':
      return { call: (o) => dev.api.files.delete([path], o), words: `files delete ${what}` };
    case 'protect-drive':
      return { call: (o) => dev.api.guardian.protect({ to: dev.dirs.drive, ...o }), words: `guardian protect --to ${dev.name}/drive` };
    case 'protect-bucket':
      return { call: (o) => dev.api.guardian.protect({ to: 'Offsite', ...o }), words: 'guardian protect --to Offsite' };
    case 'protect-device':
      return { call: (o) => dev.api.guardian.protect({ to: `${to.uuid}:/main/protect`, ...o }), words: `guardian protect --to ${to.name}:/main/protect` };
    case 'copy-to-device':
    case 'move-to-device': {
      const target = `${to.uuid}:/${loc}`;
      const op = job === 'copy-to-device' ? 'copy' : 'move';
      return {
        call: (o) => (op === 'copy' ? dev.api.files.copy([path], target, { onConflict: 'keep-both', ...o }) : dev.api.files.move([path], target, { onConflict: 'keep-both', ...o })),
        words: `files ${op} ${what} ${to.name}:/${loc}/`,
      };
    }
  }
}

/** A job asked for and raced against a fault of the world (its answer, its job's id once queued, the end of waiting on it). */
interface Raced {
  /** What the call answered first, or undefined when the fault came first (or still running after JOB_WAIT_MS: said so). */
  first: string | undefined;
  id: () => number | undefined;
  /** Whoever asked stops waiting (the job goes on, or not, as its device decides). */
  stop: (why: string) => void;
}

/** CALL asked of DEV until it is answered, FAULT comes, or JOB_WAIT_MS pass. */
async function raceJob(dev: Device, call: Call, fault: Promise<unknown>): Promise<Raced> {
  let id: number | undefined;
  const stop = new AbortController();
  const asked = dev.life.run(() => call({ signal: stop.signal, onQueued: (j) => (id = j) })).then(() => 'done', answered);
  let timer: NodeJS.Timeout | undefined;
  const first = await Promise.race([
    asked,
    fault.then(() => undefined),
    new Promise<string>((res) => (timer = setTimeout(() => res(`still running after ${JOB_WAIT_MS / 1000} s`), JOB_WAIT_MS))),
  ]);
  clearTimeout(timer);
  return {
    first, id: () => id,
    stop: (why) => {
      stop.abort(new Error(why));
      void asked.catch(() => undefined);
    },
  };
}

/** A job's row as it stands, in words. */
function jobWords(row: JobRow | undefined): string {
  if (!row) return 'its job is gone';
  if (row.status === 'completed') return 'completed';
  if (row.status === 'failed') return `failed: ${(row.error ?? '').split('\n')[0]!.slice(0, 160)}`;
  if (row.status === 'queued') return `waiting (${(row.note ?? row.error ?? 'queued').slice(0, 120)})`;
  return row.status;
}

/**
 * Until job ID of DEV has ended, or waits for something to come (a device, a retry: queued with
 * its next try later, the daemon's to run), or MS pass: the job as it stands then. Follows the
 * job work (a run of it ended: `runEnded`) and the job's own events (a run of it started).
 */
export async function jobSettled(dev: Device, id: number, ms = JOB_WAIT_MS): Promise<JobRow | undefined> {
  const row = () => dev.lib.store.jobs.get(id);
  const settled = (j: JobRow | undefined) => !j || ENDED.has(j.status) || j.status === 'paused' || (j.status === 'queued' && j.run_after > Date.now() + 100);
  const until = Date.now() + ms;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((res) => (timer = setTimeout(res, ms)));
  try {
    for (let j = row(); ; j = row()) {
      if (settled(j) || Date.now() >= until) return j;
      let off: (() => void) | undefined;
      // Running: until that run ends. Queued and due: until a run of it starts.
      const next = j!.status === 'running'
        ? dev.work.runEnded(id)
        : new Promise<void>((res) => (off = dev.lib.events.on('jobs:job', (e) => { if (e.id === id) res(); })));
      await Promise.race([next, late]);
      off?.();
    }
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The world: `kill -9` of a device in the middle of a job — the device running a copy, move,
 * delete or protect, or the device a copy, move or protect sends to — at its (AT+1)th write (to a
 * disk, its database or the bucket, or a message to a peer) from the moment it is asked; then it
 * starts again from its folders and its job work resumes the job. A job that ends first is
 * killed after it. Nothing may be lost, and every acknowledged write kept.
 */
export class KillMidJob extends Step {
  constructor(private readonly job: MidJob, private readonly d: number, private readonly k: number, private readonly e: number, private readonly loc: LocationName, private readonly at: number, private readonly receiver: boolean) {
    super();
  }
  check(m: Readonly<Model>): boolean {
    return !TO_DEVICE.has(this.job) || (m.devices > 1 && reaches(m, this.d, other(m, this.d, this.e)));
  }
  private get killsReceiver(): boolean {
    return this.receiver && TO_DEVICE.has(this.job);
  }
  protected plan(): string {
    return `D${this.d}: ${this.job} of file #${this.k}, kill -9 of ${this.killsReceiver ? 'the receiver' : `D${this.d}`} at its write ${this.at + 1}`;
  }
  protected async act(r: Real, m: Model): Promise<Outcome> {
    const dev = r.device(this.d);
    const to = r.device(other(m, this.d, this.e));
    const p = this.job.startsWith('protect') ? undefined : r.pick(dev, this.k);
    if (!this.job.startsWith('protect') && !p) {
      this.said = `${dev.name}: ${this.job} of file #${this.k}: no file there`;
      return {};
    }
    const victim = this.killsReceiver ? to : dev;
    const { call, words } = callOf(this.job, dev, to, p, this.loc);
    const ops = victim.life.ops;
    victim.life.dieAt(this.at);
    const { first, id: idOf, stop } = await raceJob(dev, call, victim.life.died);
    victim.life.dieAt(null);
    const killedAt = victim.life.alive ? `it ended first (${first}, ${victim.life.ops - ops} writes of ${victim.name}): killed -9 after it` : `${victim.name} killed -9 at its write ${this.at + 1} (${victim.life.diedAt})`;
    await r.world.kill(victim.index);
    // Whoever asked stops waiting (the CLI of a killed daemon, or one that was answered already).
    stop('killed');
    const id = idOf();
    // The job resumed by the job work of the device that runs it (started again when it was the one killed).
    let after = '';
    if (id !== undefined) {
      const runner = r.device(dev.index);
      const row = await jobSettled(runner, id);
      if (row && !ENDED.has(row.status) && row.status === 'running') {
        await runner.life.run(() => runner.api.jobs.cancel(id!)).catch(() => undefined);
        after = `; its job still running after ${JOB_WAIT_MS / 1000} s: cancelled`;
      } else after = `; its job then: ${jobWords(row)}`;
    } else if (first === undefined) after = '; no job was queued before the kill';
    this.said = `${dev.name}: ${words} — ${killedAt}; started again${after}`;
    await r.checkAcks(victim.index, () => this.toString());
    // The device a job sends to changed only when it sent to it (the others need not pull from it again).
    return { changed: TO_DEVICE.has(this.job) ? [dev.index, to.index] : [dev.index], trashed: this.job === 'delete' };
  }
}

/**
 * The world: in the middle of a copy or move from one device to another (`files copy|move SRC
 * DEVICE:/LOCATION`), after its Nth message between the two, one of them is cut off from the
 * others — the sender or the receiver — and stays so (a later `partition` step brings it back;
 * its job, waiting for the device, goes on by itself then). A job that ends first is cut after.
 */
export class PartitionMidCopy extends Step {
  constructor(private readonly op: 'copy' | 'move', private readonly d: number, private readonly k: number, private readonly e: number, private readonly loc: LocationName, private readonly n: number, private readonly receiver: boolean) {
    super();
  }
  check(m: Readonly<Model>): boolean {
    return m.devices > 1 && reaches(m, this.d, other(m, this.d, this.e));
  }
  protected plan(): string {
    return `D${this.d}: files ${this.op} file #${this.k} to another device, ${this.receiver ? 'the receiver' : 'the sender'} cut off at message ${this.n + 1}`;
  }
  protected async act(r: Real, m: Model): Promise<Outcome> {
    const dev = r.device(this.d);
    const to = r.device(other(m, this.d, this.e));
    const p = r.pick(dev, this.k);
    if (!p) {
      this.said = `${dev.name}: files ${this.op} file #${this.k} to another device: no file there`;
      return {};
    }
    const cutOff = this.receiver ? to : dev;
    const net = r.world.net;
    let left = this.n;
    let cut = false;
    let whenCut: () => void = () => undefined;
    const wasCut = new Promise<void>((res) => (whenCut = res));
    const cutNow = () => {
      if (cut) return;
      cut = true;
      m.cut[cutOff.index] = true;
      r.world.partition(cutOff.index);
      whenCut();
    };
    net.onSend = (from, toUuid) => {
      const between = (from === dev.uuid && toUuid === to.uuid) || (from === to.uuid && toUuid === dev.uuid);
      // After the message is on its way (it arrives: it was sent before the cut).
      if (between && !cut && left-- <= 0) queueMicrotask(cutNow);
    };
    const { call, words } = callOf(this.op === 'copy' ? 'copy-to-device' : 'move-to-device', dev, to, p, this.loc);
    const { first, id: idOf, stop } = await raceJob(dev, call, wasCut);
    net.onSend = undefined;
    let outcome: string;
    if (first !== undefined) {
      cutNow();
      outcome = `it ended first (${first}); ${cutOff.name} cut off after`;
    } else {
      // The job meets the cut: it ends, or waits for the device (then it is the daemon's to finish).
      const id = idOf();
      const row = id !== undefined ? await jobSettled(dev, id) : undefined;
      outcome = `${cutOff.name} cut off at message ${this.n + 1}; the job then: ${id === undefined ? 'none queued' : jobWords(row)}`;
    }
    stop('stopped waiting');
    this.said = `${dev.name}: ${words} — ${outcome}`;
    return { changed: [dev.index, to.index] };
  }
}

/** What a job another program writes in the middle of does: any of those above, or a scrub (it reads every file). */
export const WRITE_JOBS = [...MID_JOBS, 'scrub'] as const;
export type WriteJob = (typeof WRITE_JOBS)[number];

/**
 * The world: another program writes to file #K (appends a line, or writes its start again, a
 * new content either way) while device D runs a copy, move, delete, protect or scrub of it —
 * just before the job's (AT+1)th write (to a disk, its database or the bucket, or a message to a
 * peer), so at every point from before the file is read to after its copy landed (a write during
 * a move's copy: case S2 of the faults of 2026-11-27). A job that ends first is written after.
 * The bytes that program wrote must exist somewhere after the step (real.ts: `made`).
 */
export class WriteMidJob extends Step {
  constructor(private readonly job: WriteJob, private readonly d: number, private readonly k: number, private readonly e: number, private readonly loc: LocationName, private readonly at: number, private readonly how: 'append' | 'rewrite') {
    super();
  }
  check(m: Readonly<Model>): boolean {
    return this.job === 'scrub' || !TO_DEVICE.has(this.job) || (m.devices > 1 && reaches(m, this.d, other(m, this.d, this.e)));
  }
  protected plan(): string {
    return `D${this.d}: ${this.job} of file #${this.k}, another program ${this.how === 'append' ? 'appends to' : 'rewrites'} it at the job's write ${this.at + 1}`;
  }
  protected async act(r: Real, m: Model): Promise<Outcome> {
    const dev = r.device(this.d);
    const to = r.device(other(m, this.d, this.e));
    const p = r.pick(dev, this.k);
    if (!p) return this.noFile(dev);
    if (!existsSync(p.held.path)) return this.unreachable(dev, p);
    const { call, words } = this.job === 'scrub' ? { call: ((o) => dev.api.guardian.scrub([], o)) as Call, words: 'guardian scrub' } : callOf(this.job, dev, to, p, this.loc);
    let wrote: { hash: string; words: string } | undefined;
    const write = () => (wrote = this.write(r, p));
    const ops = dev.life.ops;
    dev.life.handAt(this.at, write);
    const said = await answer(dev, call);
    dev.life.handAt(null);
    const when = wrote ? `at its write ${this.at + 1}` : `after it (it ended first, ${dev.life.ops - ops} writes)`;
    if (!wrote) write();
    this.said = `${dev.name}: ${words} → ${said}; another program ${wrote!.words} ${when}`;
    return { changed: this.job !== 'scrub' && TO_DEVICE.has(this.job) ? [dev.index, to.index] : [dev.index], exempt: [p.held.hash], made: wrote!.hash ? [wrote!.hash] : [], trashed: this.job === 'delete' };
  }

  /** Another program's write to P's file, where it was: the content it made, in words ('' when the file had left that path). */
  private write(r: Real, p: Picked): { hash: string; words: string } {
    let fd: number;
    try {
      fd = openSync(p.held.path, 'r+');
    } catch {
      return { hash: '', words: `finds no file at ${p.held.where} to write to` };
    }
    try {
      const size = fstatSync(fd).size;
      const bytes = r.newBytes(this.how === 'append' ? 64 : Math.max(1, Math.min(size, 64)));
      writeSync(fd, bytes, 0, bytes.length, this.how === 'append' ? size : 0);
    } finally {
      closeSync(fd);
    }
    const hash = hashOf(readFileSync(p.held.path));
    r.contents.add(hash);
    return { hash, words: `${this.how === 'append' ? 'appends 64 bytes to' : 'writes the start of'} ${p.held.where} (now ${hash.slice(0, 6)})` };
  }
}

/**
 * The world: the drive is pulled out while device D runs a copy, move, delete or protect (or a
 * copy or move to another device) — just before the job's (AT+1)th write (to a disk, its database
 * or the bucket, or a message to a peer): between a file's copy and its source's removal among
 * them. The drive stays away (a later step may plug it back): nothing may be written under the
 * mount point it left (case S1), nothing lost. A file on it held open at that point keeps it in
 * (world.unplug: a lazy unmount would leave it mounted out of sight); a job that ends first has
 * the drive pulled out after it.
 */
export class UnplugMidJob extends Step {
  constructor(private readonly job: MidJob, private readonly d: number, private readonly k: number, private readonly e: number, private readonly loc: LocationName, private readonly at: number) {
    super();
  }
  check(m: Readonly<Model>): boolean {
    return !m.away && (!TO_DEVICE.has(this.job) || (m.devices > 1 && reaches(m, this.d, other(m, this.d, this.e))));
  }
  protected plan(): string {
    return `D${this.d}: ${this.job} of file #${this.k}, the drive unplugged at the job's write ${this.at + 1}`;
  }
  protected async act(r: Real, m: Model): Promise<Outcome> {
    const dev = r.device(this.d);
    const to = r.device(other(m, this.d, this.e));
    const p = this.job.startsWith('protect') ? undefined : r.pick(dev, this.k);
    if (!this.job.startsWith('protect') && !p) return this.noFile(dev);
    const { call, words } = callOf(this.job, dev, to, p, this.loc);
    /** The drive pulled out now: in words, what came of it. */
    const unplug = (): string => {
      const why = r.world.unplug();
      if (why === null) m.away = true;
      return why === null ? 'unplugged' : `not unplugged (${why})`;
    };
    let atWrite: string | undefined;
    let reached: () => void = () => undefined;
    const pulled = new Promise<void>((res) => (reached = res));
    const ops = dev.life.ops;
    dev.life.handAt(this.at, () => {
      atWrite = unplug();
      reached();
    });
    const { first, id: idOf, stop } = await raceJob(dev, call, pulled);
    dev.life.handAt(null);
    let outcome: string;
    if (atWrite === undefined) {
      outcome = `it ended first (${first}, ${dev.life.ops - ops} writes): the drive ${unplug()} after it`;
    } else {
      // The job meets the drive gone: it ends, or waits for the drive (then it is the daemon's to finish).
      const id = idOf();
      const row = id !== undefined ? await jobSettled(dev, id) : undefined;
      outcome = `the drive ${atWrite} at its write ${this.at + 1}; the job then: ${id === undefined ? (first ?? 'none queued') : jobWords(row)}`;
    }
    stop('stopped waiting');
    this.said = `${dev.name}: ${words} — ${outcome}`;
    return { changed: [...Array(m.devices).keys()], trashed: this.job === 'delete' };
  }
}
