/**
 * Which commands the safety model's random runs are made of, by name, and how often each comes
 * up: what fast-check picks among for each step of a sequence.
 */
import fc from 'fast-check';
import { Create, Delete, DeleteTogether, Guardian, NAMES, ON_CONFLICT, Policy, Protect, ToDevice, Transfer, TrashEmpty, TrashRestore, UserWrite, type OnConflict } from './commands.js';
import { BucketTamper, Edit, Kill, Partition, Rot, Touch, Unplug } from './faults.js';
import { KillMidJob, MID_JOBS, PartitionMidCopy, UnplugMidJob, WRITE_JOBS, WriteMidJob, type MidJob, type WriteJob } from './mid-job.js';
import { Browser, BROWSER_ASKS, BROWSER_INSIDE, BROWSER_OUTSIDE, PEER_NAMES, PEER_PLACES, PeerDrop, type BrowserAsk } from './parties.js';
import type { Model, Real } from './real.js';
import { BROWSER_READS, BrowserFromOutside, FromOutside, HOME_REFS, type BrowserRead, type HomeRef } from './outside.js';
import { Photos, SimilarKeep } from './photos.js';
import { Backup, Restore } from './snapshots.js';
import type { LocationName } from './world.js';

const dev = fc.nat(5);
const pick = fc.nat(30);
const loc = fc.constantFrom<LocationName>('main', 'drive');
const conflict = fc.constantFrom<OnConflict>(...ON_CONFLICT);

/** The commands by name (`--omit NAME,…` leaves some out; their names are also how a test narrows the model). */
export const COMMANDS = [
  'create', 'transfer', 'delete', 'trash-empty', 'trash-restore', 'delete-together', 'to-device', 'to-device-replace', 'protect', 'guardian', 'policy', 'edit', 'touch', 'rot', 'user-write',
  'kill', 'kill-during-scan', 'kill-mid-job', 'partition', 'partition-mid-copy', 'bucket-tamper',
  'create-big', 'rot-disk', 'unplug', 'unplug-mid-job', 'browser', 'browser-outside', 'peer', 'write-mid-job', 'backup', 'restore', 'photos', 'similar-keep',
  'from-outside', 'browser-from-outside',
] as const;
export type CommandName = (typeof COMMANDS)[number];

/**
 * Every command but OMIT, as arbitraries fast-check picks among evenly (some listed twice or more,
 * to come up more often: a new file most, so that most steps find files to act on).
 */
export function commandArbs(omit: readonly string[] = []): Array<fc.Arbitrary<fc.AsyncCommand<Model, Real>>> {
  for (const o of omit) if (!(COMMANDS as readonly string[]).includes(o)) throw new Error(`no command ${JSON.stringify(o)} (there are ${COMMANDS.join(', ')})`);
  const op = fc.constantFrom<'copy' | 'move'>('copy', 'move');
  const all: Array<[CommandName, number, fc.Arbitrary<fc.AsyncCommand<Model, Real>>]> = [
    ['create', 5, fc.tuple(dev, loc, fc.nat(NAMES - 1), fc.integer({ min: 1, max: 4096 })).map(([d, l, n, s]) => new Create(d, l, n, s))],
    ['transfer', 2, fc.tuple(op, dev, pick, loc, fc.boolean(), conflict, fc.boolean()).map(([o, d, k, l, s, c, f]) => new Transfer(o, d, k, l, s, c, f))],
    // Into the trash mostly (never refused for copy counts); one in four for good (--permanent: the guard's step).
    ['delete', 2, fc.tuple(dev, pick, fc.boolean(), fc.nat(3)).map(([d, k, f, p]) => new Delete(d, k, f, p === 0))],
    ['trash-empty', 1, fc.tuple(dev, fc.boolean()).map(([d, f]) => new TrashEmpty(d, f))],
    ['trash-restore', 1, fc.tuple(dev, pick).map(([d, k]) => new TrashRestore(d, k))],
    ['delete-together', 1, fc.tuple(dev, pick, dev, pick).map(([d, k, e, l]) => new DeleteTogether(d, k, e, l))],
    ['to-device', 2, fc.tuple(op, dev, pick, dev, loc, fc.constantFrom<OnConflict>('keep-both', 'skip')).map(([o, d, k, e, l, c]) => new ToDevice(o, d, k, e, l, c))],
    ['to-device-replace', 1, fc.tuple(op, dev, pick, dev, loc).map(([o, d, k, e, l]) => new ToDevice(o, d, k, e, l, 'replace'))],
    ['protect', 2, fc.tuple(dev, fc.constantFrom<'auto' | 'drive' | 'bucket' | 'device'>('auto', 'drive', 'bucket', 'device'), dev).map(([d, t, e]) => new Protect(d, t, e))],
    ['guardian', 1, fc.tuple(dev, fc.constantFrom<'scrub' | 'repair' | 'check-buckets'>('scrub', 'repair', 'check-buckets')).map(([d, w]) => new Guardian(d, w))],
    // Lenient policies come up most: a guard only lets copies go where the policy allows it. Devices 0: a
    // content may live only in the bucket (protect there, then free the drives), which leans on the bucket alone.
    ['policy', 1, fc.tuple(dev, fc.constantFrom(1, 1, 1, 2, 3), fc.constantFrom(0, 1, 1, 2), fc.constantFrom(0, 0, 1)).map(([d, c, v, o]) => new Policy(d, c, v, o))],
    ['edit', 1, fc.tuple(dev, pick).map(([d, k]) => new Edit(d, k))],
    ['touch', 1, fc.tuple(dev, pick).map(([d, k]) => new Touch(d, k))],
    ['rot', 1, fc.tuple(dev, pick, fc.nat(1 << 16), fc.boolean()).map(([d, k, at, s]) => new Rot(d, k, at, s))],
    ['user-write', 1, fc.tuple(dev, pick, fc.constantFrom<'tag' | 'favorite'>('tag', 'favorite')).map(([d, k, w]) => new UserWrite(d, k, w))],
    ['kill', 1, dev.map((d) => new Kill(d, false, 0))],
    ['kill-during-scan', 1, fc.tuple(dev, pick).map(([d, k]) => new Kill(d, true, k))],
    ['partition', 2, fc.tuple(dev, fc.boolean()).map(([d, b]) => new Partition(d, b))],
    // A kill point anywhere in a job (its writes: a few dozen for a small copy), the first ones most often.
    ['kill-mid-job', 2, fc.tuple(fc.constantFrom<MidJob>(...MID_JOBS), dev, pick, dev, loc, fc.oneof(fc.nat(24), fc.nat(80)), fc.boolean()).map(([j, d, k, e, l, at, rcv]) => new KillMidJob(j, d, k, e, l, at, rcv))],
    ['partition-mid-copy', 1, fc.tuple(fc.constantFrom<'copy' | 'move'>('copy', 'move'), dev, pick, dev, loc, fc.nat(12), fc.boolean()).map(([o, d, k, e, l, n, rcv]) => new PartitionMidCopy(o, d, k, e, l, n, rcv))],
    // A file over 4 MiB: the size above which no delete reads the copies it leans on again (faults of 2026-11-27, S5).
    ['create-big', 1, fc.tuple(dev, loc, fc.nat(NAMES - 1), fc.integer({ min: 4 * 1024 * 1024 + 1, max: 6 * 1024 * 1024 })).map(([d, l, n, s]) => new Create(d, l, n, s))],
    ['rot-disk', 1, fc.tuple(dev, pick, fc.nat(1 << 22), fc.boolean()).map(([d, k, at, s]) => new Rot(d, k, at, s, 'disk'))],
    ['unplug', 1, fc.boolean().map((back) => new Unplug(back))],
    // The drive pulled out at a point anywhere in a job: between a file's copy and its source's removal among them.
    ['unplug-mid-job', 1, fc.tuple(fc.constantFrom<MidJob>(...MID_JOBS), dev, pick, dev, loc, fc.oneof(fc.nat(24), fc.nat(80))).map(([j, d, k, e, l, at]) => new UnplugMidJob(j, d, k, e, l, at))],
    // The phone with every right: file operations to places inside locations (and on a paired device), and to places outside every location (case N1).
    ['browser', 2, fc.tuple(dev, fc.constantFrom<BrowserAsk>(...BROWSER_ASKS), pick, fc.constantFrom(...BROWSER_INSIDE), dev, conflict, fc.boolean()).map(([d, a, k, t, e, c, f]) => new Browser(d, a, k, t, e, c, f))],
    ['browser-outside', 1, fc.tuple(dev, fc.constantFrom<BrowserAsk>('copy', 'move', 'preview'), pick, fc.constantFrom(...BROWSER_OUTSIDE), dev, conflict, fc.boolean()).map(([d, a, k, t, e, c, f]) => new Browser(d, a, k, t, e, c, f))],
    ['peer', 1, fc.tuple(dev, dev, pick, fc.constantFrom(...PEER_PLACES), fc.constantFrom(...PEER_NAMES), conflict, fc.boolean()).map(([d, e, k, pl, n, c, f]) => new PeerDrop(d, e, k, pl, n, c, f))],
    // Another program writing to the file a job reads, at a point anywhere in the job: a move most often (its source is the one removed),
    // and as far as a move across drives goes (some 70 writes, with what the device's link does meanwhile: case S2 past the 50th).
    ['write-mid-job', 2, fc.tuple(fc.constantFrom<WriteJob>('move', 'move', 'move', 'move-to-device', ...WRITE_JOBS), dev, pick, dev, loc, fc.nat(100), fc.constantFrom<'append' | 'rewrite'>('append', 'rewrite')).map(([j, d, k, e, l, at, h]) => new WriteMidJob(j, d, k, e, l, at, h))],
    ['backup', 1, dev.map((d) => new Backup(d))],
    ['restore', 1, fc.tuple(dev, fc.nat(3)).map(([d, k]) => new Restore(d, k))],
    ['photos', 1, fc.tuple(dev, loc, fc.nat(NAMES - 1)).map(([d, l, n]) => new Photos(d, l, n))],
    ['similar-keep', 1, fc.tuple(dev, fc.nat(3)).map(([d, k]) => new SimilarKeep(d, k))],
    // Sources outside every location (issue 59): the person's copy or move from their home folder; the phone naming that folder's files.
    ['from-outside', 1, fc.tuple(op, dev, fc.nat(2), loc, fc.boolean(), conflict).map(([o, d, n, l, s, c]) => new FromOutside(o, d, n, l, s, c))],
    ['browser-from-outside', 1, fc.tuple(dev, fc.constantFrom<BrowserRead>(...BROWSER_READS), fc.constantFrom<HomeRef>(...HOME_REFS), loc).map(([d, a, h, l]) => new BrowserFromOutside(d, a, h, l))],
    ['bucket-tamper', 1, fc.tuple(fc.nat(30), fc.constantFrom<'delete' | 'overwrite'>('delete', 'overwrite')).map(([k, h]) => new BucketTamper(k, h))],
  ];
  return all.filter(([name]) => !omit.includes(name)).flatMap(([, times, arb]) => Array.from({ length: times }, () => arb));
}

