/** Small helpers shared by the benchmarks: timing, medians, number formatting, the summary table. */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { pathToFileURL } from 'node:url';

export const MiB = 1024 * 1024;

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Wall time of a synchronous function, in seconds. */
export function timeSync<T>(fn: () => T): { s: number; value: T } {
  const t0 = performance.now();
  const value = fn();
  return { s: (performance.now() - t0) / 1000, value };
}

/** Wall time of an async function, in seconds. */
export async function timeAsync<T>(fn: () => Promise<T>): Promise<{ s: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { s: (performance.now() - t0) / 1000, value };
}

/** 2–3 significant digits without exponent notation: 0.0042, 0.62, 1.23, 12.3, 123, 1234. */
export function num(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  if (a === 0) return '0';
  return x.toPrecision(2);
}

/** Seconds as "0.62 s" or, under 0.1 s, "4.2 ms". */
export function secs(s: number): string {
  return s < 0.1 ? `${num(s * 1000)} ms` : `${num(s)} s`;
}

/** A large count or rate with 2–3 significant digits: 336k, 1.2M. */
export function kilo(x: number): string {
  if (Math.abs(x) >= 1e6) return `${num(x / 1e6)}M`;
  if (Math.abs(x) >= 1e4) return `${num(x / 1e3)}k`;
  return num(x);
}

export function ratio(x: number): string {
  return `${num(x)}×`;
}

export function mb(bytes: number): string {
  return `${num(bytes / MiB)} MiB`;
}

/** A fresh, unique directory under PARENT. */
export function freshDir(parent: string, prefix: string): string {
  return mkdtempSync(join(parent, prefix));
}

export function rmrf(path: string): void {
  rmSync(path, { recursive: true, force: true, maxRetries: 3 });
}

/** A garbage collection between measured runs, when V8 lets us have one (it does with this flag trick). */
let gcFn: (() => void) | undefined;
try {
  setFlagsFromString('--expose-gc');
  gcFn = runInNewContext('gc') as () => void;
} catch {
  gcFn = undefined;
}
export function collectGarbage(): void {
  gcFn?.();
}

/** One row of the final summary table. */
export interface SummaryRow {
  what: string;
  value: string;
  ratio: string;
  target: string;
  /** true / false when there is a target, null when the row is informational. */
  ok: boolean | null;
}

export class Summary {
  readonly rows: SummaryRow[] = [];

  add(row: SummaryRow): void {
    this.rows.push(row);
  }

  print(): void {
    const head: SummaryRow = { what: 'benchmark', value: 'time / size', ratio: 'ratio', target: 'target', ok: null };
    const all = [head, ...this.rows];
    const w = (k: 'what' | 'value' | 'ratio' | 'target') => Math.max(...all.map((r) => r[k].length));
    const [ww, wv, wr, wt] = [w('what'), w('value'), w('ratio'), w('target')];
    const line = (r: SummaryRow, mark: string) =>
      `  ${r.what.padEnd(ww)}  ${r.value.padStart(wv)}  ${r.ratio.padStart(wr)}  ${r.target.padEnd(wt)}  ${mark}`.trimEnd();
    console.log(line(head, 'met?'));
    console.log(`  ${'-'.repeat(ww + wv + wr + wt + 12)}`);
    for (const r of this.rows) console.log(line(r, r.ok === null ? '' : r.ok ? 'yes' : 'NO'));
  }
}

/**
 * The benchmarks' command line: whole-number options with a default and a minimum, and boolean
 * flags; `--help` prints USAGE, anything else unknown exits 2 with it.
 */
export function benchArgs<I extends string, F extends string>(
  usage: string, ints: Record<I, { default: number; min: number }>, flags: readonly F[], argv = process.argv.slice(2),
): Record<I, number> & Record<F, boolean> {
  const fail = (msg?: string): never => {
    if (msg) console.error(msg);
    console.error(`usage: ${usage}`);
    process.exit(msg ? 2 : 0);
  };
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = { help: { type: 'boolean', short: 'h' } };
  for (const name of Object.keys(ints)) options[name] = { type: 'string' };
  for (const name of flags) options[name] = { type: 'boolean' };
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: argv, options, strict: true }).values as Record<string, string | boolean | undefined>;
  } catch (err) {
    return fail((err as Error).message);
  }
  if (values.help) fail();
  const out: Record<string, number | boolean> = {};
  for (const [name, spec] of Object.entries(ints) as Array<[string, { default: number; min: number }]>) {
    const raw = values[name];
    const v = raw === undefined ? spec.default : Number(raw);
    if (!Number.isInteger(v) || v < spec.min) fail(`--${name} needs an integer ≥ ${spec.min}`);
    out[name] = v;
  }
  for (const name of flags) out[name] = values[name] === true;
  return out as Record<I, number> & Record<F, boolean>;
}

/** Run MAIN when MODULE_URL is the script node was started with (a bench file can also be imported). */
export function runMain(moduleUrl: string, main: () => Promise<void>): void {
  if (!process.argv[1] || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

/** A file of SIZE random bytes at PATH, each MiB numbered in its first 4 bytes (one random block, so cheap to write). */
export function writeRandom(path: string, size: number): void {
  const block = randomBytes(MiB);
  const fd = openSync(path, 'w');
  try {
    for (let at = 0; at < size; at += block.length) {
      block.writeUInt32LE(at / MiB, 0);
      writeSync(fd, block, 0, Math.min(block.length, size - at));
    }
  } finally {
    closeSync(fd);
  }
}
