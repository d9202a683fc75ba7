/**
 * Real daemons for the daemon benchmark: started and stopped through the real CLI
 * (`node bin/vss --data-dir D daemon start|stop`), each recorded by pid so that whatever
 * happens (an exception, Ctrl-C, process.exit) every daemon this process started is stopped —
 * by `daemon stop`, then SIGTERM, then SIGKILL of that recorded pid, never by name.
 */
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { createParser } from 'eventsource-parser';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const VSS_BIN = join(REPO, 'bin', 'vss');

/** A daemon this process started. */
export interface Daemon {
  dataDir: string;
  pid: number;
  /** http://127.0.0.1:PORT */
  http: string;
  port: number;
  token: string;
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Run `node bin/vss ARGS` with ENV added to this process's (VSS_* of our own environment removed). */
export function vss(args: string[], env: Record<string, string> = {}, timeoutMs = 120_000): Promise<CliRun> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VSS_')));
  return new Promise((resolve) => {
    const t0 = performance.now();
    execFile(process.execPath, [VSS_BIN, ...args], { env: { ...base, ...env }, timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr, ms: performance.now() - t0 });
    });
  });
}

/** `vss ARGS --json` that must succeed: its parsed stdout. */
export async function vssJson<T>(args: string[], env: Record<string, string> = {}): Promise<T> {
  const r = await vss([...args, '--json'], env);
  if (r.code !== 0) throw new Error(`vss ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as T;
}

const running = new Map<number, string>();

/** Last resort on the way out: SIGKILL each daemon still recorded (synchronous, as `exit` needs). */
function killLeftovers(): void {
  for (const [pid, dataDir] of running) {
    try {
      process.kill(pid, 'SIGKILL');
      console.error(`killed daemon ${pid} (${dataDir}) on exit`);
    } catch {
      // already gone
    }
  }
  running.clear();
}
process.on('exit', killLeftovers);
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    for (const [pid] of running) {
      try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
    }
    process.exit(130);
  });
}

/** Start a daemon for DATA_DIR through the CLI and wait until it answers. */
export async function startDaemon(dataDir: string, env: Record<string, string> = {}): Promise<Daemon> {
  const r = await vss(['--data-dir', dataDir, 'daemon', 'start', '--json'], env);
  let status: { pid?: number; http?: string | null } = {};
  try {
    status = JSON.parse(r.stdout) as typeof status;
  } catch {
    // reported below
  }
  if (typeof status.pid === 'number') running.set(status.pid, dataDir);
  if (r.code !== 0 || typeof status.pid !== 'number' || !status.http) {
    throw new Error(`daemon start for ${dataDir} failed (${r.code}): ${r.stderr.trim() || r.stdout.trim()}`);
  }
  const token = readFileSync(join(dataDir, 'daemon.token'), 'utf8').trim();
  return { dataDir, pid: status.pid, http: status.http, port: Number(new URL(status.http).port), token };
}

/** Whether process PID still runs. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stop D: `daemon stop`, then its pid by SIGTERM and SIGKILL if it is still there. Never throws. */
export async function stopDaemon(d: Daemon): Promise<void> {
  if (!running.has(d.pid)) return;
  const r = await vss(['--data-dir', d.dataDir, 'daemon', 'stop'], {}, 30_000);
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    for (let i = 0; i < 100 && alive(d.pid); i++) await sleep(50);
    if (!alive(d.pid)) break;
    console.error(`daemon ${d.pid} still runs after \`daemon stop\` (${r.code}: ${r.stderr.trim()}); ${signal}`);
    try { process.kill(d.pid, signal); } catch { /* gone */ }
  }
  running.delete(d.pid);
}

/** Run FN with a daemon for DATA_DIR, stopping it afterwards whatever happens. */
export async function withDaemon<T>(dataDir: string, fn: (d: Daemon) => Promise<T>, env: Record<string, string> = {}): Promise<T> {
  const d = await startDaemon(dataDir, env);
  try {
    return await fn(d);
  } finally {
    await stopDaemon(d);
  }
}

export interface Answer {
  status: number;
  body: Buffer;
  /** From sending the request to the first byte of the answer (headers), and to its last byte. */
  firstByteMs: number;
  totalMs: number;
}

/** One request to D's HTTP API with its token, on AGENT (keep-alive) when given. */
export function request(d: Daemon, method: string, path: string, body?: unknown, agent?: http.Agent): Promise<Answer> {
  const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.request({
      host: '127.0.0.1', port: d.port, method, path, agent, timeout: 60_000,
      headers: { authorization: `Bearer ${d.token}`, ...(data ? { 'content-type': 'application/json', 'content-length': data.length } : {}) },
    }, (res) => {
      const firstByteMs = performance.now() - t0;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), firstByteMs, totalMs: performance.now() - t0 }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer to ${method} ${path}`)));
    req.on('error', reject);
    req.end(data);
  });
}

export async function requestJson<T>(d: Daemon, method: string, path: string, body?: unknown): Promise<T> {
  const a = await request(d, method, path, body);
  if (a.status >= 300) throw new Error(`${method} ${path}: ${a.status} ${a.body.toString('utf8').slice(0, 300)}`);
  return JSON.parse(a.body.toString('utf8')) as T;
}

export interface DaemonEventLine {
  id: number;
  type: string;
  at: string;
  payload: unknown;
}

/** Follow D's Server-Sent Events (from now on) until the returned stop is called. */
export function followEvents(d: Daemon, onEvent: (e: DaemonEventLine) => void): { stop: () => void; connected: Promise<void> } {
  let req: http.ClientRequest | undefined;
  const connected = new Promise<void>((resolve, reject) => {
    req = http.get({ host: '127.0.0.1', port: d.port, path: '/api/events?recent=false', headers: { authorization: `Bearer ${d.token}`, accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`events: ${res.statusCode}`));
      const parser = createParser({ onEvent: (m) => onEvent(JSON.parse(m.data) as DaemonEventLine) });
      res.setEncoding('utf8');
      res.on('data', (s: string) => parser.feed(s));
      res.on('error', () => undefined);
      resolve();
    });
    req.on('error', (err) => reject(err));
  });
  return { stop: () => req?.destroy(), connected };
}

export const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of PID in clock ticks, and its resident set in KiB, from /proc. */
export function procSample(pid: number): { ticks: number; rssKB: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(f[11]) + Number(f[12]);
  const rssKB = Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  return { ticks, rssKB };
}

/** The job runner's progress while nothing is queued or running: it says so every poll (500 ms), idle or not. */
export function isIdleProgress(e: DaemonEventLine): boolean {
  if (e.type !== 'jobs:progress') return false;
  const p = e.payload as { queued?: number; running?: number };
  return p.queued === 0 && p.running === 0;
}

/**
 * Wait until D is quiet: no event (but idle progress) and at most QUIET_TICKS of CPU for
 * WINDOW_MS in a row (its start-up rescan and reconcile done), or LIMIT_MS. Returns how long it took and whether it settled.
 */
export async function waitSettled(d: Daemon, opts: { windowMs?: number; quietTicks?: number; limitMs?: number } = {}): Promise<{ ms: number; settled: boolean; events: number }> {
  const windowMs = opts.windowMs ?? 2000;
  // 5 % of one core: an idle daemon's own polling stays below it, any real work is far above.
  const quietTicks = opts.quietTicks ?? Math.ceil((CLK_TCK * windowMs) / 1000 / 20);
  const limitMs = opts.limitMs ?? 120_000;
  let events = 0;
  let lastEventAt = performance.now();
  const follow = followEvents(d, (e) => {
    if (isIdleProgress(e)) return;
    events++;
    lastEventAt = performance.now();
  });
  await follow.connected;
  const t0 = performance.now();
  try {
    let baseTicks = procSample(d.pid).ticks;
    let quietSince = performance.now();
    while (performance.now() - t0 < limitMs) {
      await sleep(250);
      const now = performance.now();
      const ticks = procSample(d.pid).ticks;
      if (lastEventAt > quietSince || ticks - baseTicks > quietTicks) {
        // Still busy: the quiet window starts again from here.
        baseTicks = ticks;
        quietSince = now;
        continue;
      }
      if (now - quietSince >= windowMs) return { ms: quietSince - t0, settled: true, events };
    }
    return { ms: performance.now() - t0, settled: false, events };
  } finally {
    follow.stop();
  }
}
