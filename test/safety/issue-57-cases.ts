/**
 * The faults of 2026-11-27 (issue 57; ../shared/notes/faults-2026-11-27.md) as the safety model
 * meets them, and one its random runs found on the same code (R1): each case is the sequence of
 * the model's own commands that reaches it on 5df869d, with the rule it breaks there (each was
 * found on that code: the proof that the checks can fail) and the commands of the random runs
 * that find it. R1 has no fix under way yet: the lead's to give.
 *
 * OPEN is the one switch. A case named there is not fixed here yet: its test checks that
 * the model still finds it, and the commands that find it are left out of the random runs (the
 * suite stays green meanwhile). When its fix has merged, take its name out of OPEN: its test then
 * holds it fixed, and its commands join the random runs again.
 */
import type fc from 'fast-check';
import type { CommandName } from './arbs.js';
import { Create, Delete, Transfer, TrashEmpty } from './commands.js';
import { Edit, Rot, Unplug } from './faults.js';
import { WriteMidJob } from './mid-job.js';
import { Browser } from './parties.js';
import { Photos, SimilarKeep } from './photos.js';
import { RULES, type Model, type Real, type Rule } from './real.js';
import { Backup, Restore } from './snapshots.js';

export type CaseName = 'S1' | 'S2' | 'S3' | 'S4' | 'S5' | 'N1' | 'R1';

/** The cases whose fixes have not merged here yet. */
export const OPEN: ReadonlySet<CaseName> = new Set<CaseName>([]);

type Steps = Array<fc.AsyncCommand<Model, Real>>;

export interface Case57 {
  case: CaseName;
  shape: string;
  /** The violation it met on 5df869d. */
  rule: RegExp;
  /** The checks made (all unless given). */
  rules?: readonly Rule[];
  /** The random runs' commands left out while it is open: those that find it, and what serves only them. */
  leaves: readonly CommandName[];
  /**
   * The sequence; or, for a point inside a job, the sequence at point N, tried at every STRIDEth
   * point from the first until the job ends before it (a point's number varies a little from run
   * to run with what else the device does: its window is wider than the stride).
   */
  steps: (n: number) => Steps;
  stride?: number;
}

const MiB = 1024 * 1024;

/**
 * Files are named by their place in the device's sorted list (`D0/drive/…` before `D0/main/…`;
 * `p1-small.jpg` before `p1.jpg`).
 */
export const CASES_57: readonly Case57[] = [
  {
    case: 'S1', shape: 'a move into a location whose drive is unplugged writes under the empty mount point', rule: /written outside every location: .* under the mount point its drive left/,
    leaves: ['unplug'],
    steps: () => [new Create(0, 'main', 1, 100), new Unplug(false), new Transfer('move', 0, 0, 'drive', false, 'keep-both', false)],
  },
  {
    case: 'S2', shape: 'a move across drives removes a source another program changed after it was read', rule: /bytes lost: .* bytes another program wrote during it nowhere/,
    leaves: ['write-mid-job'],
    steps: (n) => [new Create(0, 'main', 1, 3000), new WriteMidJob('move', 0, 0, 0, 'drive', n, 'append')],
    stride: 3,
  },
  {
    case: 'S3', shape: 'similar keep, then trash empty: the near-duplicate goes for good while the kept photo has rotted silently', rule: /bytes lost: D0: trash empty .* let go as a near-duplicate/,
    // A pair of photos is there for `similar keep` (and costs a tenth of a second).
    leaves: ['similar-keep', 'photos'],
    steps: () => [new Photos(0, 'drive', 1), new Rot(0, 1, 3000, false, 'disk'), new SimilarKeep(0, 0), new TrashEmpty(0, false)],
  },
  {
    case: 'S4', shape: 'a library restore forgets rot found since the snapshot: the rotten copy counts again', rule: /the Guardian forgets rot: after D0: library restore/,
    // A snapshot is there to be restored (and costs a quarter of a second: a worker checks it).
    leaves: ['restore', 'backup'],
    steps: () => [
      new Create(0, 'main', 1, 6 * MiB), new Transfer('copy', 0, 0, 'drive', false, 'keep-both', false), new Backup(0), new Rot(0, 0, 50, true, 'disk'),
      new Delete(0, 1, false), new Restore(0, 0), new Delete(0, 1, false), new TrashEmpty(0, false),
    ],
  },
  {
    // Judged where the loss becomes permanent (the trash emptied): the delete before it moves the good copy to the trash, which DESIGN §21 lets it do.
    case: 'S5', shape: 'a silently rotten copy over 4 MiB vouches: the good copy is deleted and the trash emptied', rule: /bytes lost: D0: trash empty/,
    rules: RULES.filter((x) => x !== 'copies'),
    leaves: ['create-big'],
    steps: () => [new Create(0, 'main', 1, 6 * MiB), new Transfer('copy', 0, 0, 'drive', false, 'keep-both', false), new Rot(0, 0, 5000, false, 'disk'), new Delete(0, 1, false), new TrashEmpty(0, false)],
  },
  {
    case: 'N1', shape: 'a browser with every right copies a photo over ~/.bashrc (a destination outside every location)', rule: /written outside every location: .* changed D0\/home\/\.bashrc/,
    leaves: ['browser-outside'],
    steps: () => [new Create(0, 'main', 1, 100), new Browser(0, 'copy', 0, 'bashrc', 0, 'replace', false)],
  },
  {
    // Not in the note: found by the random runs themselves once the model had its new moves (seed 4 of npm test's, on 5df869d).
    case: 'R1', shape: 'a move with --on-conflict replace over a file another program edited in place since it was indexed: the edit is lost', rule: /a good copy lost: D1: files move .* --on-conflict replace \(the name holds/,
    leaves: ['edit'],
    steps: () => [new Create(1, 'main', 0, 100), new Transfer('copy', 1, 0, 'drive', false, 'skip', false), new Edit(1, 0), new Transfer('move', 1, 1, 'drive', false, 'replace', false)],
  },
];

/** The commands the random runs leave out while the cases that they find are open. */
export function omittedWhileOpen(): CommandName[] {
  return [...new Set(CASES_57.filter((c) => OPEN.has(c.case)).flatMap((c) => c.leaves))];
}
