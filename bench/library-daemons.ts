/**
 * Two real devices for the library-sync benchmarks: each its own data dir and daemon, started
 * through the real CLI (`node bin/vss --data-dir D daemon start --listen …`), on loopback or each
 * inside its own network namespace (test/net/netns.ts); paired through the CLI (`pair start
 * --json` on one, `pair join CODE --peer ADDR` on the other). Every daemon started is recorded by
 * pid and stopped whatever happens: `daemon stop`, then SIGTERM, then SIGKILL of that pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { alive, VSS_BIN } from './daemon-procs.js';

export interface Device {
  name: string;
  dataDir: string;
  /** The network namespace it runs in; null: this one (loopback). */
  ns: string | null;
  /** The address its P2P node listens on (port 0: any). */
  ip: string;
  pid: number | null;
  /** Added to the environment of its CLI runs (and so of its daemon), e.g. VSS_LOG_LEVEL. */
  env: Record<string, string>;
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

const running = new Map<number, string>();
process.on('exit', () => {
  for (const pid of running.keys()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

export function device(name: string, dataDir: string, opts: { ns?: string; ip?: string; env?: Record<string, string> } = {}): Device {
  return { name, dataDir, ns: opts.ns ?? null, ip: opts.ip ?? '127.0.0.1', pid: null, env: opts.env ?? {} };
}

/** `vss --data-dir D ARGS…` as D (inside its namespace when it has one). */
export function spawnCli(d: Device, args: string[]): ChildProcess {
  const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VSS_'))), ...d.env };
  const argv = [VSS_BIN, '--data-dir', d.dataDir, ...args];
  return d.ns === null
    ? spawn(process.execPath, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn('ip', ['netns', 'exec', d.ns, process.execPath, ...argv], { env, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function cli(d: Device, args: string[], timeoutMs = 120_000): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawnCli(d, args);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(t);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

export async function cliJson<T>(d: Device, args: string[], timeoutMs?: number): Promise<T> {
  const r = await cli(d, [...args, '--json'], timeoutMs);
  if (r.code !== 0) throw new Error(`${d.name}: vss ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as T;
}

/** Start D's daemon; ARGS: what `daemon start` is given (by default, a listen address on D's IP, any port). */
export async function startDaemon(d: Device, args: string[] = ['--listen', `/ip4/${d.ip}/tcp/0`]): Promise<void> {
  const s = await cliJson<{ pid?: number }>(d, ['daemon', 'start', ...args]);
  if (typeof s.pid !== 'number') throw new Error(`${d.name}: daemon start told no pid`);
  d.pid = s.pid;
  running.set(s.pid, d.dataDir);
}

/** Stop D's daemon: `daemon stop`, then its recorded pid. Never throws. */
export async function stopDaemon(d: Device): Promise<void> {
  const pid = d.pid;
  if (pid === null) return;
  await cli(d, ['daemon', 'stop'], 30_000);
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    for (let i = 0; i < 100 && alive(pid); i++) await sleep(50);
    if (!alive(pid)) break;
    try {
      process.kill(pid, signal);
    } catch {
      // gone
    }
  }
  running.delete(pid);
  d.pid = null;
}

/** Pair JOINER with HOST (both daemons running): `pair start --json` on HOST, `pair join … --peer` on JOINER. */
export async function pair(host: Device, joiner: Device): Promise<void> {
  const addr = (await cliJson<{ listen: string[] }>(host, ['daemon', 'status'])).listen[0];
  if (!addr) throw new Error(`${host.name}'s daemon listens nowhere`);
  const starter = spawnCli(host, ['pair', 'start', '--json']);
  const exited = new Promise<number | null>((r) => starter.on('exit', (c) => r(c)));
  try {
    const code = await new Promise<string[]>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('pair start said nothing in 30 s')), 30_000);
      createInterface({ input: starter.stdout! }).once('line', (l) => {
        clearTimeout(t);
        resolve(String((JSON.parse(l) as { code: string }).code).split(' '));
      });
    });
    const joined = await cli(joiner, ['pair', 'join', ...code, '--peer', addr]);
    if (joined.code !== 0) throw new Error(`pair join failed (${joined.code}): ${joined.stderr.trim()}`);
    const ended = await Promise.race([exited, sleep(30_000).then(() => 'timeout' as const)]);
    if (ended !== 0) throw new Error(`pair start ended ${ended}`);
  } finally {
    if (starter.exitCode === null) starter.kill('SIGTERM');
  }
}

/** The database file of D's current library. */
export async function libraryDb(d: Device): Promise<string> {
  const libs = await cliJson<Array<{ path: string; current: boolean }>>(d, ['library', 'list']);
  const lib = libs.find((l) => l.current) ?? libs[0];
  if (!lib) throw new Error(`${d.name} has no library`);
  return join(lib.path, 'database.db');
}

/** Wait for FN to return something (every EVERY_MS, at most MS). */
export async function waitFor<T>(what: string, ms: number, fn: () => Promise<T | undefined> | T | undefined, everyMs = 100): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await sleep(everyMs);
  }
  throw new Error(`${what}: not within ${ms / 1000} s${last ? ` (${String(last)})` : ''}`);
}
