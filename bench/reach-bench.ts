/**
 * `node dist/bench/reach-bench.js [--runs N] [--mib M] [--connects N] [--files N] [--every-ms MS] [--keep]` (root, iptables)
 *
 * Issue 29: two devices in two homes behind NAT, with no route between them, reaching each other
 * through a relay the user runs — three real daemons in network namespaces (test/net/two-homes.ts),
 * set up through the real CLI as test/integration/relay-two-homes.test.ts does (the relay box
 * `daemon start --relay`, each device paired with it by invite, then the laptop and the desktop
 * paired by invite through it). Measured in one run, each against an anchor of the same run:
 *  1. connect: the desktop's daemon stopped and started again, from `daemon start` until
 *     `devices list` (its API, polled every 20 ms over the daemon's socket) shows the laptop
 *     reached through the relay; split at the daemon's "P2P node listening" (its log).
 *     Anchor: a bare libp2p node with the desktop's key, in the desktop's home, dialling the
 *     laptop's relayed address (dial to connection; the process start is not counted).
 *     --connects rounds (default 5), the two alternating.                     target p50 < 2 s
 *  2. transfer: `vss content get Laptop:/Loc/big.bin` (M MiB, default 256) on the desktop, the CLI
 *     run timed whole (a CLI start included: its cost, a `daemon status`, is printed beside and
 *     taken off for an estimate).
 *     Anchor: a bare stream of the same bytes (read from the same file, 1 MiB at a time; read and
 *     dropped) between two bare nodes in the same two homes through a bare relay node (the
 *     relay daemon's own PeerNode code) on the relay box. --runs rounds (default 3), alternating.
 *                                                                        target ≥ 80% of the anchor
 *  3. change propagation: --files files (default 200) written one by one, --every-ms apart
 *     (default 20), into the laptop's location; each from its write to its row in the desktop's
 *     peer_entries (what `vss ls Laptop:/Loc` lists), both libraries' databases polled read-only
 *     every 15 ms. Anchor: the same file's row in the laptop's own index.    target p99 < 3 s
 *  4. the relay's cost of carrying the transfer: its CPU (utime + stime from /proc) per MiB, and
 *     its peak RSS during it (VmHWM, reset before through /proc/PID/clear_refs; VmRSS polled
 *     too) — the relay daemon for `content get`, the bare relay for the anchor; also less what each
 *     spends idle over the same time (its CPU a second, measured for 3 s before the rounds).
 * Prints a table and one line of JSON. --keep keeps the data dirs (the daemons' logs) and says
 * where. Every process started is ended by its pid, and the namespaces removed, whatever happens
 * (Ctrl-C too).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { makeTwoHomes, twoHomesSkipReason, type TwoHomes } from '../test/net/two-homes.js';
import { CLK_TCK, procSample } from './daemon-procs.js';
import { cli, cliJson, device, libraryDb, spawnCli, startDaemon, stopDaemon, waitFor, type Device } from './library-daemons.js';
import { MiB, Summary, benchArgs, freshDir, median, num, rmrf, runMain, secs, writeRandom } from './util.js';

export const RELAY_PORT = 4001;
const ANCHOR_RELAY_PORT = 4002;

interface Status { pid: number | null; peer_id: string; listen: string[] }
interface DeviceItem { name: string; reached: string | null }

const ms = (x: number) => secs(x / 1000);
function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
}

// ---------------------------------------------------------------------------------------------
// Bare nodes (bench/reach-node.ts), each a process in a namespace, ended by its pid.

const children = new Set<ChildProcess>();

interface BareNode {
  pid: number;
  peerId: string;
  ask<T>(cmd: unknown, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

async function bareNode(ns: string, args: string[]): Promise<BareNode> {
  const script = join(fileURLToPath(new URL('.', import.meta.url)), 'reach-node.js');
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.add(child);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async <T>(what: string, timeoutMs: number): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      const l = await Promise.race([lines.next(), new Promise<never>((_, rej) => { timer = setTimeout(() => rej(new Error(`bare node: ${what}: no answer within ${timeoutMs} ms`)), timeoutMs); })]);
      if (l.done) throw new Error(`bare node exited (${what})`);
      const o = JSON.parse(l.value) as T & { error?: string };
      if (o.error) throw new Error(`bare node: ${what}: ${o.error}`);
      return o;
    } finally {
      clearTimeout(timer);
    }
  };
  const stop = async (): Promise<void> => {
    child.stdin!.end();
    await Promise.race([exited, sleep(5_000)]);
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      process.kill(child.pid, 'SIGKILL');
      await Promise.race([exited, sleep(2_000)]);
    }
    children.delete(child);
  };
  try {
    const { ready } = await next<{ ready: { pid: number; peer_id: string } }>('start', 30_000);
    return {
      pid: ready.pid,
      peerId: ready.peer_id,
      ask: (cmd, timeoutMs = 60_000) => {
        child.stdin!.write(JSON.stringify(cmd) + '\n');
        return next(JSON.stringify(cmd).slice(0, 60), timeoutMs);
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// The daemons

/** HOST shows a code (`pair start --json`); JOINER joins it by the invite alone. */
async function pairByInvite(host: Device, joiner: Device): Promise<void> {
  const starter = spawnCli(host, ['pair', 'start', '--json']);
  children.add(starter);
  const exited = new Promise<number | null>((r) => starter.on('exit', (c) => r(c)));
  try {
    const invite = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('pair start said nothing in 30 s')), 30_000);
      createInterface({ input: starter.stdout! }).once('line', (l) => {
        clearTimeout(t);
        resolve((JSON.parse(l) as { invite: string }).invite);
      });
    });
    await cliJson(joiner, ['pair', 'join', invite]);
    const ended = await Promise.race([exited, sleep(30_000).then(() => 'not within 30 s' as const)]);
    if (ended !== 0) throw new Error(`${host.name}: pair start ended ${ended}`);
  } finally {
    if (starter.exitCode === null && starter.signalCode === null && starter.pid !== undefined) process.kill(starter.pid, 'SIGKILL');
    children.delete(starter);
  }
}

/** GET PATH of D's daemon API over its socket (a file: reachable from outside its namespace); undefined while it does not answer. */
export function api<T>(d: Device, path: string): Promise<T | undefined> {
  let token: string;
  try {
    token = readFileSync(join(d.dataDir, 'daemon.token'), 'utf8').trim();
  } catch {
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => {
    const req = http.get({ socketPath: join(d.dataDir, 'daemon.sock'), path, headers: { authorization: `Bearer ${token}` }, timeout: 2_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(res.statusCode === 200 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) as T : undefined));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

export async function reachedOf(d: Device, name: string): Promise<string | null | undefined> {
  return (await api<DeviceItem[]>(d, '/api/devices'))?.find((x) => x.name === name)?.reached;
}

/** When D's daemon log says its P2P node listened, after wall time SINCE (epoch ms). */
function nodeListeningAt(d: Device, since: number): number | undefined {
  let text: string;
  try {
    text = readFileSync(join(d.dataDir, 'daemon.log'), 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n').reverse()) {
    if (!line.includes('P2P node listening')) continue;
    try {
      const o = JSON.parse(line) as { time?: number | string };
      const t = typeof o.time === 'number' ? o.time : Date.parse(String(o.time));
      if (t >= since) return t;
    } catch {
      // not a JSON line
    }
  }
  return undefined;
}

function readonlyDb(path: string): Database.Database | undefined {
  try {
    return new Database(path, { readonly: true, fileMustExist: true });
  } catch {
    return undefined;
  }
}

function count(path: string, sql: string): number {
  const db = readonlyDb(path);
  if (!db) return 0;
  try {
    return db.prepare(sql).pluck().get() as number;
  } catch {
    return 0; // the tables may not be there yet
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------------------------------------
// The relay's cost while it carries a transfer

interface RelayCost { cpuMs: number; peakKB: number; polledKB: number; baseKB: number }

/** CPU and memory of PID while FN runs: VmHWM reset before (clear_refs 5), VmRSS polled every 50 ms too. */
async function relayCost<T>(pid: number, fn: () => Promise<T>): Promise<{ value: T; cost: RelayCost }> {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // an old kernel: the poll alone says the peak
  }
  const before = procSample(pid);
  let polledKB = before.rssKB;
  const poll = setInterval(() => {
    try {
      polledKB = Math.max(polledKB, procSample(pid).rssKB);
    } catch {
      // gone: said by the caller's failure
    }
  }, 50);
  try {
    const value = await fn();
    const after = procSample(pid);
    const hwm = Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
    return { value, cost: { cpuMs: ((after.ticks - before.ticks) * 1000) / CLK_TCK, peakKB: hwm, polledKB: Math.max(polledKB, after.rssKB), baseKB: before.rssKB } };
  } finally {
    clearInterval(poll);
  }
}

// ---------------------------------------------------------------------------------------------

export interface Homes {
  net: TwoHomes;
  relay: Device;
  laptop: Device;
  desktop: Device;
  ids: { relay: string; laptop: string; desktop: string };
  /** The laptop's address through the relay daemon. */
  laptopRelayed: string;
  loc: string;
  big: string;
}

export async function status(d: Device): Promise<Status> {
  return cliJson<Status>(d, ['daemon', 'status']);
}

/** The three daemons of relay-two-homes.test.ts, paired the same way; the laptop's location (in content mode) holds BIG. */
export async function setUp(net: TwoHomes, work: string, mib: number, started: Device[]): Promise<Homes> {
  const relay = device('Home server', join(work, 'relay'), { ns: net.ns.relay });
  const laptop = device('Laptop', join(work, 'laptop'), { ns: net.ns.a });
  const desktop = device('Desktop', join(work, 'desktop'), { ns: net.ns.b });
  // Stopped by the caller whatever happens here.
  started.push(relay, laptop, desktop);
  const loc = join(work, 'loc');
  mkdirSync(join(loc, 'changes'), { recursive: true });
  writeFileSync(join(loc, 'changes', 'seed.txt'), 'seed\n');
  const big = join(loc, 'big.bin');
  writeRandom(big, mib * MiB);
  for (const d of [relay, laptop, desktop]) await cliJson(d, ['device', 'rename', d.name]);
  await cliJson(laptop, ['library', 'create', 'Home', '--path', join(work, 'a-libs')]);
  await startDaemon(relay, ['--relay', '--listen', `/ip4/0.0.0.0/tcp/${RELAY_PORT}`]);
  await startDaemon(laptop, []);
  await startDaemon(desktop, []);
  await cliJson(laptop, ['location', 'add', loc, '--name', 'Loc', '--mode', 'content']);
  const laptopDb = await libraryDb(laptop);
  await waitFor('the laptop indexed its location', 120_000, () => (count(laptopDb, "SELECT count(*) FROM entries WHERE kind = 'file' AND content_id IS NOT NULL") >= 2 ? true : undefined), 250);

  await pairByInvite(relay, laptop);
  await pairByInvite(relay, desktop);
  const relayId = (await status(relay)).peer_id;
  for (const d of [laptop, desktop]) {
    await waitFor(`${d.name} holds a slot on the relay`, 30_000, async () => ((await status(d)).listen.some((a) => a.includes(`/p2p/${relayId}/p2p-circuit`)) ? true : undefined), 250);
  }
  const t0 = performance.now();
  await pairByInvite(laptop, desktop);
  console.log(`  laptop and desktop paired by invite through the relay in ${ms(performance.now() - t0)}`);
  await waitFor('the desktop reaches the laptop through the relay', 30_000, async () => ((await reachedOf(desktop, 'Laptop')) === 'relay' ? true : undefined), 100);
  const desktopDb = await libraryDb(desktop);
  await waitFor('the laptop\'s big file known on the desktop', 60_000, () => (count(desktopDb, "SELECT count(*) FROM peer_entries WHERE name = 'big.bin' AND content_id IS NOT NULL") === 1 ? true : undefined), 250);
  const ls = await status(laptop);
  const laptopRelayed = ls.listen.find((a) => a.startsWith(`/ip4/${net.addr.relay}/tcp/${RELAY_PORT}/p2p/${relayId}/p2p-circuit`));
  if (!laptopRelayed) throw new Error(`the laptop has no address through the relay: ${JSON.stringify(ls.listen)}`);
  return { net, relay, laptop, desktop, ids: { relay: relayId, laptop: ls.peer_id, desktop: (await status(desktop)).peer_id }, laptopRelayed, loc, big };
}

// ---------------------------------------------------------------------------------------------
// 1. Connect time

interface ConnectRound { raw: number; daemon: number; started: number; listening: number | undefined }

async function benchConnect(h: Homes, rounds: number): Promise<ConnectRound[]> {
  console.log(`\n== 1. connect through the relay: the desktop's daemon restarted, ${rounds} rounds ==`);
  const out: ConnectRound[] = [];
  for (let i = 0; i < rounds; i++) {
    await stopDaemon(h.desktop);
    await waitFor('the laptop sees the desktop gone', 15_000, async () => ((await reachedOf(h.laptop, 'Desktop')) === null ? true : undefined), 100);
    // The anchor: libp2p alone, with the desktop's key, from the desktop's home.
    const bare = await bareNode(h.net.ns.b, ['node', h.desktop.dataDir]);
    let raw: { ms: number; path: string | null };
    try {
      await bare.ask({ allow: [h.ids.relay, h.ids.laptop] });
      raw = await bare.ask<{ ms: number; path: string | null }>({ dial: h.laptopRelayed }, 30_000);
    } finally {
      await bare.stop();
    }
    if (raw.path !== 'relay') throw new Error(`the bare node reached the laptop ${raw.path}, not through the relay`);
    await waitFor('the laptop sees the bare node gone', 15_000, async () => ((await reachedOf(h.laptop, 'Desktop')) === null ? true : undefined), 100);
    await sleep(500);

    const wall0 = Date.now();
    const t0 = performance.now();
    let started = NaN;
    const starting = startDaemon(h.desktop, []).then(() => { started = performance.now() - t0; });
    const reached = await waitFor('the desktop\'s daemon reaches the laptop through the relay', 30_000, async () => ((await reachedOf(h.desktop, 'Laptop')) === 'relay' ? performance.now() - t0 : undefined), 20);
    await starting;
    const at = nodeListeningAt(h.desktop, wall0);
    const listening = at === undefined ? undefined : at - wall0;
    out.push({ raw: raw.ms, daemon: reached, started, listening });
    console.log(`  round ${i + 1}: bare dial ${ms(raw.ms)}; daemon: started ${ms(started)}, node listening ${listening === undefined ? '?' : ms(listening)}, laptop reached through the relay ${ms(reached)}${listening === undefined ? '' : ` (${ms(reached - listening)} after its node listened)`}`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// 3. Change propagation

interface Written { rel: string; at: number; onLaptop?: number; onDesktop?: number }

async function benchPropagation(h: Homes, files: number, everyMs: number): Promise<Written[]> {
  console.log(`\n== 3. change propagation through the relay: ${files} files into the laptop's location, one every ${everyMs} ms ==`);
  const aDb = new Database(await libraryDb(h.laptop), { readonly: true, fileMustExist: true });
  const bDb = new Database(await libraryDb(h.desktop), { readonly: true, fileMustExist: true });
  const onA = aDb.prepare("SELECT rel_path AS rel FROM entries WHERE kind = 'file' AND rel_path LIKE 'changes/%'");
  const onB = bDb.prepare("SELECT dir_path || '/' || name AS rel FROM peer_entries WHERE kind = 'file' AND dir_path = 'changes'");
  const written = new Map<string, Written>();
  let waiting = 0;
  const poll = setInterval(() => {
    if (waiting === 0) return;
    const now = performance.now();
    try {
      for (const r of onA.all() as Array<{ rel: string }>) {
        const f = written.get(r.rel);
        if (f) f.onLaptop ??= now;
      }
      for (const r of onB.all() as Array<{ rel: string }>) {
        const f = written.get(r.rel);
        if (f && f.onDesktop === undefined) {
          f.onDesktop = now;
          waiting--;
        }
      }
    } catch {
      // a busy database: the next poll
    }
  }, 15);
  try {
    const t0 = performance.now();
    for (let i = 0; i < files; i++) {
      const wait = t0 + i * everyMs - performance.now();
      if (wait > 0) await sleep(wait);
      const rel = `changes/p${i}.txt`;
      const f: Written = { rel, at: performance.now() };
      written.set(rel, f);
      waiting++;
      await writeFile(join(h.loc, rel), `change ${i}\n`);
    }
    const deadline = performance.now() + 30_000;
    while (waiting > 0 && performance.now() < deadline) await sleep(20);
  } finally {
    clearInterval(poll);
    aDb.close();
    bDb.close();
  }
  const all = [...written.values()];
  const line = (xs: number[]) => `p50 ${ms(quantile(xs, 0.5))}, p99 ${ms(quantile(xs, 0.99))}, max ${ms(Math.max(...xs))} (${xs.length} of ${all.length})`;
  console.log(`  anchor, listed in the laptop's own index: ${line(all.filter((f) => f.onLaptop !== undefined).map((f) => f.onLaptop! - f.at))}`);
  console.log(`  listed on the desktop:                   ${line(all.filter((f) => f.onDesktop !== undefined).map((f) => f.onDesktop! - f.at))}`);
  return all;
}

// ---------------------------------------------------------------------------------------------
// 2 and 4. Transfer, and the relay's cost

interface TransferRound { anchor: number; ours: number; anchorCost: RelayCost; oursCost: RelayCost }

/** CPU ms a second PIDS spend idle, over MS (a transfer's time counts their idle work too: taken off for a net figure). */
async function idleCpu(pids: number[], ms: number): Promise<number[]> {
  const before = pids.map((p) => procSample(p).ticks);
  await sleep(ms);
  return pids.map((p, i) => ((procSample(p).ticks - before[i]!) * 1000) / CLK_TCK / (ms / 1000));
}

async function benchTransfer(h: Homes, mib: number, runs: number): Promise<{ rounds: TransferRound[]; cliMs: number; idle: { daemon: number; bare: number } }> {
  console.log(`\n== 2. ${mib} MiB from the laptop to the desktop through the relay, ${runs} rounds ==`);
  const bytes = mib * MiB;
  const desk = join(h.loc, '..', 'desk');
  mkdirSync(desk, { recursive: true });
  // The anchor's own relay and two homes' nodes, beside the daemons (idle meanwhile).
  const relay = await bareNode(h.net.ns.relay, ['relay', String(ANCHOR_RELAY_PORT)]);
  const nodes: BareNode[] = [relay];
  try {
    const sender = await bareNode(h.net.ns.a, ['node']);
    nodes.push(sender);
    const receiver = await bareNode(h.net.ns.b, ['node']);
    nodes.push(receiver);
    await relay.ask({ allow: [sender.peerId, receiver.peerId] });
    await sender.ask({ allow: [relay.peerId, receiver.peerId] });
    await receiver.ask({ allow: [relay.peerId, sender.peerId] });
    const relayAddr = `/ip4/${h.net.addr.relay}/tcp/${ANCHOR_RELAY_PORT}/p2p/${relay.peerId}`;
    const { relayed } = await sender.ask<{ relayed: string[] }>({ reserve: relayAddr });
    const senderAt = relayed.find((a) => a.startsWith(relayAddr));
    if (!senderAt) throw new Error(`the bare sender got no address through the bare relay: ${JSON.stringify(relayed)}`);
    await sender.ask({ serve: h.big });
    // Connected before the rounds, as the daemons are.
    const dialled = await receiver.ask<{ path: string | null }>({ dial: senderAt });
    if (dialled.path !== 'relay') throw new Error(`the bare receiver reached the sender ${dialled.path}, not through the relay`);

    // What a CLI run costs on its own (a `content get` is one): process start, the socket, an answer.
    const cliRuns: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      await cliJson(h.desktop, ['daemon', 'status']);
      cliRuns.push(performance.now() - t);
    }

    const [idleDaemon, idleBare] = await idleCpu([h.relay.pid!, relay.pid], 3_000);
    console.log(`  idle, before: relay daemon ${num(idleDaemon!)} ms CPU a second, bare relay ${num(idleBare!)} ms`);
    const rounds: TransferRound[] = [];
    for (let i = 0; i < runs; i++) {
      const a = await relayCost(relay.pid, () => receiver.ask<{ ms: number }>({ pull: senderAt, bytes }, 300_000));
      if ((await reachedOf(h.desktop, 'Laptop')) !== 'relay') throw new Error('the desktop does not reach the laptop through the relay');
      const o = await relayCost(h.relay.pid!, async () => {
        const t = performance.now();
        const got = await cliJson<{ path: string; bytes_received: number; size: number }>(h.desktop, ['content', 'get', 'Laptop:/Loc/big.bin', '--to', desk]);
        const took = performance.now() - t;
        rmSync(got.path, { force: true });
        if (got.bytes_received !== bytes) throw new Error(`content get received ${got.bytes_received} bytes of ${bytes} over the network`);
        return took;
      });
      rounds.push({ anchor: a.value.ms, ours: o.value, anchorCost: a.cost, oursCost: o.cost });
      console.log(`  round ${i + 1}: bare stream ${ms(a.value.ms)} (${num(mib / (a.value.ms / 1000))} MiB/s), content get ${ms(o.value)} (${num(mib / (o.value / 1000))} MiB/s) = ${num((a.value.ms / o.value) * 100)}%; relay CPU per MiB: bare ${num(a.cost.cpuMs / mib)} ms, daemon ${num(o.cost.cpuMs / mib)} ms; relay peak RSS: bare ${num(a.cost.peakKB / 1024)} MiB (from ${num(a.cost.baseKB / 1024)}), daemon ${num(o.cost.peakKB / 1024)} MiB (from ${num(o.cost.baseKB / 1024)})`);
    }
    return { rounds, cliMs: median(cliRuns), idle: { daemon: idleDaemon!, bare: idleBare! } };
  } finally {
    for (const n of nodes.reverse()) await n.stop();
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const o = benchArgs('reach-bench [--runs N] [--mib M] [--connects N] [--files N] [--every-ms MS] [--keep]', {
    runs: { default: 3, min: 1 }, mib: { default: 256, min: 1 }, connects: { default: 5, min: 1 }, files: { default: 200, min: 1 }, 'every-ms': { default: 20, min: 0 },
  }, ['keep']);
  const skip = twoHomesSkipReason();
  if (skip) {
    console.log(`reach-bench skipped: ${skip}`);
    return;
  }
  const work = freshDir(tmpdir(), 'vss-reach-');
  let net: TwoHomes | undefined;
  const daemons: Device[] = [];
  // Ctrl-C or an exit anywhere: every bare node by its pid, the namespaces, the work dir (the
  // daemons: bench/library-daemons.ts ends each by its pid on exit).
  const leftovers = (): void => {
    for (const c of children) if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) {
      try { process.kill(c.pid, 'SIGKILL'); } catch { /* gone */ }
    }
    net?.remove();
    if (!o.keep) rmrf(work);
  };
  process.on('exit', leftovers);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));
  try {
    net = makeTwoHomes('rb', 239);
    console.log(`reach-bench: a relay box and two homes behind NAT (network namespaces); ${o.mib} MiB file`);
    const h = await setUp(net, work, o.mib, daemons);
    const connects = await benchConnect(h, o.connects);
    const prop = await benchPropagation(h, o.files, o['every-ms']);
    const transfer = await benchTransfer(h, o.mib, o.runs);

    const raw = connects.map((c) => c.raw);
    const daemon = connects.map((c) => c.daemon);
    const dial = connects.flatMap((c) => (c.listening === undefined ? [] : [c.daemon - c.listening]));
    const desk = prop.filter((f) => f.onDesktop !== undefined).map((f) => f.onDesktop! - f.at);
    const own = prop.filter((f) => f.onLaptop !== undefined).map((f) => f.onLaptop! - f.at);
    const lost = prop.length - desk.length;
    const t = transfer.rounds;
    const anchorRate = o.mib / (median(t.map((r) => r.anchor)) / 1000);
    const oursRate = o.mib / (median(t.map((r) => r.ours)) / 1000);
    const share = oursRate / anchorRate;
    const cpuOurs = median(t.map((r) => r.oursCost.cpuMs)) / o.mib;
    const cpuBare = median(t.map((r) => r.anchorCost.cpuMs)) / o.mib;
    // Less what each relay spends idle over the same time (the daemon's own upkeep, a longer window).
    const netOurs = median(t.map((r) => r.oursCost.cpuMs - (transfer.idle.daemon * r.ours) / 1000)) / o.mib;
    const netBare = median(t.map((r) => r.anchorCost.cpuMs - (transfer.idle.bare * r.anchor) / 1000)) / o.mib;
    const rssOurs = Math.max(...t.map((r) => Math.max(r.oursCost.peakKB || 0, r.oursCost.polledKB))) / 1024;
    const rssBare = Math.max(...t.map((r) => Math.max(r.anchorCost.peakKB || 0, r.anchorCost.polledKB))) / 1024;
    const rssOursBase = median(t.map((r) => r.oursCost.baseKB)) / 1024;

    console.log(`\n  (a CLI run on its own, \`daemon status\` on the desktop: ${ms(transfer.cliMs)}; a \`content get\` includes one)\n`);
    const summary = new Summary();
    summary.add({ what: `1. connect through the relay after daemon start, p50 (${daemon.length})`, value: ms(median(daemon)), ratio: `${num(median(daemon) / median(raw))}× bare dial`, target: '< 2 s', ok: median(daemon) < 2000 });
    summary.add({ what: '    max', value: ms(Math.max(...daemon)), ratio: '', target: '', ok: null });
    if (dial.length > 0) summary.add({ what: '    of it after the daemon\'s node listened, p50 / max', value: `${ms(median(dial))} / ${ms(Math.max(...dial))}`, ratio: '', target: '', ok: null });
    summary.add({ what: '    anchor: bare libp2p dial of the laptop\'s relayed address, p50 / max', value: `${ms(median(raw))} / ${ms(Math.max(...raw))}`, ratio: '', target: '', ok: null });
    summary.add({ what: `2. ${o.mib} MiB content get through the relay (median of ${t.length})`, value: `${num(oursRate)} MiB/s`, ratio: `${num(share * 100)}% of bare`, target: '≥ 80%', ok: share >= 0.8 });
    // The CLI's own start is in our time, not in the anchor's: what is left without it, as an estimate.
    const lessCli = o.mib / ((median(t.map((r) => r.ours)) - transfer.cliMs) / 1000);
    summary.add({ what: '    less one CLI run (`daemon status`), estimated', value: `${num(lessCli)} MiB/s`, ratio: `${num((lessCli / anchorRate) * 100)}% of bare`, target: '', ok: null });
    summary.add({ what: '    anchor: bare stream through a bare relay', value: `${num(anchorRate)} MiB/s`, ratio: '', target: '', ok: null });
    summary.add({ what: `3. change → listed on the desktop, p99 (${prop.length} files)`, value: ms(quantile(desk, 0.99)), ratio: `${num(quantile(desk, 0.99) / quantile(own, 0.99))}× own index`, target: '< 3 s, none lost', ok: quantile(desk, 0.99) < 3000 && lost === 0 });
    summary.add({ what: '    p50', value: ms(quantile(desk, 0.5)), ratio: `${num(quantile(desk, 0.5) / quantile(own, 0.5))}× own index`, target: '', ok: null });
    summary.add({ what: '    anchor: listed in the laptop\'s own index p50 / p99', value: `${ms(quantile(own, 0.5))} / ${ms(quantile(own, 0.99))}`, ratio: '', target: '', ok: null });
    summary.add({ what: '4. relay daemon CPU per MiB relayed', value: `${num(cpuOurs)} ms`, ratio: `${num(cpuOurs / cpuBare)}× bare relay`, target: '', ok: null });
    summary.add({ what: '    bare relay CPU per MiB relayed', value: `${num(cpuBare)} ms`, ratio: '', target: '', ok: null });
    summary.add({ what: '    less each relay\'s idle CPU over the same time: daemon / bare', value: `${num(netOurs)} / ${num(netBare)} ms`, ratio: `${num(netOurs / netBare)}×`, target: '', ok: null });
    summary.add({ what: '    relay daemon peak RSS during the transfers (idle before)', value: `${num(rssOurs)} MiB`, ratio: `idle ${num(rssOursBase)} MiB`, target: '', ok: null });
    summary.add({ what: '    bare relay peak RSS during the transfers', value: `${num(rssBare)} MiB`, ratio: '', target: '', ok: null });
    summary.print();
    const r1 = (x: number) => Math.round(x * 10) / 10;
    console.log(JSON.stringify({
      bench: 'reach',
      connect_ms: { daemon_p50: Math.round(median(daemon)), daemon_max: Math.round(Math.max(...daemon)), bare_p50: Math.round(median(raw)), bare_max: Math.round(Math.max(...raw)), rounds: daemon.length },
      transfer: { mib: o.mib, ours_mib_s: r1(oursRate), anchor_mib_s: r1(anchorRate), ratio: Math.round(share * 1000) / 1000, ours_less_cli_mib_s: r1(lessCli), cli_ms: Math.round(transfer.cliMs), rounds: t.length },
      propagation_ms: { p50: Math.round(quantile(desk, 0.5)), p99: Math.round(quantile(desk, 0.99)), max: Math.round(Math.max(...desk)), own_p99: Math.round(quantile(own, 0.99)), files: prop.length, lost },
      relay: { daemon_cpu_ms_per_mib: r1(cpuOurs), bare_cpu_ms_per_mib: r1(cpuBare), daemon_net_cpu_ms_per_mib: r1(netOurs), bare_net_cpu_ms_per_mib: r1(netBare), daemon_peak_rss_mib: r1(rssOurs), bare_peak_rss_mib: r1(rssBare) },
    }));
  } finally {
    await Promise.all(daemons.map((d) => stopDaemon(d)));
    for (const c of children) if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) process.kill(c.pid, 'SIGKILL');
    net?.remove();
    net = undefined;
    if (!o.keep) rmrf(work);
    else console.log(`kept ${work}`);
    process.off('exit', leftovers);
  }
}

runMain(import.meta.url, main);
