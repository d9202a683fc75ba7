/** Child processes of the spike: JSON lines out, commands in, every wait bounded, ended by PID. */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { readdirSync, readFileSync } from 'node:fs';

const started = [];

export function startNode(script, args, { env = {}, nodeArgs = [] } = {}) {
  const child = spawn(process.execPath, [...nodeArgs, script, ...args], {
    cwd: new URL('.', import.meta.url).pathname,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  started.push(child);
  const queue = [];
  const waiters = [];
  const errLines = [];
  createInterface({ input: child.stderr }).on('line', (l) => { errLines.push(l); if (process.env.SPIKE_VERBOSE) process.stderr.write(`  [${script}] ${l}\n`); });
  createInterface({ input: child.stdout }).on('line', (l) => {
    let o;
    try { o = JSON.parse(l); } catch { o = { text: l }; }
    const w = waiters.findIndex((x) => x.match(o));
    if (w >= 0) { const [x] = waiters.splice(w, 1); clearTimeout(x.timer); x.resolve(o); } else queue.push(o);
  });
  let exited = null;
  child.on('exit', (code, signal) => {
    exited = { code, signal };
    for (const x of waiters.splice(0)) { clearTimeout(x.timer); x.reject(new Error(`${script} exited (${code ?? signal}) while waited on; stderr:\n${errLines.slice(-20).join('\n')}`)); }
  });
  return {
    child,
    pid: child.pid,
    stderr: errLines,
    /** The next JSON line MATCH accepts, within MS. */
    next(match = () => true, ms = 20_000) {
      const i = queue.findIndex(match);
      if (i >= 0) return Promise.resolve(queue.splice(i, 1)[0]);
      if (exited) return Promise.reject(new Error(`${script} has exited (${exited.code ?? exited.signal}); stderr:\n${errLines.slice(-20).join('\n')}`));
      return new Promise((resolve, reject) => {
        const x = { match, resolve, reject };
        x.timer = setTimeout(() => { waiters.splice(waiters.indexOf(x), 1); reject(new Error(`${script}: nothing matching in ${ms} ms; stderr:\n${errLines.slice(-20).join('\n')}`)); }, ms);
        waiters.push(x);
      });
    },
    /** Send a command line and wait for its ack. */
    async command(line, ms = 10_000) {
      child.stdin.write(line + '\n');
      return this.next((o) => o.ack === line, ms);
    },
  };
}

/** End every child this process started, by its PID: SIGTERM, then SIGKILL after 5 s. */
export async function stopAll() {
  await Promise.all(started.map((c) => new Promise((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve();
    const t = setTimeout(() => { try { process.kill(c.pid, 'SIGKILL'); } catch {} }, 5_000);
    c.once('exit', () => { clearTimeout(t); resolve(); });
    try { process.kill(c.pid, 'SIGTERM'); } catch { clearTimeout(t); resolve(); }
  })));
}

/** The browser Playwright started: this process's child running with --remote-debugging-pipe. */
export function chromiumPid() {
  for (const n of readdirSync('/proc')) {
    if (!/^\d+$/.test(n)) continue;
    try {
      const s = readFileSync(`/proc/${n}/stat`, 'utf8');
      const ppid = Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && readFileSync(`/proc/${n}/cmdline`, 'utf8').includes('--remote-debugging-pipe')) return Number(n);
    } catch {}
  }
  return -1;
}

/**
 * The CPU seconds (user+system) each process of the tree under ROOTPID used so far (Linux /proc),
 * by pid, with its kind (Chromium's --type=…, a utility's sub-type).
 */
export function cpuTree(rootPid) {
  const hz = 100;
  const stat = (pid) => { try { const s = readFileSync(`/proc/${pid}/stat`, 'utf8'); const r = s.slice(s.lastIndexOf(')') + 2).split(' '); return { ppid: Number(r[1]), cpu: (Number(r[11]) + Number(r[12])) / hz, start: r[19] }; } catch { return undefined; } };
  const all = readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map((n) => [Number(n), stat(Number(n))]).filter(([, s]) => s);
  const pids = new Set([rootPid]);
  let grew = true;
  while (grew) { grew = false; for (const [pid, s] of all) if (!pids.has(pid) && pids.has(s.ppid)) { pids.add(pid); grew = true; } }
  const out = new Map();
  for (const [pid, s] of all) {
    if (!pids.has(pid)) continue;
    let cmd = '';
    try { cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch {}
    const type = /--type=([a-z-]+)/.exec(cmd)?.[1] ?? (pid === rootPid ? 'main' : 'other');
    const sub = /--utility-sub-type=([\w.]+)/.exec(cmd)?.[1];
    out.set(`${pid}@${s.start}`, { kind: sub ? `${type}:${sub.split('.').pop()}` : type, cpu: s.cpu });
  }
  return out;
}

/**
 * CPU seconds the tree under a pid used between two cpuTree() samples, by kind and in all: the
 * processes alive at the second sample (one gone meanwhile is not subtracted).
 */
export function cpuBetween(before, after) {
  const byKind = {};
  let total = 0;
  for (const [key, p] of after) {
    const d = p.cpu - (before.get(key)?.cpu ?? 0);
    byKind[p.kind] = Math.round(((byKind[p.kind] ?? 0) + d) * 100) / 100;
    total += d;
  }
  return { total: Math.round(total * 100) / 100, byKind };
}
