/**
 * What every command of the safety model shares: a step's run (timed, its words kept for a
 * reproduction), VSS's answer to a call in words, and how a command names devices and files.
 */
import type fc from 'fast-check';
import type { Model, Outcome, Picked, Real } from './real.js';
import type { Device } from './world.js';

/** How long a step waits for its job before it stops waiting and cancels it (a job retrying with backoff). */
export const JOB_WAIT_MS = 8_000;

/** VSS's answer to a call, in words: done, or refused/failed with its reason's first line. */
export async function answer(d: Device, call: (o: { signal: AbortSignal; onQueued: (id: number) => void }) => Promise<unknown>): Promise<string> {
  let job: number | undefined;
  const signal = AbortSignal.timeout(JOB_WAIT_MS);
  try {
    await d.life.run(() => call({ signal, onQueued: (id) => (job = id) }));
    return 'done';
  } catch (err) {
    if (signal.aborted && job !== undefined) {
      await d.life.run(() => d.api.jobs.cancel(job!)).catch(() => undefined);
      return `still running after ${JOB_WAIT_MS / 1000} s: cancelled`;
    }
    return answered(err);
  }
}

/** A call's failure in words: refused (by a guard) or failed, with its reason's first line. */
export function answered(err: unknown): string {
  const e = err as Error & { code?: string };
  return `${e.code === 'POLICY' ? 'refused' : 'failed'}: ${(e.message ?? String(err)).split('\n')[0]!.slice(0, 200)}`;
}

/** What a file names in words: `D0/main/f1.bin (3f2a…)`. */
export function named(p: Picked): string {
  return `${p.held.where} (${p.held.hash.slice(0, 6)})`;
}

/** Steps run and their time, by command (what `fuzz:safety` reports of where the time goes). */
export const STEP_TIMES: Record<string, { n: number; ms: number; act: number }> = {};

export abstract class Step implements fc.AsyncCommand<Model, Real> {
  /** What it did, once run (shown in a reproduction). */
  protected said = '';
  abstract check(m: Readonly<Model>): boolean;
  /** Before it runs: what it will try. */
  protected abstract plan(): string;
  protected abstract act(r: Real, m: Model): Promise<Outcome>;

  async run(m: Model, r: Real): Promise<void> {
    this.said = '';
    const t = performance.now();
    try {
      await r.step(() => this.toString(), () => this.act(r, m));
    } finally {
      r.trace.push(this.toString());
      const s = (STEP_TIMES[this.constructor.name] ??= { n: 0, ms: 0, act: 0 });
      s.n++;
      s.ms += performance.now() - t;
      s.act += r.actMs;
    }
  }

  toString(): string {
    return this.said || this.plan();
  }

  /** What a step on file P of DEVICE did when P is on the drive, which is away now: nothing, said so. */
  protected unreachable(device: { name: string }, p: Picked): Outcome {
    this.said = `${device.name}: ${this.plan().replace(/^D\d+: /, '')}: ${named(p)} is on the drive, which is unplugged`;
    return {};
  }

  /** What a step that found no file to act on on DEVICE did: nothing, said so. */
  protected noFile(device: { name: string }): Outcome {
    this.said = `${device.name}: ${this.plan().replace(/^D\d+: /, '')}: no file there`;
    return {};
  }
}

export const reaches = (m: Readonly<Model>, a: number, b: number) => a % m.devices !== b % m.devices && !m.cut[a % m.devices] && !m.cut[b % m.devices];
/** The device E-th after D (never D itself). */
export const other = (m: Readonly<Model>, d: number, e: number) => (d + 1 + (e % (m.devices - 1))) % m.devices;

