/**
 * Running the safety model: sequences of commands (commands.ts) on one world (world.ts), reset
 * before each, seeded and shrinkable by fast-check; what a failure looks like as a reproduction.
 * Used by the suite's test (test/safety/safety.test.ts) and by `npm run fuzz:safety`.
 */
import fc from 'fast-check';
import { commandArbs } from './arbs.js';
import { Real, RULES, type Model, type Rule } from './real.js';
import type { World } from './world.js';

export interface SafetyOptions {
  seed: number;
  /** Sequences to run (before shrinking). */
  runs: number;
  /** Commands in a sequence at most. */
  maxCommands: number;
  /** fast-check's replay path of a failure (with its seed): runs that sequence again. */
  path?: string;
  /** The commands' own replay path of that failure (which of them ran: how they shrink), printed with it. */
  replay?: string;
  /** Commands left out (arbs.ts COMMANDS). */
  omit?: readonly string[];
  /** The checks made (real.ts RULES; all unless given). */
  rules?: readonly Rule[];
  /** False: end at the first failure, unshrunk (a test that only asks whether one is found). */
  shrink?: boolean;
  /** Stop (with what was found so far) after this long. */
  timeLimitMs?: number;
  /** Told each sequence's steps in words as it ends (`fuzz:safety --show`). */
  onSequence?: (steps: readonly string[], violation: string | null) => void;
}

export interface SafetyFailure {
  /** The broken rule and what broke it. */
  violation: string;
  /** The shrunk sequence in words, as it ran. */
  steps: string[];
  seed: number;
  path: string;
  /** The commands' replay path (fc.commands' `replayPath`): a replay needs it beside the path. */
  replay: string;
}

export interface SafetyReport {
  seed: number;
  /** Sequences run, shrinking's too. */
  sequences: number;
  /** Steps run in all (shrinking's too). */
  steps: number;
  ms: number;
  /** Of which resetting the world before each sequence. */
  resetMs: number;
  interrupted: boolean;
  failure: SafetyFailure | null;
}

/** Run OPTS.runs sequences of WORLD's devices under OPTS.seed; the first failure is shrunk and reported. */
export async function runSafety(world: World, opts: SafetyOptions): Promise<SafetyReport> {
  const started = Date.now();
  let steps = 0;
  let sequences = 0;
  let resetMs = 0;
  let last: { trace: string[]; error: string } | undefined;
  const commands = fc.commands(commandArbs(opts.omit), { maxCommands: opts.maxCommands, size: 'max', ...(opts.replay !== undefined ? { replayPath: opts.replay } : {}) });
  const property = fc.asyncProperty(commands, async (cmds) => {
    const t = Date.now();
    await world.reset();
    resetMs += Date.now() - t;
    sequences++;
    const real = new Real(world, `${opts.seed}:${sequences}`, new Set(opts.rules ?? RULES));
    const model: Model = { devices: world.size, cut: Array.from({ length: world.size }, () => false), away: false };
    try {
      await fc.asyncModelRun(() => ({ model, real }), cmds);
      opts.onSequence?.(real.trace, null);
    } catch (err) {
      last = { trace: [...real.trace], error: (err as Error).message };
      opts.onSequence?.(real.trace, last.error);
      throw err;
    } finally {
      steps += real.steps;
    }
  });
  const details = await fc.check(property, {
    seed: opts.seed, numRuns: opts.runs, endOnFailure: opts.shrink === false, ...(opts.path !== undefined ? { path: opts.path } : {}),
    ...(opts.timeLimitMs !== undefined ? { interruptAfterTimeLimit: opts.timeLimitMs } : {}),
  });
  // The counterexample says which of its commands ran (`/*replayPath="…"*/`): without it a path cannot be walked again.
  const replay = /replayPath="([^"]*)"/.exec(String(details.counterexample?.[0] ?? ''))?.[1] ?? '';
  const failure = details.failed && last
    ? { violation: last.error, steps: last.trace, seed: details.seed, path: details.counterexamplePath ?? '', replay }
    : null;
  return { seed: opts.seed, sequences, steps, ms: Date.now() - started, resetMs, interrupted: details.interrupted, failure };
}

/** A failure as a person reads it: the rule, the steps, and the command that runs it again. */
export function describeFailure(f: SafetyFailure, devices: number, maxCommands: number, omit: readonly string[] = []): string {
  return [
    f.violation,
    'The sequence (shrunk, unless the run was asked not to: each step as it ran, from a fresh world: devices D0..D' + (devices - 1) + ', each with locations main and drive, one bucket Offsite):',
    ...f.steps.map((s, i) => `  ${i + 1}. ${s}`),
    `Replay: npm run fuzz:safety -- --seed ${f.seed} --path ${f.path}${f.replay ? ` --replay ${f.replay}` : ''} --devices ${devices} --max-commands ${maxCommands}${omit.length > 0 ? ` --omit ${omit.join(',')}` : ''}`,
  ].join('\n');
}

/**
 * Run the sequence CMDS (commands.ts classes, made by hand) once on a fresh world, with RULES
 * checked: the violation it meets, with its steps in words, or null.
 */
export async function runSequence(world: World, cmds: Array<fc.AsyncCommand<Model, Real>>, rules: readonly Rule[] = RULES): Promise<{ violation: string | null; steps: string[] }> {
  await world.reset();
  const real = new Real(world, 'by hand', new Set(rules));
  const model: Model = { devices: world.size, cut: Array.from({ length: world.size }, () => false), away: false };
  try {
    await fc.asyncModelRun(() => ({ model, real }), cmds);
    return { violation: null, steps: real.trace };
  } catch (err) {
    if ((err as Error).name !== 'Violation') throw err;
    return { violation: (err as Error).message, steps: real.trace };
  }
}
