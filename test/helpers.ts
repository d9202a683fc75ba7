import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createInterface } from 'node:readline';
import { closeSync, existsSync, mkdtempSync, openSync, readSync, rmSync, statSync, utimesSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (dist/test/helpers.js → ../..). */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const VSS_BIN = join(REPO, 'bin', 'vss');
export const FIXTURES = resolve(REPO, '..', 'shared', 'fixtures');
export const HAVE_FIXTURES = existsSync(FIXTURES);
export const FIXTURES_SKIP = HAVE_FIXTURES ? false : `../shared/fixtures is absent (${FIXTURES})`;

export function tempDir(prefix = 'vss-test-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => { if (!process.env.VSS_TEST_KEEP) rmSync(path, { recursive: true, force: true }); } };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the real CLI in a child process with its own data dir. */
export function runCli(args: string[], env: Record<string, string | undefined>, opts: SpawnOptions = {}): Promise<CliResult> {
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [VSS_BIN, ...args], {
      ...opts,
      env: { ...process.env, VSS_LOG_LEVEL: undefined, VSS_LIBRARY: undefined, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    outputOf(child).then(res, rej);
  });
}

/** What CHILD printed and its exit code, once it has ended. */
export function outputOf(child: ChildProcess): Promise<CliResult> {
  return new Promise((res, rej) => {
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', rej);
    child.on('close', (code) => res({ code, stdout, stderr }));
  });
}

/** The 12 words a running `vss pair start --json` prints first (bounded by MS). */
export function pairingCodeOf(pairing: ChildProcess, ms = 30_000): Promise<string[]> {
  return new Promise<string[]>((resolve, reject) => {
    let stderr = '';
    pairing.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-2000); });
    const t = setTimeout(() => reject(new Error(`pair start said nothing in ${ms / 1000} s${stderr ? `; stderr: ${stderr.trim()}` : ''}`)), ms);
    // A pair start that fails exits: its reason, at once, rather than the wait running out.
    pairing.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`pair start exited ${code} before giving a code${stderr ? `: ${stderr.trim()}` : ''}`));
    });
    createInterface({ input: pairing.stdout! }).once('line', (l) => {
      clearTimeout(t);
      resolve(String((JSON.parse(l) as { code: string }).code).split(' '));
    });
  });
}

export function runCliSync(args: string[], env: Record<string, string | undefined>): CliResult {
  const r = spawnSync(process.execPath, [VSS_BIN, ...args], {
    env: { ...process.env, VSS_LOG_LEVEL: undefined, VSS_LIBRARY: undefined, ...env },
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function json<T>(r: CliResult): T {
  if (r.code !== 0) throw new Error(`vss exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** Poll FN (bounded) until it returns a value; the last failure explains a timeout. */
export async function until<T>(what: string, ms: number, fn: () => Promise<T | undefined>, everyMs = 150): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms${last ? ` (${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Whether a process PID is there (a zombie not yet reaped counts). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Kill -9 the process PID (one the test started, found by its pid file) and wait, bounded, until it is gone. */
export async function killNow(pid: number, what: string): Promise<void> {
  process.kill(pid, 'SIGKILL');
  await until(`${what} gone`, 10_000, async () => (pidAlive(pid) ? undefined : true), 50);
}

/** PROMISE's value, or an error naming WHAT when it has not settled within MS. */
export async function within<T>(what: string, ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

/** One bit of ABS flipped at byte AT, its size and times set back: rot as a disk makes it (the faults note's FLIP). */
export function flipBit(abs: string, at = 100): void {
  const st = statSync(abs);
  const fd = openSync(abs, 'r+');
  try {
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, at);
    b[0] = b[0]! ^ 1;
    writeSync(fd, b, 0, 1, at);
  } finally {
    closeSync(fd);
  }
  utimesSync(abs, st.atime, st.mtime);
}
