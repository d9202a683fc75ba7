/**
 * `node dist/bench/library-propagation-bench.js [--files N] [--burst N] [--trickle-ms MS] [--idle-seconds S]`
 *
 * Library sync (DESIGN §15) between two real daemons, as a user meets it: each device its own data
 * dir and daemon, started and paired through the real CLI (bench/library-daemons.ts); A watches
 * its location in content mode.
 *   (d) change propagation on loopback: N files (default 500) written into A's location — half in
 *       bursts of --burst, half one every --trickle-ms — each timed from its write to its row in
 *       B's `peer_entries` (what `vss ls A:/…` lists).                           target p99 < 2 s
 *       Anchor, the same files in the same run: their rows in A's own `entries` (A's watcher
 *       latency), so the ratio says what sync adds on top of indexing.
 *   (e) idle traffic between the two, synced, over --idle-seconds (default 60): each daemon in a
 *       network namespace of its own joined by a veth pair (test/net/netns.ts), every byte on
 *       the link counted by the kernel (`ip -s link`: rx + tx of A's end).       target < 1 KB/s
 *       Anchor: the same link with no daemon on it, before they start. Needs root; skipped with a
 *       message otherwise. What the idle bytes are (one packet capture on the veth): libp2p's
 *       connection monitor, from each side every 10 s, opens a stream for /ipfs/ping/1.0.0, which
 *       vss does not serve (refused, so ≈ 12 small frames; ≈ 360 B/s both ways), and mDNS
 *       queries and answers every 10 s (≈ 150 B/s). The periodic pull (every 5 min) falls
 *       outside a 60 s window; --idle-seconds 300 takes one in (≈ 14 KB, both ways).
 * Arrival is seen by polling both libraries' databases read-only every 15 ms (better-sqlite3),
 * not by `vss ls`: a CLI run costs a process start (≈ 0.3 s here), longer than the resolution
 * wanted and load on the daemons being timed; the rows polled are the ones `vss ls` lists, and
 * one `vss ls` at the end checks they agree.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { makeNetnsPair, netnsSkipReason } from '../test/net/netns.js';
import { procSample } from './daemon-procs.js';
import { cli, cliJson, device, libraryDb, pair, startDaemon, stopDaemon, waitFor, type Device } from './library-daemons.js';
import { Summary, benchArgs, freshDir, num, ratio, rmrf, runMain, secs } from './util.js';

const FOLDERS = 10;
const ms = (x: number) => secs(x / 1000);

function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
}

interface Pair {
  a: Device;
  b: Device;
  tree: string;
  locationId: number;
}

/** A library on A, both daemons up, A's folder TREE added in content mode (with SEED files), B paired and holding A's rows. */
async function twoDevices(dir: string, opts: { ns?: { a: string; b: string }; ip?: { a: string; b: string }; seed: number }): Promise<Pair> {
  const a = device('A', join(dir, 'a-data'), { ...(opts.ns ? { ns: opts.ns.a } : {}), ...(opts.ip ? { ip: opts.ip.a } : {}) });
  const b = device('B', join(dir, 'b-data'), { ...(opts.ns ? { ns: opts.ns.b } : {}), ...(opts.ip ? { ip: opts.ip.b } : {}) });
  const tree = join(dir, 'photos');
  for (let f = 0; f < FOLDERS; f++) mkdirSync(join(tree, `f${f}`), { recursive: true });
  for (let i = 0; i < opts.seed; i++) writeFileSync(join(tree, `f${i % FOLDERS}`, `seed${i}.txt`), `seed ${i}\n`);
  await cliJson(a, ['library', 'create', 'Home', '--path', join(dir, 'a-libs')]);
  // Named so `vss ls A:/…` finds it (both would otherwise bear this host's name).
  for (const d of [a, b]) await cliJson(d, ['device', 'rename', d.name]);
  await startDaemon(a);
  await startDaemon(b);
  const added = await cliJson<{ location_id: number }>(a, ['location', 'add', tree, '--name', 'Photos', '--mode', 'content']);
  await pair(a, b);
  const bDb = await waitFor('B\'s library after pairing', 30_000, async () => {
    const libs = await cliJson<unknown[]>(b, ['library', 'list']);
    return libs.length > 0 ? libraryDb(b) : undefined;
  }, 250);
  // Every seed file (and folder) of A listed on B: the backfill is done.
  await waitFor('A\'s rows on B', 60_000, () => {
    const db = openReadonly(bDb);
    if (!db) return undefined;
    try {
      const n = db.prepare("SELECT count(*) FROM peer_entries WHERE kind = 'file' AND content_id IS NOT NULL").pluck().get() as number;
      return n >= opts.seed ? true : undefined;
    } catch {
      return undefined; // the tables may not be there yet
    } finally {
      db.close();
    }
  }, 200);
  return { a, b, tree, locationId: added.location_id };
}

function openReadonly(path: string): Database.Database | undefined {
  try {
    return new Database(path, { readonly: true, fileMustExist: true });
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// (d) A file written on A → listed on B

interface Written {
  rel: string;
  burst: boolean;
  at: number;
  /** In A's entries (listed; with its content), in B's peer_entries (listed; with its content). */
  aListed?: number;
  aContent?: number;
  bListed?: number;
  bContent?: number;
}

async function benchPropagation(o: { files: number; burst: number; 'trickle-ms': number }, dir: string, summary: Summary): Promise<void> {
  const p = await twoDevices(join(dir, 'prop'), { seed: FOLDERS });
  try {
    const aDb = new Database(await libraryDb(p.a), { readonly: true, fileMustExist: true });
    const bDb = new Database(await libraryDb(p.b), { readonly: true, fileMustExist: true });
    const onA = aDb.prepare("SELECT rel_path AS rel, content_id IS NOT NULL AS c FROM entries WHERE location_id = ? AND kind = 'file'");
    const onB = bDb.prepare("SELECT dir_path || '/' || name AS rel, content_id IS NOT NULL AS c FROM peer_entries WHERE kind = 'file'");
    const files = new Map<string, Written>();
    let waiting = 0;
    const poll = setInterval(() => {
      if (waiting === 0) return;
      const now = performance.now();
      for (const r of onA.all(p.locationId) as Array<{ rel: string; c: number }>) {
        const f = files.get(r.rel);
        if (!f) continue;
        f.aListed ??= now;
        if (r.c) f.aContent ??= now;
      }
      for (const r of onB.all() as Array<{ rel: string; c: number }>) {
        const f = files.get(r.rel);
        if (!f || f.bListed !== undefined && f.bContent !== undefined) continue;
        f.bListed ??= now;
        if (r.c && f.bContent === undefined) {
          f.bContent = now;
          waiting--;
        }
      }
    }, 15);
    const write = async (rel: string, burst: boolean) => {
      const f: Written = { rel, burst, at: performance.now() };
      files.set(rel, f);
      waiting++;
      await writeFile(join(p.tree, rel), `propagation ${rel} ${f.at}\n`);
    };
    const allArrived = async (limitMs: number) => {
      const deadline = performance.now() + limitMs;
      while (waiting > 0 && performance.now() < deadline) await sleep(20);
      return waiting === 0;
    };
    try {
      const bursts = Math.max(1, Math.floor(o.files / 2 / o.burst));
      const trickle = Math.max(0, o.files - bursts * o.burst);
      const t0 = performance.now();
      for (let k = 0; k < bursts; k++) {
        for (let i = 0; i < o.burst; i++) await write(`f${k % FOLDERS}/b${k}-${i}.txt`, true);
        if (!(await allArrived(20_000))) break;
        await sleep(300);
      }
      const tTrickle = performance.now();
      for (let i = 0; i < trickle; i++) {
        const wait = tTrickle + i * o['trickle-ms'] - performance.now();
        if (wait > 0) await sleep(wait);
        await write(`f${i % FOLDERS}/t${i}.txt`, false);
      }
      await allArrived(30_000);
      const took = performance.now() - t0;

      const all = [...files.values()];
      const lost = all.filter((f) => f.bListed === undefined);
      const lat = (fs: Written[], k: 'aListed' | 'aContent' | 'bListed' | 'bContent') => fs.filter((f) => f[k] !== undefined).map((f) => f[k]! - f.at);
      const line = (xs: number[]) => `p50 ${ms(quantile(xs, 0.5))}, p99 ${ms(quantile(xs, 0.99))}, max ${ms(Math.max(...xs))} (${xs.length})`;
      const bursty = all.filter((f) => f.burst);
      const trickled = all.filter((f) => !f.burst);
      console.log(`\n== (d) change propagation: ${all.length} files (${bursts} bursts of ${o.burst}, then ${trickle} one every ${o['trickle-ms']} ms) in ${secs(took / 1000)} ==`);
      console.log(`  anchor, listed in A's own index:   ${line(lat(all, 'aListed'))}`);
      console.log(`  anchor, with its content on A:     ${line(lat(all, 'aContent'))}`);
      console.log(`  listed on B, bursts:               ${line(lat(bursty, 'bListed'))}`);
      console.log(`  listed on B, trickle:              ${line(lat(trickled, 'bListed'))}`);
      console.log(`  listed on B, all:                  ${line(lat(all, 'bListed'))}`);
      console.log(`  with its content on B, all:        ${line(lat(all, 'bContent'))}`);
      // What sync adds to each file: from its row (with content) on A to the same on B.
      const added = all.filter((f) => f.aContent !== undefined && f.bContent !== undefined).map((f) => f.bContent! - f.aContent!);
      console.log(`  added by sync (A's row → B's row): ${line(added)}`);
      if (lost.length > 0) console.log(`  NOT listed on B within the wait: ${lost.length} (${lost.slice(0, 5).map((f) => f.rel).join(', ')}…)`);

      // What the 15 ms polls saw is what `vss ls` lists.
      const listed = await cliJson<Array<{ name: string }>>(p.b, ['ls', 'A:/Photos/f0']);
      const expected = all.filter((f) => f.rel.startsWith('f0/')).map((f) => f.rel.slice(3));
      const missing = expected.filter((n) => !listed.some((e) => e.name === n));
      if (missing.length > 0) console.log(`  vss ls A:/Photos/f0 on B misses ${missing.length} of the files its database holds`);

      const bl = lat(all, 'bListed');
      const al = lat(all, 'aListed');
      summary.add({ what: `(d) written on A → listed on B, p99 (${all.length} files)`, value: ms(quantile(bl, 0.99)), ratio: `${ratio(quantile(bl, 0.99) / quantile(al, 0.99))} A's index`, target: '< 2 s, none lost', ok: quantile(bl, 0.99) < 2000 && lost.length === 0 && missing.length === 0 });
      summary.add({ what: '    p50', value: ms(quantile(bl, 0.5)), ratio: `${ratio(quantile(bl, 0.5) / quantile(al, 0.5))} A's index`, target: '', ok: null });
      summary.add({ what: '    anchor: listed in A\'s own index p50 / p99', value: `${ms(quantile(al, 0.5))} / ${ms(quantile(al, 0.99))}`, ratio: '', target: '', ok: null });
    } finally {
      clearInterval(poll);
      aDb.close();
      bDb.close();
    }
  } finally {
    await Promise.all([stopDaemon(p.a), stopDaemon(p.b)]);
  }
}

// ---------------------------------------------------------------------------------------------
// (e) Idle traffic between two synced devices

interface LinkBytes { rx: number; tx: number; rxPackets: number; txPackets: number }

function linkBytes(ns: string, dev: string): LinkBytes {
  const out = execFileSync('ip', ['-s', '-j', '-n', ns, 'link', 'show', 'dev', dev], { encoding: 'utf8' });
  const s = (JSON.parse(out) as Array<{ stats64: { rx: { bytes: number; packets: number }; tx: { bytes: number; packets: number } } }>)[0]!.stats64;
  return { rx: s.rx.bytes, tx: s.tx.bytes, rxPackets: s.rx.packets, txPackets: s.tx.packets };
}

/** Bytes and packets both ways on the link over SECONDS, sampled every 10 s to show what recurs. */
async function countLink(ns: string, dev: string, seconds: number): Promise<{ bytes: number; packets: number; toB: number; toA: number; steps: number[] }> {
  const first = linkBytes(ns, dev);
  const steps: number[] = [];
  let prev = first;
  const t0 = performance.now();
  for (let s = 10; s <= seconds; s += 10) {
    await sleep(t0 + s * 1000 - performance.now());
    const now = linkBytes(ns, dev);
    steps.push(now.rx + now.tx - prev.rx - prev.tx);
    prev = now;
  }
  if (seconds % 10 !== 0) {
    await sleep(t0 + seconds * 1000 - performance.now());
    const now = linkBytes(ns, dev);
    steps.push(now.rx + now.tx - prev.rx - prev.tx);
    prev = now;
  }
  return { bytes: prev.rx + prev.tx - first.rx - first.tx, packets: prev.rxPackets + prev.txPackets - first.rxPackets - first.txPackets, toB: prev.tx - first.tx, toA: prev.rx - first.rx, steps };
}

/** Wait until both daemons are quiet: at most 5 % of a core each for 3 s in a row (bounded). */
async function settle(devices: Device[], limitMs = 60_000): Promise<void> {
  const t0 = performance.now();
  let base = devices.map((d) => procSample(d.pid!).ticks);
  let quietSince = performance.now();
  while (performance.now() - t0 < limitMs) {
    await sleep(250);
    const ticks = devices.map((d) => procSample(d.pid!).ticks);
    if (ticks.some((t, i) => t - base[i]! > 5)) {
      base = ticks;
      quietSince = performance.now();
    } else if (performance.now() - quietSince >= 3000) {
      return;
    }
  }
}

async function benchIdle(o: { 'idle-seconds': number }, dir: string, summary: Summary): Promise<void> {
  const skip = netnsSkipReason();
  if (skip) {
    console.log(`\n== (e) idle traffic: skipped (${skip}) ==`);
    summary.add({ what: '(e) idle traffic between two synced devices', value: 'skipped', ratio: '', target: '< 1 KB/s', ok: null });
    return;
  }
  const net = makeNetnsPair('lq', 234);
  let p: Pair | undefined;
  try {
    // The anchor: what the link carries with nobody on it (the kernel's own, after link-up).
    await sleep(2000);
    const anchorSeconds = Math.min(20, o['idle-seconds']);
    const bare = await countLink(net.ns.a, net.veth.a, anchorSeconds);
    p = await twoDevices(join(dir, 'idle'), { ns: net.ns, ip: net.addr, seed: 200 });
    await settle([p.a, p.b]);
    const idle = await countLink(net.ns.a, net.veth.a, o['idle-seconds']);
    const rate = idle.bytes / o['idle-seconds'];
    const bareRate = bare.bytes / anchorSeconds;
    console.log(`\n== (e) idle traffic between two synced devices (two network namespaces, 200 files synced), ${o['idle-seconds']} s ==`);
    console.log(`  both ways: ${num(idle.bytes)} B in ${idle.packets} packets = ${num(rate)} B/s (A→B ${num(idle.toB)} B, B→A ${num(idle.toA)} B); per 10 s: ${idle.steps.join(' / ')} B`);
    console.log(`  anchor, the link with no daemon: ${num(bare.bytes)} B in ${bare.packets} packets over ${anchorSeconds} s = ${num(bareRate)} B/s`);
    const listed = await cli(p.b, ['ls', 'A:/Photos', '--json']);
    if (listed.code !== 0) console.log(`  (vss ls on B failed: ${listed.stderr.trim()})`);
    summary.add({ what: `(e) idle traffic, two synced devices, ${o['idle-seconds']} s`, value: `${num(rate)} B/s`, ratio: bareRate > 0 ? `${ratio(rate / bareRate)} bare link` : `bare link ${num(bareRate)} B/s`, target: '< 1 KB/s', ok: rate < 1024 });
  } finally {
    if (p) await Promise.all([stopDaemon(p.a), stopDaemon(p.b)]);
    net.remove();
  }
}

async function main(): Promise<void> {
  const o = benchArgs('library-propagation-bench [--files N] [--burst N] [--trickle-ms MS] [--idle-seconds S] [--no-idle] [--no-propagation]', {
    files: { default: 500, min: 2 }, burst: { default: 25, min: 1 }, 'trickle-ms': { default: 100, min: 0 }, 'idle-seconds': { default: 60, min: 10 },
  }, ['no-idle', 'no-propagation']);
  const dir = freshDir(tmpdir(), 'vss-libprop-');
  const summary = new Summary();
  try {
    if (!o['no-propagation']) await benchPropagation(o, dir, summary);
    if (!o['no-idle']) await benchIdle(o, dir, summary);
    console.log('');
    summary.print();
  } finally {
    rmrf(dir);
  }
}

runMain(import.meta.url, main);
