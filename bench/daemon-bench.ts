/**
 * `npm run bench:daemon` — the daemon (issue 9), measured as a user meets it: real daemons
 * started through the CLI (`node bin/vss --data-dir D daemon start`), each with its own temp
 * data dir, always stopped (`daemon stop`, then by pid). Every figure against an anchor measured
 * in the same run:
 *
 *   watch     a content location watched by the daemon; --files small files written into it, half
 *             in bursts of --burst (one folder each, the next burst once the last is indexed),
 *             half as a steady trickle (one every --trickle-ms ms, round-robin over 10 folders).
 *             Per file: from the start of its write until its entry has a content id in the
 *             library's database (read-only, polled every 15 ms). Anchor: a bare fs.watch in
 *             this process, for the same writes. Target p99 < 2 s.
 *   cli       `content list --json` and `location list --json` on a library of --contents files,
 *             median of --runs runs each, through the daemon against VSS_NO_DAEMON=1 (in-process).
 *   presence  POST sidecars/presence for --presence-contents contents × 3 thumb variants over HTTP:
 *             time to the first byte (the daemon's own answer) and the round trip, against the
 *             in-process stat path on the same library. Target < 20 ms for the daemon's answer.
 *   http      GETs of --thumbs 20 KB thumbnails by address (the files route), keep-alive, at
 *             --concurrency, against a plain Node static file server (its own process) over
 *             the same files with the same client. Target ≥ 0.8×.
 *   idle      a daemon on a --big content library (test/support/big-library.ts, its files made
 *             on disk): after it settles, RSS and CPU over --idle-seconds; anchor: a daemon on
 *             an empty library, sampled at the same time. With --as-built, also what a daemon
 *             does with the library as built (an empty location folder, no sidecar files).
 *
 * Naming parts (--watch --cli --presence --http --idle) runs only those.
 */
import { watch, type FSWatcher } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { mkdirSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { SidecarManager } from '../src/sidecars/manager.js';
import { PresenceIndex } from '../src/sidecars/presence-index.js';
import { sidecarAddress, sidecarRelPath } from '../src/sidecars/address.js';
import { buildBigLibrary } from '../test/support/big-library.js';
import { BENCH_VARIANTS, generateSidecarLibrary } from './sidecar-tree.js';
import { materializeBigLibrary } from './live-big-library.js';
import {
  CLK_TCK, type Daemon, REPO, followEvents, isIdleProgress, procSample, request, startDaemon, stopDaemon, vss, vssJson, waitSettled, withDaemon,
} from './daemon-procs.js';
import { MiB, Summary, benchArgs, collectGarbage, freshDir, kilo, median, num, ratio, rmrf, runMain, secs, timeSync } from './util.js';

const USAGE = 'daemon-bench [--files N] [--burst N] [--trickle-ms MS] [--contents N] [--runs R] [--presence-contents N] '
  + '[--thumbs N] [--requests N] [--rounds R] [--concurrency C] [--big N] [--idle-seconds S] '
  + '[--watch] [--cli] [--presence] [--http] [--idle] [--as-built] [--keep]';

type Opts = ReturnType<typeof parseOptions>;

function parseOptions() {
  return benchArgs(USAGE, {
    files: { default: 1000, min: 2 },
    burst: { default: 50, min: 1 },
    'trickle-ms': { default: 10, min: 0 },
    contents: { default: 3000, min: 1 },
    runs: { default: 7, min: 1 },
    'presence-contents': { default: 10_000, min: 1 },
    thumbs: { default: 3000, min: 3 },
    requests: { default: 6000, min: 100 },
    rounds: { default: 3, min: 1 },
    concurrency: { default: 16, min: 1 },
    big: { default: 100_000, min: 1000 },
    'idle-seconds': { default: 15, min: 3 },
  }, ['watch', 'cli', 'presence', 'http', 'idle', 'as-built', 'keep']);
}

/** The value at fraction Q of the sorted XS (nearest rank). */
function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

const ms = (x: number) => secs(x / 1000);

/** Make a library in DATA_DIR's device (current) under DIR, in-process (no daemon runs yet). */
async function createLibrary(dataDir: string, name: string, dir: string): Promise<{ id: string; path: string }> {
  return vssJson<{ id: string; path: string }>(['--data-dir', dataDir, 'library', 'create', name, '--path', dir]);
}

// ---------------------------------------------------------------------------------------------
// 1. Watcher latency

async function benchWatch(o: Opts, work: string, summary: Summary): Promise<void> {
  const dir = freshDir(work, 'watch-');
  const dataDir = join(dir, 'data');
  const tree = join(dir, 'tree');
  const FOLDERS = 10;
  const folders = Array.from({ length: FOLDERS }, (_, i) => join(tree, `f${i}`));
  for (const f of folders) mkdirSync(f, { recursive: true });
  const lib = await createLibrary(dataDir, 'Watch', dir);
  await withDaemon(dataDir, async (d) => {
    const added = await vssJson<{ location_id: number }>(['--data-dir', dataDir, 'location', 'add', tree, '--mode', 'content']);
    const settled = await waitSettled(d, { limitMs: 30_000 });
    console.log(`  daemon ${d.pid} watching ${tree} (settled in ${ms(settled.ms)})`);

    const db = new Database(join(lib.path, 'database.db'), { readonly: true, fileMustExist: true });
    const indexed = db.prepare("SELECT name FROM entries WHERE location_id = ? AND kind = 'file' AND content_id IS NOT NULL").pluck();
    interface File { name: string; folder: number; startAt: number; watchedAt?: number; indexedAt?: number; burst: boolean }
    const files = new Map<string, File>();
    let waiting = 0;
    const watchers: FSWatcher[] = folders.map((f) => watch(f, (_type, name) => {
      const file = name ? files.get(String(name)) : undefined;
      if (file && file.watchedAt === undefined) file.watchedAt = performance.now();
    }));
    const poll = setInterval(() => {
      if (waiting === 0) return;
      const now = performance.now();
      for (const name of indexed.all(added.location_id) as string[]) {
        const f = files.get(name);
        if (f && f.indexedAt === undefined) { f.indexedAt = now; waiting--; }
      }
    }, 15);
    const write = async (name: string, folder: number, burst: boolean) => {
      const f: File = { name, folder, startAt: performance.now(), burst };
      files.set(name, f);
      waiting++;
      await writeFile(join(folders[folder]!, name), `daemon bench ${name} ${f.startAt}\n`);
    };
    const allIndexed = async (limitMs: number) => {
      const deadline = performance.now() + limitMs;
      while (waiting > 0 && performance.now() < deadline) await sleep(20);
      return waiting === 0;
    };

    try {
      const bursts = Math.max(1, Math.floor(o.files / 2 / o.burst));
      const inBursts = bursts * o.burst;
      const trickle = Math.max(0, o.files - inBursts);
      const t0 = performance.now();
      for (let b = 0; b < bursts; b++) {
        for (let i = 0; i < o.burst; i++) await write(`b${b}-${i}.txt`, b % FOLDERS, true);
        if (!(await allIndexed(15_000))) break;
        await sleep(300);
      }
      const tTrickle = performance.now();
      for (let i = 0; i < trickle; i++) {
        const due = tTrickle + i * o['trickle-ms'];
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        await write(`t${i}.txt`, i % FOLDERS, false);
      }
      await allIndexed(30_000);
      const took = performance.now() - t0;

      const all = [...files.values()];
      const lost = all.filter((f) => f.indexedAt === undefined);
      const lat = (fs: File[]) => fs.filter((f) => f.indexedAt !== undefined).map((f) => f.indexedAt! - f.startAt);
      const watchLat = all.filter((f) => f.watchedAt !== undefined).map((f) => f.watchedAt! - f.startAt);
      const burstLat = lat(all.filter((f) => f.burst));
      const trickleLat = lat(all.filter((f) => !f.burst));
      const allLat = lat(all);
      const line = (xs: number[]) => `p50 ${ms(quantile(xs, 0.5))}, p99 ${ms(quantile(xs, 0.99))}, max ${ms(Math.max(...xs))} (${xs.length})`;
      console.log(`\n== Watcher latency: ${all.length} files (${bursts} bursts of ${o.burst}, then ${trickle} one every ${o['trickle-ms']} ms), ${secs(took / 1000)} ==`);
      console.log(`  anchor, fs.watch in this process:  ${line(watchLat)}${watchLat.length < all.length ? ` — ${all.length - watchLat.length} without an event` : ''}`);
      console.log(`  indexed by the daemon, bursts:     ${line(burstLat)}`);
      console.log(`  indexed by the daemon, trickle:    ${line(trickleLat)}`);
      console.log(`  indexed by the daemon, all:        ${line(allLat)}`);
      if (lost.length > 0) console.log(`  NOT indexed within the wait: ${lost.length} (${lost.slice(0, 5).map((f) => f.name).join(', ')}…)`);
      const p99 = quantile(allLat, 0.99);
      const w99 = quantile(watchLat, 0.99);
      summary.add({ what: `watch → indexed p99, ${all.length} files`, value: ms(p99), ratio: `${ratio(p99 / w99)} fs.watch`, target: '< 2 s, none lost', ok: p99 < 2000 && lost.length === 0 });
      summary.add({ what: 'watch → indexed p50 (bursts / trickle)', value: `${ms(quantile(burstLat, 0.5))} / ${ms(quantile(trickleLat, 0.5))}`, ratio: `${ratio(quantile(allLat, 0.5) / quantile(watchLat, 0.5))} fs.watch`, target: '', ok: null });
      summary.add({ what: 'anchor: fs.watch event p50 / p99', value: `${ms(quantile(watchLat, 0.5))} / ${ms(w99)}`, ratio: '', target: '', ok: null });
    } finally {
      clearInterval(poll);
      for (const w of watchers) w.close();
      db.close();
    }
  });
}

// ---------------------------------------------------------------------------------------------
// 2. The CLI through the daemon against in-process

async function benchCli(o: Opts, work: string, summary: Summary): Promise<void> {
  const dir = freshDir(work, 'cli-');
  const dataDir = join(dir, 'data');
  const tree = join(dir, 'tree');
  for (let i = 0; i < o.contents; i++) {
    const folder = join(tree, `d${Math.floor(i / 100)}`);
    if (i % 100 === 0) mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `file-${i}.txt`), `cli bench content ${i}\n`);
  }
  await createLibrary(dataDir, 'Cli', dir);
  const t = performance.now();
  await vssJson(['--data-dir', dataDir, 'location', 'add', tree, '--mode', 'content']);
  console.log(`\n== CLI through the daemon vs in-process: ${o.contents} contents (indexed in-process in ${secs((performance.now() - t) / 1000)}); median of ${o.runs} runs ==`);
  await withDaemon(dataDir, async (d) => {
    const settled = await waitSettled(d, { limitMs: 60_000 });
    console.log(`  daemon ${d.pid} settled in ${ms(settled.ms)}`);
    const commands = [['content', 'list', '--json'], ['location', 'list', '--json']];
    for (const args of commands) {
      const via: number[] = [];
      const inproc: number[] = [];
      let outVia = '';
      let outIn = '';
      // Alternated, so that load from elsewhere falls on both alike.
      for (let r = 0; r < o.runs + 1; r++) {
        const a = await vss(['--data-dir', dataDir, ...args]);
        const b = await vss(['--data-dir', dataDir, ...args], { VSS_NO_DAEMON: '1' });
        if (a.code !== 0 || b.code !== 0) throw new Error(`vss ${args.join(' ')}: ${a.stderr}${b.stderr}`);
        if (r === 0) { outVia = a.stdout; outIn = b.stdout; continue; } // the first of each warms the page cache
        via.push(a.ms);
        inproc.push(b.ms);
      }
      const same = outVia === outIn;
      const mv = median(via);
      const mi = median(inproc);
      const what = `vss ${args.slice(0, 2).join(' ')}`;
      console.log(`  ${what.padEnd(18)} through the daemon ${ms(mv)} [${via.map(ms).join(' / ')}]`);
      console.log(`  ${''.padEnd(18)} in-process        ${ms(mi)} [${inproc.map(ms).join(' / ')}]  = ${ratio(mv / mi)}; ${kilo(outVia.length)} bytes out, ${same ? 'identical' : 'DIFFERENT'} output`);
      summary.add({ what: `${what} --json, through the daemon`, value: ms(mv), ratio: `${ratio(mv / mi)} in-process`, target: 'same output', ok: same });
      summary.add({ what: `${what} --json, in-process (anchor)`, value: ms(mi), ratio: '', target: '', ok: null });
    }
  });
}

// ---------------------------------------------------------------------------------------------
// 3. Presence through the API

interface Presence { content_uuid: string; variant: string; local: boolean; status: string }

async function benchPresence(o: Opts, work: string, summary: Summary): Promise<void> {
  const dir = freshDir(work, 'presence-');
  const n = o['presence-contents'];
  const tree = generateSidecarLibrary(dir, 'Presence', n * BENCH_VARIANTS.length);
  const uuids = tree.contentUuids;
  const dataDir = join(dir, 'data-Presence');
  const libId = tree.lib.config.id;
  const libPath = tree.lib.root;
  const runs = Math.max(o.runs * 2, 9);
  let statS: number;
  let memS: number;
  let expected: unknown;
  // The anchors, in this process on the same library: the stat path, and the daemon's in-memory lookup alone.
  try {
    const manager = new SidecarManager(tree.lib);
    const index = new PresenceIndex(tree.lib);
    for (let r = 0; r < 5; r++) { manager.presence(uuids, 'thumb', BENCH_VARIANTS); index.presence(uuids, 'thumb', BENCH_VARIANTS); }
    const st: number[] = [];
    const mem: number[] = [];
    for (let r = 0; r < runs; r++) { collectGarbage(); st.push(timeSync(() => manager.presence(uuids, 'thumb', BENCH_VARIANTS)).s); }
    for (let r = 0; r < runs; r++) { collectGarbage(); mem.push(timeSync(() => index.presence(uuids, 'thumb', BENCH_VARIANTS)).s); }
    statS = median(st);
    memS = median(mem);
    expected = manager.presence(uuids, 'thumb', BENCH_VARIANTS);
    index.close();
  } finally {
    tree.lib.close();
  }
  await vssJson(['--data-dir', dataDir, 'library', 'open', libPath]);
  await withDaemon(dataDir, async (d) => {
    const settled = await waitSettled(d, { limitMs: 60_000 });
    const path = `/api/libraries/${libId}/sidecars/presence`;
    const body = { uuids, kind: 'thumb', variants: [...BENCH_VARIANTS] };
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await request(d, 'POST', path, body, agent);
      if (first.status !== 200) throw new Error(`presence: ${first.status} ${first.body.toString('utf8').slice(0, 300)}`);
      const got = JSON.parse(first.body.toString('utf8')) as Presence[];
      if (!isDeepStrictEqual(got, expected)) throw new Error('the daemon\'s presence answer differs from the in-process one');
      for (let r = 0; r < 4; r++) await request(d, 'POST', path, body, agent);
      const ttfb: number[] = [];
      const total: number[] = [];
      const parsed: number[] = [];
      const cpu0 = procSample(d.pid).ticks;
      for (let r = 0; r < runs; r++) {
        const a = await request(d, 'POST', path, body, agent);
        const p = timeSync(() => JSON.parse(a.body.toString('utf8')) as unknown);
        ttfb.push(a.firstByteMs);
        total.push(a.totalMs);
        parsed.push(a.totalMs + p.s * 1000);
      }
      const cpuMs = ((procSample(d.pid).ticks - cpu0) * 1000) / CLK_TCK / runs;
      // Where the daemon's time goes, redone here on the same data: reading the request body, writing the answer.
      const bodyText = JSON.stringify(body);
      const parseBody = median(Array.from({ length: 9 }, () => timeSync(() => JSON.parse(bodyText) as unknown).s));
      const stringify = median(Array.from({ length: 9 }, () => timeSync(() => JSON.stringify(got)).s));
      const answerBytes = first.body.length;
      const t = median(ttfb);
      const rt = median(parsed);
      const label = `${n} contents × ${BENCH_VARIANTS.length}`;
      console.log(`\n== Presence of ${label} through the HTTP API (daemon ${d.pid}, settled in ${ms(settled.ms)}); median of ${runs} ==`);
      console.log(`  anchor, in-process stat path:          ${secs(statS)}`);
      console.log(`  in-process in-memory lookup alone:     ${secs(memS)}`);
      console.log(`  daemon's answer (to the first byte):   ${ms(t)} [${ttfb.map(ms).join(' / ')}] = ${ratio(t / 1000 / statS)} the stat path`);
      console.log(`  round trip (last byte):                ${ms(median(total))}; with the client's JSON.parse ${ms(rt)} = ${ratio(rt / 1000 / statS)}`);
      console.log(`  daemon CPU per request:                ${ms(cpuMs)} (/proc, ${CLK_TCK} ticks/s)`);
      console.log(`  request ${kilo(bodyText.length)} bytes (JSON.parse here ${secs(parseBody)}), answer ${num(answerBytes / MiB)} MiB (JSON.stringify here ${secs(stringify)})`);
      summary.add({ what: `presence over HTTP, ${label}: daemon's answer`, value: ms(t), ratio: `${ratio(t / 1000 / statS)} stat path`, target: '< 20 ms', ok: t < 20 });
      summary.add({ what: 'presence over HTTP: round trip + client parse', value: ms(rt), ratio: `${ratio(rt / 1000 / statS)} stat path`, target: '', ok: null });
      summary.add({ what: 'presence in-process stat path (anchor)', value: secs(statS), ratio: '', target: '', ok: null });

      // The same states as a table (what a grid needs): no paths or devices in the answer.
      const tableBody = body;
      const tablePath = `/api/libraries/${libId}/sidecars/presence-table`;
      const firstTable = await request(d, 'POST', tablePath, tableBody, agent);
      const table = JSON.parse(firstTable.body.toString('utf8')) as { variants: string[]; rows: string[][] };
      const states = new Map((expected as Presence[]).map((p) => [`${p.content_uuid}|${p.variant}`, p.local ? 'local' : p.status]));
      for (const row of table.rows) table.variants.forEach((v, i) => {
        if (states.get(`${row[0]}|${v}`) !== row[i + 1]) throw new Error(`the table's ${row[0]} ${v} is ${row[i + 1]}, presence says ${states.get(`${row[0]}|${v}`)}`);
      });
      for (let r = 0; r < 4; r++) await request(d, 'POST', tablePath, tableBody, agent);
      const tableTtfb: number[] = [];
      const tableTotal: number[] = [];
      for (let r = 0; r < runs; r++) {
        const a = await request(d, 'POST', tablePath, tableBody, agent);
        tableTtfb.push(a.firstByteMs);
        tableTotal.push(a.totalMs + timeSync(() => JSON.parse(a.body.toString('utf8')) as unknown).s * 1000);
      }
      const tt = median(tableTtfb);
      console.log(`  as a table (presence-table):          ${ms(tt)} to the first byte, ${ms(median(tableTotal))} with the client's parse; answer ${num(firstTable.body.length / MiB)} MiB`);
      summary.add({ what: `presence over HTTP as a table, ${label}`, value: ms(tt), ratio: `${ratio(tt / 1000 / statS)} stat path`, target: '< 20 ms', ok: tt < 20 });
    } finally {
      agent.destroy();
    }
  });
}

// ---------------------------------------------------------------------------------------------
// 4. Thumbnails over HTTP

interface Load { reqPerS: number; mbPerS: number; errors: number; /** The server's CPU per request (/proc), µs. */ cpuUs: number }

/** REQUESTS GETs of URLS (cycled from a random start) at CONCURRENCY on one keep-alive agent, to the server PID listening on PORT. */
async function load(pid: number, port: number, urls: readonly string[], requests: number, concurrency: number, headers: Record<string, string>, size: number): Promise<Load> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let next = Math.floor(Math.random() * urls.length);
  let left = requests;
  let bytes = 0;
  let errors = 0;
  const one = (path: string) => new Promise<void>((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent, headers }, (res) => {
      let got = 0;
      res.on('data', (c: Buffer) => { got += c.length; });
      res.on('end', () => {
        if (res.statusCode !== 200 || got !== size) errors++;
        bytes += got;
        resolve();
      });
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  const t0 = performance.now();
  const cpu0 = procSample(pid).ticks;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (left-- > 0) await one(urls[next++ % urls.length]!);
  }));
  const s = (performance.now() - t0) / 1000;
  const cpuUs = ((procSample(pid).ticks - cpu0) / CLK_TCK / requests) * 1e6;
  agent.destroy();
  return { reqPerS: requests / s, mbPerS: bytes / MiB / s, errors, cpuUs };
}

async function startStaticServer(root: string): Promise<{ pid: number; port: number; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [join(REPO, 'dist', 'bench', 'static-file-server.js'), root], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (b: Buffer) => resolve(Number(b.toString().trim())));
    child.once('exit', (code) => reject(new Error(`the static server exited (${code})`)));
  });
  return {
    pid: child.pid!,
    port,
    stop: async () => {
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(5000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

async function benchHttp(o: Opts, work: string, summary: Summary): Promise<void> {
  const dir = freshDir(work, 'http-');
  const SIZE = 20_000;
  const tree = generateSidecarLibrary(dir, 'Thumbs', o.thumbs, SIZE);
  const libId = tree.lib.config.id;
  const root = tree.lib.root;
  const addresses = tree.contentUuids.flatMap((u) => BENCH_VARIANTS.map((v) => ({ u, v })));
  tree.lib.close();
  const dataDir = join(dir, 'data-Thumbs');
  await vssJson(['--data-dir', dataDir, 'library', 'open', root]);
  // The same files in the same order on both servers: by address on the daemon, by path on the static one.
  const daemonUrls = addresses.map(({ u, v }) => `/api/libraries/${libId}/sidecars/${u}/thumb/${encodeURIComponent(v)}`);
  const staticUrls = addresses.map(({ u, v }) => `/${sidecarRelPath(sidecarAddress(u, 'thumb', v)).split('/').map(encodeURIComponent).join('/')}`);
  const statik = await startStaticServer(root);
  try {
    await withDaemon(dataDir, async (d) => {
      const settled = await waitSettled(d, { limitMs: 60_000 });
      const auth = { authorization: `Bearer ${d.token}` };
      const c = o.concurrency;
      // Warm both (page cache, JIT, the daemon's statements).
      await load(statik.pid, statik.port, staticUrls, Math.min(2000, o.requests), c, {}, SIZE);
      await load(d.pid, d.port, daemonUrls, Math.min(2000, o.requests), c, auth, SIZE);
      const s: Load[] = [];
      const v: Load[] = [];
      for (let r = 0; r < o.rounds; r++) {
        s.push(await load(statik.pid, statik.port, staticUrls, o.requests, c, {}, SIZE));
        v.push(await load(d.pid, d.port, daemonUrls, o.requests, c, auth, SIZE));
      }
      const sr = median(s.map((x) => x.reqPerS));
      const vr = median(v.map((x) => x.reqPerS));
      const errors = [...s, ...v].reduce((a, x) => a + x.errors, 0);
      console.log(`\n== ${o.thumbs} thumbnails of ${kilo(SIZE)} bytes over HTTP, ${o.requests} GETs × ${o.rounds} rounds at concurrency ${c}, keep-alive (daemon ${d.pid}, settled in ${ms(settled.ms)}) ==`);
      console.log(`  anchor, plain Node static server: ${kilo(sr)} req/s, ${num(median(s.map((x) => x.mbPerS)))} MiB/s [${s.map((x) => kilo(x.reqPerS)).join(' / ')}]`);
      console.log(`  the daemon, by address:           ${kilo(vr)} req/s, ${num(median(v.map((x) => x.mbPerS)))} MiB/s [${v.map((x) => kilo(x.reqPerS)).join(' / ')}] = ${ratio(vr / sr)}`);
      const sc = median(s.map((x) => x.cpuUs));
      const vc = median(v.map((x) => x.cpuUs));
      console.log(`  server CPU per request (/proc):   static ${num(sc)} µs, the daemon ${num(vc)} µs = ${ratio(vc / sc)}`);
      if (errors > 0) console.log(`  ${errors} answers were not 200 with the whole file`);
      summary.add({ what: `thumbs over HTTP at ${c}: the daemon`, value: `${kilo(vr)} req/s, ${num(median(v.map((x) => x.mbPerS)))} MiB/s`, ratio: `${ratio(vr / sr)} static`, target: '≥ 0.8×, no errors', ok: vr / sr >= 0.8 && errors === 0 });
      summary.add({ what: 'thumbs over HTTP: the daemon\'s CPU per request', value: `${num(vc)} µs`, ratio: `${ratio(vc / sc)} static`, target: '', ok: null });
      summary.add({ what: 'thumbs over HTTP: static server (anchor)', value: `${kilo(sr)} req/s, ${num(sc)} µs CPU/req`, ratio: '', target: '', ok: null });
    });
  } finally {
    await statik.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// 5. An idle daemon on a big library

interface Idle { rssMiB: number; rssMaxMiB: number; cpuPct: number; events: number; idleProgress: number }

async function sampleIdle(daemons: Daemon[], seconds: number): Promise<Idle[]> {
  const counts = daemons.map(() => 0);
  const idleProgress = daemons.map(() => 0);
  const follows = daemons.map((d, i) => followEvents(d, (e) => {
    if (isIdleProgress(e)) idleProgress[i]!++;
    else counts[i]!++;
  }));
  await Promise.all(follows.map((f) => f.connected));
  const t0 = performance.now();
  const start = daemons.map((d) => procSample(d.pid).ticks);
  const rss: number[][] = daemons.map(() => []);
  try {
    while (performance.now() - t0 < seconds * 1000) {
      await sleep(1000);
      daemons.forEach((d, i) => rss[i]!.push(procSample(d.pid).rssKB / 1024));
    }
  } finally {
    for (const f of follows) f.stop();
  }
  const s = (performance.now() - t0) / 1000;
  return daemons.map((d, i) => ({
    rssMiB: median(rss[i]!), rssMaxMiB: Math.max(...rss[i]!),
    cpuPct: (((procSample(d.pid).ticks - start[i]!) / CLK_TCK) / s) * 100, events: counts[i]!, idleProgress: idleProgress[i]!,
  }));
}

function libraryCounts(dbPath: string): string {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const one = (sql: string) => (db.prepare(sql).pluck().get() as number);
    const sidecars = (db.prepare('SELECT status, COUNT(*) AS n FROM sidecars GROUP BY status').all() as Array<{ status: string; n: number }>).map((r) => `${r.status} ${r.n}`).join(', ');
    const jobs = (db.prepare('SELECT status, COUNT(*) AS n FROM jobs GROUP BY status').all() as Array<{ status: string; n: number }>).map((r) => `${r.status} ${r.n}`).join(', ');
    return `${one("SELECT COUNT(*) FROM entries WHERE kind = 'file'")} file entries, ${one('SELECT COUNT(*) FROM content_identities')} contents; sidecars: ${sidecars || 'none'}; jobs: ${jobs || 'none'}`;
  } finally {
    db.close();
  }
}

async function benchIdle(o: Opts, work: string, summary: Summary): Promise<void> {
  const dir = freshDir(work, 'idle-');
  const bigDir = join(dir, 'big');
  const t0 = performance.now();
  const big = buildBigLibrary(bigDir, { contents: o.big });
  const built = (performance.now() - t0) / 1000;
  const dbPath = join(big.lib.root, 'database.db');
  const t1 = performance.now();
  const made = materializeBigLibrary(big.lib, big.locationId, join(bigDir, 'photos'));
  const madeS = (performance.now() - t1) / 1000;
  big.lib.close();
  const emptyData = join(dir, 'empty', 'data');
  mkdirSync(join(dir, 'empty'), { recursive: true });
  await createLibrary(emptyData, 'Empty', join(dir, 'empty'));
  console.log(`\n== An idle daemon: ${kilo(o.big)} contents (built in ${secs(built)}, ${kilo(made.files)} files and ${kilo(made.sidecars)} sidecar files made in ${secs(madeS)}) vs an empty library ==`);

  const daemons: Daemon[] = [];
  try {
    const empty = await startDaemon(emptyData);
    daemons.push(empty);
    const full = await startDaemon(big.dataDir);
    daemons.push(full);
    const [se, sf] = await Promise.all([waitSettled(empty, { limitMs: 60_000 }), waitSettled(full, { limitMs: 240_000 })]);
    console.log(`  settled: empty in ${ms(se.ms)}, ${kilo(o.big)} in ${ms(sf.ms)} (${sf.events} events)${sf.settled ? '' : ' — NOT settled within the limit'}`);
    console.log(`  after the start-up rescan and reconcile: ${libraryCounts(dbPath)}`);
    const [ie, iff] = await sampleIdle([empty, full], o['idle-seconds']);
    for (const [what, x] of [['empty library (anchor)', ie!], [`${kilo(o.big)} contents`, iff!]] as const) {
      console.log(`  ${what.padEnd(24)} RSS ${num(x.rssMiB)} MiB (max ${num(x.rssMaxMiB)}), CPU ${num(x.cpuPct)} % of one core; in ${o['idle-seconds']} s ${x.events} events and ${x.idleProgress} jobs:progress saying nothing is queued or running`);
    }
    const cpuRatio = ie!.cpuPct > 0 ? `${ratio(iff!.cpuPct / ie!.cpuPct)} empty` : '(empty: 0)';
    summary.add({ what: `idle daemon, ${kilo(o.big)} contents: RSS`, value: `${num(iff!.rssMiB)} MiB`, ratio: `${ratio(iff!.rssMiB / ie!.rssMiB)} empty`, target: '', ok: null });
    summary.add({ what: `idle daemon, ${kilo(o.big)} contents: CPU`, value: `${num(iff!.cpuPct)} %`, ratio: cpuRatio, target: '< 1 % (near 0)', ok: iff!.cpuPct < 1 });
    summary.add({ what: 'idle daemon, empty library (anchor)', value: `${num(ie!.rssMiB)} MiB, ${num(ie!.cpuPct)} %`, ratio: '', target: '', ok: null });
  } finally {
    for (const d of daemons) await stopDaemon(d);
  }

  if (!o['as-built']) return;
  // The library exactly as buildBigLibrary leaves it: what does a daemon make of it?
  const rawDir = join(dir, 'raw');
  const raw = buildBigLibrary(rawDir, { contents: o.big });
  const rawDb = join(raw.lib.root, 'database.db');
  raw.lib.close();
  await withDaemon(raw.dataDir, async (d) => {
    // Quiet for longer than the ten seconds after which contents with no copy left are released.
    const s = await waitSettled(d, { windowMs: 12_000, limitMs: 300_000 });
    console.log(`  as built (empty location folder, no sidecar files): settled in ${ms(s.ms)} with ${kilo(s.events)} events${s.settled ? '' : ' (NOT settled)'}; then ${libraryCounts(rawDb)}`);
    const [x] = await sampleIdle([d], o['idle-seconds']);
    console.log(`  as built, idle: RSS ${num(x!.rssMiB)} MiB, CPU ${num(x!.cpuPct)} %, ${x!.events} events (+${x!.idleProgress} idle jobs:progress)`);
  });
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const o = parseOptions();
  const parts = { watch: benchWatch, cli: benchCli, presence: benchPresence, http: benchHttp, idle: benchIdle } as const;
  const named = (Object.keys(parts) as Array<keyof typeof parts>).filter((k) => o[k]);
  const chosen = named.length > 0 ? named : (Object.keys(parts) as Array<keyof typeof parts>);
  const work = freshDir(tmpdir(), 'vss-daemon-bench-');
  const summary = new Summary();
  const t0 = performance.now();
  try {
    for (const k of chosen) await parts[k](o, work, summary);
  } finally {
    if (!o.keep) rmrf(work);
    else console.log(`kept ${work}`);
  }
  console.log(`\n(${secs((performance.now() - t0) / 1000)} in all)\n`);
  summary.print();
}

runMain(import.meta.url, main);
