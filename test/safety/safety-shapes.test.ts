import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Create, Delete, Policy, Protect, ToDevice, Transfer, TrashEmpty, UserWrite } from './commands.js';
import { BucketTamper, Edit, Kill, Partition, Rot, Touch, Unplug } from './faults.js';
import { CASES_57, OPEN, type Case57 } from './issue-57-cases.js';
import { KillMidJob, PartitionMidCopy } from './mid-job.js';
import { Browser } from './parties.js';
import { BrowserFromOutside, FromOutside } from './outside.js';
import type { Model, Real, Rule } from './real.js';
import { runSequence } from './run.js';
import { Backup, Restore } from './snapshots.js';
import { World, worldSkipReason } from './world.js';

/**
 * The shapes of data loss of the faults of 2026-11-25, each as the sequence of the model's own
 * commands that reached it on 2487a8d (files are named by their place in the device's sorted
 * list: `D0/drive/…` before `D0/main/…`), with the rule it broke there (each case found its
 * violation on that code: the proof that the checks can fail). Since issue 42, none may. RULES:
 * the checks made (another rule that broke earlier in the same sequence would hide this one).
 * Since a delete into the trash is never refused (DESIGN §21, issue 58), a shape that met the
 * guard at a delete meets it where the loss would be permanent now: the trash emptied after the
 * delete, or a delete `--permanent` (which keeps the guard the delete had).
 */
const KNOWN: Array<{ shape: string; rule: RegExp; rules?: Rule[]; steps: () => Array<fc.AsyncCommand<Model, Real>> }> = [
  {
    shape: 'an acknowledged write lost to a kill -9 during a scan (defect 1)', rule: /an acknowledged write lost/, rules: ['acks'],
    steps: () => [new Create(0, 'main', 0, 4000), new Create(0, 'main', 1, 4000), new Create(0, 'main', 2, 4000), new Kill(0, true, 0)],
  },
  {
    shape: 'a peer\'s replace unguarded by the receiver (D2)', rule: /a good copy lost/,
    steps: () => [new Create(0, 'main', 1, 100), new Create(1, 'main', 1, 100), new ToDevice('copy', 0, 0, 0, 'main', 'replace')],
  },
  {
    shape: 'rot ignored by the guard (defect 2)', rule: /bytes lost/, rules: ['copies', 'bytes'],
    steps: () => [new Create(0, 'main', 1, 100), new Transfer('copy', 0, 0, 'drive', false, 'keep-both', false), new Rot(0, 0, 5, true), new Delete(0, 1, false), new TrashEmpty(0, false)],
  },
  {
    shape: 'rot ignored by the guard of a delete for good (defect 2)', rule: /a good copy lost/, rules: ['copies'],
    steps: () => [new Create(0, 'main', 1, 100), new Transfer('copy', 0, 0, 'drive', false, 'keep-both', false), new Rot(0, 0, 5, true), new Delete(0, 1, false, true)],
  },
  {
    shape: 'an edited copy still counted (defect 3)', rule: /a good copy lost/,
    steps: () => [new Create(0, 'main', 1, 100), new Transfer('copy', 0, 0, 'drive', false, 'keep-both', false), new Edit(0, 0), new Delete(0, 1, false, true)],
  },
  // Found on a scratch commit that hashed a touched file before its delete but counted it only after: the last copy went.
  {
    shape: 'a touched file (its bytes kept) deleted as if it were not a copy', rule: /a good copy lost/,
    steps: () => [new Create(0, 'main', 1, 100), new Touch(0, 0), new Delete(0, 0, false, true)],
  },
  // Found by fuzz:safety (seed 3001): a moved file's landing counted as a copy of its content whatever its bytes now.
  {
    shape: 'a rotten file moved over the good copy with --on-conflict replace', rule: /a good copy lost/,
    steps: () => [new Create(0, 'main', 3, 343), new Transfer('copy', 0, 0, 'main', true, 'keep-both', false), new Rot(0, 0, 1256, false), new Transfer('move', 0, 0, 'main', true, 'replace', false)],
  },
  {
    shape: 'two devices each deleting while apart (defect 4)', rule: /a good copy lost/,
    steps: () => [new Create(0, 'main', 1, 100), new ToDevice('copy', 0, 0, 0, 'main', 'keep-both'), new Partition(1, false), new Delete(0, 0, false, true), new Delete(1, 0, false, true)],
  },
  {
    shape: 'a rotten content called safe (defect 8)', rule: /calls a rotten content safe/, rules: ['word'],
    steps: () => [new Create(0, 'main', 1, 100), new Rot(0, 0, 5, true)],
  },
  {
    shape: 'a protect that leaves rotten bytes in the bucket under the good hash (defect 7)', rule: /a bucket object lies/, rules: ['bucket'],
    steps: () => [new Create(0, 'main', 1, 100), new Rot(0, 0, 5, true), new Policy(0, 1, 1, 1), new Protect(0, 'bucket', 0)],
  },
  // Found by the model on the guard with defect 6's shape put back (a bucket copy counted without a HEAD: a scratch commit).
  {
    shape: 'a bucket object deleted behind vss still counted (defect 6)', rule: /bytes lost/,
    steps: () => [new Policy(0, 1, 0, 1), new Create(0, 'main', 0, 1), new Protect(0, 'bucket', 0), new BucketTamper(0, 'delete'), new Delete(0, 0, false), new TrashEmpty(0, false)],
  },
  {
    shape: 'a bucket object overwritten behind vss (same size, same vss metadata) still counted (defect 6)', rule: /bytes lost/,
    steps: () => [new Policy(0, 1, 0, 1), new Create(0, 'main', 0, 1), new Protect(0, 'bucket', 0), new BucketTamper(0, 'overwrite'), new Delete(0, 0, false), new TrashEmpty(0, false)],
  },
  // Found by the random runs (part 2, seed 5) on 1e869a2: the phone's copy while the drive was out recorded its location
  // offline; plugged back, the record stayed, so the file going counted for nothing and its delete lowered no number.
  {
    shape: 'the only copy deleted once its drive is plugged back, its location still recorded offline', rule: /a good copy lost/,
    steps: () => [new Create(0, 'drive', 0, 1), new Unplug(false), new Browser(0, 'copy', 0, 'drive', 0, 'keep-both', false), new Unplug(true), new Delete(0, 0, false, true)],
  },
  // The same, found by the random runs (part 1, seed 1) on 1e869a2 through another door: the trash emptied while the drive
  // was out, its twin on the drive rotten through the filesystem once back; neither file counted, and the good one went.
  {
    shape: 'a good copy deleted beside its rotten twin once their drive is plugged back, its location still recorded offline', rule: /a good copy lost/,
    steps: () => [
      new Create(0, 'drive', 3, 2804), new Transfer('copy', 0, 0, 'drive', true, 'replace', false), new Unplug(false), new TrashEmpty(0, false), new Unplug(true),
      new Rot(0, 0, 1399, false), new Delete(0, 1, false, true),
    ],
  },
  // Found by the model with the empty's guard taken out (a scratch commit): the trash emptied of a content's last bytes.
  // Since DESIGN §21 a content the person deleted whole goes at the empty: the last bytes kept are those whose other copy the world took.
  {
    shape: "a trash emptied of a content's last bytes, its other copy rotten since the delete (issue 45)", rule: /bytes lost/, rules: ['bytes'],
    steps: () => [new Create(0, 'main', 1, 100), new Transfer('copy', 0, 0, 'drive', false, 'keep-both', false), new Delete(0, 1, false), new Rot(0, 0, 5, false), new TrashEmpty(0, false)],
  },
  // Found by the random runs (safety-part3, seed 3) on 1e869a2, shrunk: the restored database had no row for the rotten file, so the rot was dropped.
  {
    shape: 'a library restore forgets rot on a file saved after the snapshot', rule: /the Guardian forgets rot/, rules: ['word'],
    steps: () => [new Backup(0), new Create(0, 'drive', 1, 100), new Rot(0, 0, 5, true, 'disk'), new Restore(0, 0)],
  },
  // Found by fuzz:safety (seed 1, path 10) on 7f52256: a tag acknowledged after a snapshot, that snapshot restored (which
  // forgets what was made since, as docs/commands.md says), then a kill: the model still held the restore to the tag. Cut off, so no peer
  // gives the tag back after the restore.
  {
    shape: 'a tag made after a snapshot and taken back by its restore, counted as a write a kill lost (the model\'s bookkeeping)', rule: /an acknowledged write lost/, rules: ['acks'],
    steps: () => [new Create(0, 'main', 0, 100), new UserWrite(0, 0, 'tag'), new Backup(0), new Partition(0, false), new UserWrite(0, 0, 'tag'), new Restore(0, 0), new Kill(0, false, 0)],
  },
  // Policy 1 copy on 1 device: the first delete leans on the drive's copy, which the second takes too: both deleted whole now, the empty may let them go.
  {
    shape: "a trash emptied of bytes whose other copy was deleted since (issue 45)", rule: /bytes lost/, rules: ['bytes'],
    steps: () => [
      new Create(0, 'main', 1, 100), new Transfer('copy', 0, 0, 'drive', false, 'keep-both', false), new Policy(0, 1, 1, 0),
      new Delete(0, 0, false), new Delete(0, 0, true), new TrashEmpty(0, false),
    ],
  },
  // Issue 59 (sources anywhere for this machine's user): found by the model with the browser's source check taken out of
  // files/plan.ts `sourcePlace` (a scratch commit), and with the browser's path check taken out of api/tags.ts.
  {
    shape: 'a phone copying the person\'s ~/.bashrc into a location (issue 59)', rule: /a browser read outside every location/,
    steps: () => [new BrowserFromOutside(0, 'copy', '.bashrc', 'main')],
  },
  {
    shape: 'a phone favouriting a file of the person\'s home folder (issue 59)', rule: /a browser marked outside every location/,
    steps: () => [new BrowserFromOutside(0, 'favorite', '.bashrc', 'main'), new BrowserFromOutside(0, 'tag', '', 'main')],
  },
  // Not a shape found broken: what the person may do from outside every location, held to the same rules (the source goes only once landed).
  {
    shape: 'the person moving a file from their home folder into a location, then into a drive\'s folder (issue 59)', rule: /bytes lost|written outside/,
    steps: () => [new FromOutside('move', 0, 0, 'main', true, 'keep-both'), new FromOutside('copy', 0, 1, 'drive', false, 'keep-both'), new FromOutside('move', 0, 1, 'drive', false, 'replace')],
  },
];

/**
 * Every point of a move's job, in turn (its writes and messages, until the job ends before the
 * point): a kill -9 of the device running it, or receiving it, and a cut between the two. Each
 * point's shape was found by the model on a job with the matching defect put back (scratch
 * commits): a move that removes its source before its copy is in place (killed between the two),
 * and one that takes the bytes it sent for the receiver's word (cut before they arrived).
 */
const POINTS: Array<{ shape: string; at: (n: number) => Array<fc.AsyncCommand<Model, Real>> }> = [
  { shape: 'a move here, killed at each of its writes', at: (n) => [new Create(0, 'main', 1, 3000), new KillMidJob('move', 0, 0, 0, 'drive', n, false)] },
  { shape: 'a move to another device, the sender killed at each of its writes', at: (n) => [new Create(0, 'main', 1, 3000), new KillMidJob('move-to-device', 0, 0, 0, 'main', n, false)] },
  { shape: 'a move to another device, the receiver killed at each of its writes', at: (n) => [new Create(0, 'main', 1, 3000), new KillMidJob('move-to-device', 0, 0, 0, 'main', n, true)] },
  { shape: 'a move to another device, the sender cut off at each of its messages', at: (n) => [new Create(0, 'main', 1, 3000), new PartitionMidCopy('move', 0, 0, 0, 'main', n, false)] },
  { shape: 'a move to another device, the receiver cut off at each of its messages', at: (n) => [new Create(0, 'main', 1, 3000), new PartitionMidCopy('move', 0, 0, 0, 'main', n, true)] },
];

/**
 * Case C of issue 57 run on WORLD: its sequence, or (a point inside a job) its sequence at every
 * STRIDEth point until the job ends first; FIRST: stop at the first violation. The violation met
 * (the last point's, when none), its steps, and how many points ran.
 */
async function runCase(world: World, c: Case57, first: boolean): Promise<{ violation: string | null; steps: string[]; points: number }> {
  if (c.stride === undefined) return { ...(await runSequence(world, c.steps(0), c.rules)), points: 1 };
  let found: { violation: string | null; steps: string[] } | undefined;
  for (let n = 0, points = 1; ; n += c.stride, points++) {
    const r = await runSequence(world, c.steps(n), c.rules);
    if (r.violation !== null) found ??= r;
    if ((found && first) || r.steps.at(-1)!.includes('ended first')) return { ...(found ?? r), points };
    assert.ok(n < 1000, 'the job ends within 1000 points');
  }
}

/**
 * The safety model's named shapes (the random runs are safety.test.ts, a file of its own so the two
 * run side by side): the faults of 2026-11-25 and of 2026-11-27, each the sequence of the model's
 * own commands that reached it, and every point of a move's job at which a kill or a cut falls.
 */
describe('the safety model: its named shapes', async () => {
  const skip = await worldSkipReason();
  let world: World;

  before(async () => {
    if (!skip) world = await World.create(3);
  });
  after(async () => {
    await world?.close();
  });

  for (const k of KNOWN) {
    it(`stays fixed: ${k.shape}`, { skip }, async (t) => {
      const { violation, steps } = await runSequence(world, k.steps(), k.rules);
      t.diagnostic(steps.map((x, i) => `${i + 1}. ${x}`).join('\n'));
      assert.equal(violation, null, `broken again (it breaks ${k.rule}): ${violation ?? ''}`);
    });
  }

  for (const c of CASES_57) {
    const open = OPEN.has(c.case);
    it(`${open ? 'found while its fix lands elsewhere' : 'stays fixed'}: ${c.case}, ${c.shape}`, { skip }, async (t) => {
      const { violation, steps, points } = await runCase(world, c, open);
      t.diagnostic(`${points > 1 ? `${points} points; ` : ''}${violation ?? 'no violation'}\n${steps.map((x, i) => `${i + 1}. ${x}`).join('\n')}`);
      if (open) assert.match(violation ?? 'no violation', c.rule, `${c.case} is no longer found as it was on 5df869d: if its fix has merged, take ${c.case} out of OPEN (test/safety/issue-57-cases.ts)`);
      else assert.equal(violation, null, `${c.case} broken again (it broke ${c.rule} on 5df869d): ${violation ?? ''}`);
    });
  }

  for (const p of POINTS) {
    it(`stays fixed: ${p.shape}`, { skip }, async (t) => {
      for (let n = 0; ; n++) {
        const { violation, steps } = await runSequence(world, p.at(n));
        assert.equal(violation, null, `at point ${n + 1}: ${violation ?? ''}\n${steps.map((x, i) => `${i + 1}. ${x}`).join('\n')}`);
        // Past the job's last point: it ended first.
        if (steps.at(-1)!.includes('ended first')) {
          t.diagnostic(`${n + 1} points`);
          break;
        }
        assert.ok(n < 500, 'the job ends within 500 points');
      }
    });
  }
});
