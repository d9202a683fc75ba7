import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { unpackChromium } from './unpack-chromium.js';

/**
 * A real headless Chromium for the browser tests, benches and screenshots. A browser named by
 * CHROMIUM_PATH, or a system chromium, is preferred when present; otherwise the one from
 * @sparticuz/chromium, unpacked once (prepare-browser runs before the tests; a caller that comes
 * first unpacks it itself). The package's own launch args are not used: they disable web security.
 */

const SYSTEM_CHROMIUMS = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
/** Processes are followed through /proc (Linux); elsewhere close() trusts Playwright. */
const HAVE_PROC = existsSync('/proc/self/stat');
const LAUNCH_TIMEOUT_MS = 30_000;

export interface BrowserExecutable {
  executablePath: string;
  env: Record<string, string>;
  source: 'CHROMIUM_PATH' | 'system' | '@sparticuz/chromium';
}

export async function browserExecutable(): Promise<BrowserExecutable> {
  const named = process.env.CHROMIUM_PATH;
  if (named) {
    if (!existsSync(named)) throw new Error(`CHROMIUM_PATH names ${named}, which does not exist`);
    return { executablePath: named, env: {}, source: 'CHROMIUM_PATH' };
  }
  const system = SYSTEM_CHROMIUMS.find((p) => existsSync(p));
  if (system) return { executablePath: system, env: {}, source: 'system' };
  const unpacked = await unpackChromium();
  const env: Record<string, string> = { FONTCONFIG_FILE: unpacked.fontconfigFile };
  if (unpacked.ldLibraryPath) {
    env.LD_LIBRARY_PATH = [unpacked.ldLibraryPath, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  }
  return { executablePath: unpacked.executablePath, env, source: '@sparticuz/chromium' };
}

export interface LaunchedBrowser {
  browser: Browser;
  /** Every process of the browser seen so far (the one Playwright started and its descendants), by pid and start time. */
  processes: () => TrackedProcess[];
  /** Closes the browser; throws (after killing them) if any of its processes outlive it by 10 s. */
  close: () => Promise<void>;
}

export interface TrackedProcess { pid: number; start: string }

/**
 * OPTS.netns: run the browser inside that network namespace (a test's own, see test/net/), so it
 * reaches a daemon listening on that namespace's loopback. Playwright talks to it over pipes,
 * which cross namespaces; `ip netns exec` execs in place, so the pid Playwright started is the browser's.
 */
export async function launchBrowser(opts: { netns?: string; args?: string[] } = {}): Promise<LaunchedBrowser> {
  const exe = await browserExecutable();
  const before = new Set(childrenOf(process.pid).map((p) => p.pid));
  let executablePath = exe.executablePath;
  let wrapperDir: string | undefined;
  if (opts.netns !== undefined) {
    const dir = (wrapperDir = mkdtempSync(join(tmpdir(), 'vss-netns-browser-')));
    executablePath = join(dir, 'chromium');
    writeFileSync(executablePath, `#!/bin/sh\nexec ip netns exec '${opts.netns}' '${exe.executablePath}' "$@"\n`, { mode: 0o755 });
  }
  const browser = await chromium.launch({
    executablePath,
    env: { ...stringEnv(process.env), ...exe.env },
    timeout: LAUNCH_TIMEOUT_MS,
    ...(opts.args ? { args: opts.args } : {}),
  });
  // Playwright keeps the browser's process to itself: find it as the new child of this process
  // that talks over the debugging pipe Playwright always opens.
  const root = childrenOf(process.pid).find((p) => !before.has(p.pid) && cmdline(p.pid).includes('--remote-debugging-pipe'));
  if (!HAVE_PROC) return { browser, processes: () => [], close: () => browser.close() };
  if (!root) {
    await browser.close();
    throw new Error('launched Chromium, but found no child process of this one running it');
  }
  const seen = new Map<number, TrackedProcess>();
  const record = () => {
    for (const p of [root, ...descendantsOf(root.pid)]) if (alive(p)) seen.set(p.pid, { pid: p.pid, start: p.start });
    return [...seen.values()];
  };
  record();
  return {
    browser,
    processes: record,
    close: async () => {
      record();
      await browser.close();
      if (wrapperDir) rmSync(wrapperDir, { recursive: true, force: true });
      const deadline = Date.now() + 10_000;
      let left = [...seen.values()].filter(alive);
      while (left.length > 0 && Date.now() < deadline) {
        await sleep(100);
        left = left.filter(alive);
      }
      if (left.length > 0) {
        for (const p of left) try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone meanwhile */ }
        throw new Error(`Chromium processes outlived browser.close() by 10 s: ${left.map((p) => p.pid).join(', ')}`);
      }
    },
  };
}

/** A page of the given size in a fresh context; everything bounded by TIMEOUT_MS. */
export async function newPage(browser: Browser, opts: { width?: number; height?: number; timeoutMs?: number } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: opts.width ?? 1280, height: opts.height ?? 800 } });
  context.setDefaultTimeout(opts.timeoutMs ?? 15_000);
  context.setDefaultNavigationTimeout(opts.timeoutMs ?? 15_000);
  const page = await context.newPage();
  return { context, page };
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

function stat(pid: number): { state: string; ppid: number; start: string } | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0]!, ppid: Number(rest[1]), start: rest[19]! };
  } catch {
    return undefined;
  }
}

function allProcesses(): Array<TrackedProcess & { ppid: number }> {
  const out: Array<TrackedProcess & { ppid: number }> = [];
  if (!HAVE_PROC) return out;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = stat(Number(name));
    if (st && st.state !== 'Z') out.push({ pid: Number(name), ppid: st.ppid, start: st.start });
  }
  return out;
}

function childrenOf(pid: number): TrackedProcess[] {
  return allProcesses().filter((p) => p.ppid === pid);
}

function descendantsOf(pid: number): TrackedProcess[] {
  const all = allProcesses();
  const out: TrackedProcess[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const p of all) if (p.ppid === parent) { out.push(p); queue.push(p.pid); }
  }
  return out;
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** Alive and still the same process (a reused pid has another start time); a zombie has exited. */
export function alive(p: TrackedProcess): boolean {
  const st = stat(p.pid);
  return st !== undefined && st.state !== 'Z' && st.start === p.start;
}
