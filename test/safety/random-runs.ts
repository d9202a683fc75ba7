import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { omittedWhileOpen } from './issue-57-cases.js';
import { describeFailure, runSafety, type SafetyReport } from './run.js';
import { World, worldSkipReason } from './world.js';

/** Steps the suite runs across its seeds, all parts together (VSS_SAFETY_STEPS to change it; `npm run fuzz:safety` runs more). */
const STEPS = Number(process.env.VSS_SAFETY_STEPS ?? 10_000);
/**
 * Commands left out of them: VSS_SAFETY_OMIT=NAME,… (a shape known broken on a branch, while its
 * fix lands elsewhere), and those that find a case of issue 57 still open here (issue-57-cases.ts).
 */
const OMIT = [...new Set([...(process.env.VSS_SAFETY_OMIT ?? '').split(',').filter((x) => x !== ''), ...omittedWhileOpen()])];
/** Long sequences: a reset of the world (about 30 ms) is paid once per hundred steps or so. */
const MAX_COMMANDS = 200;
/** Sequences a seed runs at most. */
const RUNS_PER_SEED = 10;
const DEVICES = 3;

/**
 * The safety model (issue 42 part 7): random, seeded, shrinkable sequences of file operations,
 * Guardian runs and the world's faults over three paired devices with two drives each and a
 * bucket, through the real core, checked after every step against the disks and the bucket: a
 * content that had a good copy still has one unless a --force named it, every acknowledged write
 * survives a kill, no bucket object lies about its bytes, no rotten content is called safe, nothing
 * lands where no party may write (real.ts). Its named shapes are safety-shapes.test.ts.
 *
 * The steps are run in PARTS test files, PART taking every PARTSth seed from its own (safety.test.ts,
 * safety-part2.test.ts, safety-part3.test.ts): each file a world of its own, side by side, each well
 * within the runner's 10 minutes on a loaded machine (the devices' pulls are real since 0b75609).
 */
export function randomRunsTitle(part: number, parts: number): string {
  return `the safety model${parts > 1 ? ` (part ${part} of ${parts})` : ''}`;
}

/**
 * The body of part PART's describe. Each part file calls `describe` itself, so the test's
 * location (what `npm run test:times` groups by) is that file, not this one.
 */
export function randomRuns(part: number, parts: number): () => Promise<void> {
  const steps = Math.ceil(STEPS / parts);
  return async () => {
    const skip = await worldSkipReason();
    let world: World;

    before(async () => {
      if (!skip) world = await World.create(DEVICES);
    });
    after(async () => {
      await world?.close();
    });

    it(`keeps every good copy and every acknowledged write (${steps} steps across seeds ${part}, ${part + parts}, …; ${OMIT.length === 0 ? 'every command' : `every command but ${OMIT.join(', ')}`})`, { skip }, async (t) => {
      const reports: SafetyReport[] = [];
      let ran = 0;
      for (let seed = part; ran < steps; seed += parts) {
        // A seed's sequences run whole: the last seed runs only as many as the steps still owed
        // need (at the steps a sequence has taken so far), not ten (which ran ~11% past the count).
        const sequences = reports.reduce((n, r) => n + r.sequences, 0);
        const perSequence = sequences > 0 ? ran / sequences : MAX_COMMANDS / 2;
        const runs = Math.max(1, Math.min(RUNS_PER_SEED, Math.ceil((steps - ran) / perSequence)));
        // Bounded: a failure's shrinking (a reset per try) stops after 2 minutes with the smallest sequence found by then.
        const r = await runSafety(world, { seed, runs, maxCommands: MAX_COMMANDS, omit: OMIT, timeLimitMs: 120_000 });
        reports.push(r);
        ran += r.steps;
        if (r.failure) assert.fail(describeFailure(r.failure, DEVICES, MAX_COMMANDS, OMIT));
      }
      const ms = reports.reduce((n, r) => n + r.ms, 0);
      t.diagnostic(`${reports.length} seeds, ${reports.reduce((n, r) => n + r.sequences, 0)} sequences, ${ran} steps in ${(ms / 1000).toFixed(1)} s (${(ran / (ms / 1000)).toFixed(1)} steps/s), no violation`);
      assert.ok(ran >= steps);
    });
  };
}
