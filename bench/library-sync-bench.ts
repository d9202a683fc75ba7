/**
 * `node dist/bench/library-sync-bench.js [--small N] [--large M] [--big-folder F] [--runs R] [--no-large]`
 *
 * Library sync (DESIGN §15) between two real libraries over a real libp2p stream on loopback (two
 * PeerNodes, TCP + Noise + Yamux; the owner a process of its own, bench/library-sync-owner.ts, so
 * the two sides run side by side as on two machines): a device pulls the owner's rows from nothing — the owner reads
 * its folders and listings a page at a time and encodes them, the pages cross the stream, the
 * puller checks every row and applies each page in one transaction with its cursor. Timed from
 * the request to the last commit:
 *   (a) a backfill of N entries (default 100k)            target < 5 s and ≤ 2× the anchor
 *   (b) a backfill of M entries (default 1M)              target < 60 s and ≤ 2× the anchor; RSS < 400 MB
 *   (c) `ls` of a remote folder of F entries (default 10k) target < 100 ms
 * Anchor of (a) and (b), measured in the same run: the same pages' bytes over a bare libp2p stream
 * of the same connection (length-prefixed, no MessagePack decode, no checks, no acks) plus plain
 * INSERTs of the same rows as they come (prepared, one transaction) into tables keyed as the rows
 * name themselves: a content by its uuid, an entry by its folder and name with an index of its
 * content's uuid (what library sync stored before migration 016 numbered the contents). The
 * anchor of (c) is a plain SELECT of the same rows.
 * The owner's rows are seeded through its stores (folders of 100 files, each its own content).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { decode, encode } from '@msgpack/msgpack';
import Database from 'better-sqlite3';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { lpStream } from '@libp2p/utils';
import { listFolder } from '../src/browse/library-view.js';
import { contentUuidFor } from '../src/content/identity.js';
import { Installation } from '../src/library/installation.js';
import type { Library } from '../src/library/library.js';
import { ownerChanges } from '../src/sync/library/owner-changes.js';
import { pullLibrary } from '../src/sync/library/exchange.js';
import { PeerLibrary } from '../src/sync/library/peer-library.js';
import { PeerNode } from '../src/sync/net/peer-node.js';
import type { RemoteDevice } from '../src/sync/peer-link.js';
import { devicePeerKey, peerIdOfPublicKey } from '../src/sync/net/device-key.js';
import type { PageOut } from '../src/sync/library/owner-changes.js';
import type { EntryFacts } from '../src/store/entries.js';
import { Summary, benchArgs, collectGarbage, freshDir, median, mb, num, ratio, rmrf, runMain, secs } from './util.js';

const FILES_PER_FOLDER = 100;
const casOf = (i: number) => ((i * 2654435761) >>> 0).toString(16).padStart(8, '0') + i.toString(16).padStart(56, '0');

interface Bench {
  dir: string;
  ownerData: string;
  ownerRoot: string;
  /** Open in this process while it is seeded; the owner process opens it otherwise. */
  owner: Library | null;
  puller: Library;
  pullerNode: PeerNode;
  peers: PeerLibrary;
  ownerRemote: RemoteDevice;
  locationId: number;
  rootId: number;
  child: { proc: ChildProcess; addr: string } | null;
}

async function setUp(dir: string): Promise<Bench> {
  const ownerData = join(dir, 'a-data');
  const owner = new Installation({ dataDir: ownerData }).createLibrary('Home', join(dir, 'a'));
  const ownerRoot = owner.root;
  const pullerData = join(dir, 'b-data');
  const puller = new Installation({ dataDir: pullerData }).createLibrary('Home', join(dir, 'b'));
  (puller.config as { id: string }).id = owner.config.id;
  const ownerPeer = peerIdOfPublicKey(owner.device.publicKey);
  const pullerNode = await PeerNode.start({ privateKey: await devicePeerKey(pullerData), listen: ['/ip4/127.0.0.1/tcp/0'], admit: (p) => p === ownerPeer, isPaired: (p) => p === ownerPeer });
  const store = owner.store;
  const locationId = store.locations.insert({ uuid: '6d1d3c55-0000-4000-8000-000000000001', device_id: owner.deviceId, name: 'Photos', path: join(dir, 'photos'), kind: 'disk', index_mode: 'content', ignore_rules: '[]', generation: null });
  const rootId = store.entries.insertRoot(locationId, 'photos', 1, 0);
  return {
    dir, ownerData, ownerRoot, owner, puller, pullerNode, locationId, rootId, child: null,
    peers: new PeerLibrary(puller),
    ownerRemote: { deviceUuid: owner.device.uuid, peerId: ownerPeer, name: owner.device.name, libraryIds: [owner.config.id], publicKey: owner.device.publicKey },
  };
}

/** Write the owner's full pull as frames for the anchor's bare stream, close the library here and start the owner process. */
async function startOwner(b: Bench): Promise<{ frames: number; bytes: number }> {
  const owner = b.owner!;
  const bareFile = join(b.dir, 'bare.bin');
  const fd = openSync(bareFile, 'w');
  let frames = 0;
  let bytes = 0;
  for (const page of ownerChanges(owner, { epoch: null, seq: 0 }).pages()) {
    const body = encode({ t: 'page', ...page });
    const len = Buffer.alloc(4);
    len.writeUInt32BE(body.byteLength);
    writeSync(fd, len);
    writeSync(fd, body);
    frames++;
    bytes += body.byteLength;
  }
  closeSync(fd);
  owner.close();
  b.owner = null;
  const script = fileURLToPath(new URL('./library-sync-owner.js', import.meta.url));
  const proc = spawn(process.execPath, [script, b.ownerData, b.ownerRoot, b.pullerNode.peerId, b.puller.device.uuid, bareFile], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('the owner process said nothing in 30 s')), 30_000);
    createInterface({ input: proc.stdout! }).once('line', (l) => {
      clearTimeout(t);
      resolve(l);
    });
    proc.once('exit', (code) => reject(new Error(`the owner process exited ${code}`)));
  });
  b.child = { proc, addr: (JSON.parse(line) as { ready: { addr: string } }).ready.addr };
  return { frames, bytes };
}

async function stopOwner(b: Bench): Promise<void> {
  const child = b.child;
  if (!child) return;
  b.child = null;
  const exited = new Promise((r) => child.proc.once('exit', r));
  child.proc.stdin!.end();
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (child.proc.exitCode === null) child.proc.kill('SIGKILL');
}

/** The owner process's resident memory now (bytes), from /proc. */
function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** The owner's files FROM..TO-1 in folders of 100 at the location's top, each its own content (setup, not timed). */
function seed(b: Bench, from: number, to: number): void {
  for (let at = from; at < to; at += FILES_PER_FOLDER * 50) {
    b.owner!.store.transaction(() => {
      for (let f = at; f < Math.min(to, at + FILES_PER_FOLDER * 50); f += FILES_PER_FOLDER) {
        const name = `d${f / FILES_PER_FOLDER}`;
        addFiles(b, addFolder(b, name, f), name, f, Math.min(FILES_PER_FOLDER, to - f));
      }
    });
  }
}

/** One folder NAME at the location's top holding N files from FROM on. */
function seedFolder(b: Bench, name: string, from: number, n: number): void {
  b.owner!.store.transaction(() => addFiles(b, addFolder(b, name, from), name, from, n));
}

function addFolder(b: Bench, name: string, inode: number): number {
  const [id] = b.owner!.store.entries.insertMany(b.locationId, [{ parent_id: b.rootId, name, rel_path: name, kind: 'dir', size: 0, inode: 1_000_000_000 + inode, mtime_ms: Date.now(), link_target: null }]);
  return id!;
}

function addFiles(b: Bench, dirId: number, dirPath: string, from: number, n: number): void {
  const { store } = b.owner!;
  const now = Date.now();
  const facts: EntryFacts[] = [];
  for (let i = from; i < from + n; i++) {
    const name = `IMG_${String(i).padStart(7, '0')}.JPG`;
    facts.push({ parent_id: dirId, name, rel_path: `${dirPath}/${name}`, kind: 'file', size: 1000 + i, inode: i + 2, mtime_ms: now, link_target: null });
  }
  const ids = store.entries.insertMany(b.locationId, facts);
  store.contents.addMany(facts.map((x, k) => ({ uuid: contentUuidFor(casOf(from + k)), cas_id: casOf(from + k), cas_version: 1, kind: 'image', mime: 'image/jpeg', size: x.size })), now);
  store.entries.linkContents(facts.map((x, k) => ({ file: { id: ids[k]!, name: x.name, rel_path: x.rel_path, size: x.size, inode: x.inode, mtime_ms: x.mtime_ms }, uuid: contentUuidFor(casOf(from + k)) })), now);
}

/**
 * The anchor: the pull's page bytes over a bare stream from the owner process, then the same rows
 * inserted plainly. The rows are decoded from the same bytes a page at a time as they are inserted,
 * and the decoding is left out of the time (a bare stream decodes nothing).
 */
async function anchor(b: Bench, frames: number, bytes: number, db: Database.Database): Promise<number> {
  db.exec('DELETE FROM e; DELETE FROM c;');
  const putE = db.prepare('INSERT INTO e VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)');
  const putC = db.prepare('INSERT OR REPLACE INTO c VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const owner = b.ownerRemote.deviceUuid;
  const t0 = performance.now();
  const stream = await b.pullerNode.open(b.child!.addr, 'fetch');
  const lp = lpStream(stream, { maxDataLength: 64 * 1024 * 1024, maxBufferSize: 1024 * 1024 * 1024 });
  let got = 0;
  for (let i = 0; i < frames; i++) got += (await lp.read()).byteLength;
  await stream.close();
  let decoding = 0;
  db.transaction(() => {
    for (const frame of framesOf(b.dir)) {
      const d0 = performance.now();
      const page = decode(frame) as PageOut;
      decoding += performance.now() - d0;
      for (const f of page.folders) for (const r of f.entries) putE.run(owner, f.location, f.path, r[0], r[1], r[2], r[3], r[4]);
      for (const c of page.contents) putC.run(owner, c[0], c[1], c[2], c[3], c[4], c[5], c[6]);
    }
  })();
  const ms = performance.now() - t0 - decoding;
  if (got !== bytes) throw new Error(`the anchor stream brought ${got} bytes of ${bytes}`);
  return ms;
}

/** The bare file's frames, one at a time. */
function* framesOf(dir: string): Generator<Uint8Array> {
  const buf = readFileSync(join(dir, 'bare.bin'));
  for (let at = 0; at < buf.length;) {
    const n = buf.readUInt32BE(at);
    yield buf.subarray(at + 4, at + 4 + n);
    at += 4 + n;
  }
}

/** With VSS_BENCH_PROFILE=PREFIX: the first timed pull's CPU profile of this (the puller's) process, for a look at where its time goes. */
async function startProfile(): Promise<(file: string) => Promise<void>> {
  const { Session } = await import('node:inspector/promises');
  const { writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async (file) => {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}

async function main(): Promise<void> {
  const o = benchArgs('library-sync-bench [--small N] [--large M] [--big-folder F] [--runs R] [--no-large]', {
    small: { default: 100_000, min: 100 }, large: { default: 1_000_000, min: 100 }, 'big-folder': { default: 10_000, min: 1 }, runs: { default: 3, min: 1 },
  }, ['no-large']);
  const dir = freshDir(tmpdir(), 'vss-libsync-');
  const summary = new Summary();
  const b = await setUp(dir);
  const anchorDb = new Database(join(dir, 'anchor.sqlite'));
  anchorDb.pragma('journal_mode = WAL');
  anchorDb.pragma('synchronous = NORMAL');
  anchorDb.pragma('cache_size = -32000'); // as a library's connection has
  anchorDb.exec(`CREATE TABLE e (device_uuid TEXT NOT NULL, location_id INTEGER NOT NULL, dir_path TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL,
      size INTEGER NOT NULL, mtime_ms REAL, content_uuid TEXT, pull INTEGER NOT NULL, PRIMARY KEY (device_uuid, location_id, dir_path, name)) WITHOUT ROWID;
    CREATE INDEX e_by_content ON e(content_uuid) WHERE content_uuid IS NOT NULL;
    CREATE TABLE c (device_uuid TEXT NOT NULL, content_uuid TEXT NOT NULL, cas_id TEXT NOT NULL, cas_version INTEGER NOT NULL, kind TEXT NOT NULL,
      mime TEXT NOT NULL, size INTEGER NOT NULL, media_metadata TEXT, PRIMARY KEY (content_uuid, device_uuid)) WITHOUT ROWID;`);
  const fresh = () => b.peers.removeDevice(b.ownerRemote.deviceUuid);
  const pull = async () => pullLibrary(await b.pullerNode.open(b.child!.addr, 'feed'), b.peers, b.ownerRemote, b.puller.config.id);
  try {
    let have = 0;
    const sizes: Array<[string, number, number]> = [['(a) backfill', o.small, 5]];
    if (!o['no-large']) sizes.push(['(b) backfill', o.large, 60]);
    for (const [label, n, target] of sizes) {
      await stopOwner(b);
      b.owner ??= new Installation({ dataDir: b.ownerData }).openLibrary(b.ownerRoot);
      console.log(`seeding the owner to ${num(n)} files…`);
      seed(b, have, n);
      have = n;
      const { frames, bytes } = await startOwner(b);
      await pull(); // connection, identify and the JIT warmed
      const runs = n >= 1_000_000 ? Math.min(o.runs, 2) : o.runs;
      const times: number[] = [];
      const anchors: number[] = [];
      const cpu: number[] = [];
      let peakPuller = 0;
      let peakOwner = 0;
      for (let r = 0; r < runs; r++) {
        fresh();
        // Forgetting a million rows holds this thread for seconds: a connection left idle meanwhile
        // may be gone, so each timed pull dials anew (a few ms, in the time).
        await b.pullerNode.hangUp(b.ownerRemote.peerId);
        collectGarbage();
        const ownerPid = b.child!.proc.pid!;
        const sampler = setInterval(() => {
          peakPuller = Math.max(peakPuller, process.memoryUsage().rss);
          peakOwner = Math.max(peakOwner, rssOf(ownerPid));
        }, 50);
        let got;
        try {
          const profile = r === 0 && process.env.VSS_BENCH_PROFILE ? await startProfile() : undefined;
          const c0 = process.cpuUsage();
          const t0 = performance.now();
          got = await pull().catch((err: unknown) => { throw new Error(`the pull failed: ${String((err as Error).message ?? err)}`, { cause: err }); });
          times.push(performance.now() - t0);
          const c = process.cpuUsage(c0);
          cpu.push((c.user + c.system) / 1e6);
          if (profile) await profile(`${process.env.VSS_BENCH_PROFILE}-${n}.cpuprofile`);
        } finally {
          clearInterval(sampler);
        }
        if (!got.full || got.entries !== n + Math.ceil(n / FILES_PER_FOLDER)) throw new Error(`the backfill brought ${got.entries} entries, not ${n} files and their folders`);
        collectGarbage();
        anchors.push(await anchor(b, frames, bytes, anchorDb).catch((err: unknown) => { throw new Error(`the anchor failed: ${String((err as Error).message ?? err)}`, { cause: err }); }));
      }
      const t = median(times) / 1000;
      const a = median(anchors) / 1000;
      console.log(`${label} of ${num(n)} files (${num(Math.ceil(n / FILES_PER_FOLDER))} folders, ${frames} pages, ${mb(bytes)}): ${secs(t)} [${times.map((x) => secs(x / 1000)).join(' / ')}]; anchor ${secs(a)} [${anchors.map((x) => secs(x / 1000)).join(' / ')}]; peak RSS puller ${mb(peakPuller)}, owner ${mb(peakOwner)}; puller CPU ${cpu.map((x) => secs(x)).join(' / ')}`);
      summary.add({ what: `${label}, ${num(n)} entries`, value: secs(t), ratio: `${ratio(t / a)} anchor`, target: `< ${target} s, ≤ 2× anchor`, ok: t < target && t / a <= 2 });
      if (n >= 1_000_000) summary.add({ what: '    peak RSS, owner / puller', value: `${mb(peakOwner)} / ${mb(peakPuller)}`, ratio: '', target: '< 400 MB each', ok: peakOwner < 400 * 1024 * 1024 && peakPuller < 400 * 1024 * 1024 });
    }

    // (c) ls of a remote folder of F entries: the owner adds it, the puller takes the delta.
    await stopOwner(b);
    b.owner ??= new Installation({ dataDir: b.ownerData }).openLibrary(b.ownerRoot);
    seedFolder(b, 'big', 50_000_000, o['big-folder']);
    await startOwner(b);
    const delta = await pull();
    console.log(`delta with a new folder of ${num(o['big-folder'])} files: ${secs(delta.ms / 1000)} (${num(delta.entries)} entries: the folder, and the listing it was added to)`);
    const address = `${b.ownerRemote.deviceUuid}:/Photos/big`;
    const lsTimes: number[] = [];
    const plainTimes: number[] = [];
    const plain = b.puller.db.prepare('SELECT * FROM peer_entries WHERE device_uuid = ? AND location_id = ? AND dir_path = ? ORDER BY name');
    for (let r = 0; r < 7; r++) {
      let t0 = performance.now();
      const items = listFolder(b.puller, address, new Set());
      lsTimes.push(performance.now() - t0);
      if (items.length !== o['big-folder']) throw new Error(`ls listed ${items.length} entries`);
      t0 = performance.now();
      plain.all(b.ownerRemote.deviceUuid, b.locationId, 'big');
      plainTimes.push(performance.now() - t0);
    }
    const ls = median(lsTimes);
    const sel = median(plainTimes);
    console.log(`(c) ls DEVICE:/Photos/big: ${ls.toFixed(1)} ms [${lsTimes.map((x) => x.toFixed(1)).join(' / ')}]; a plain SELECT of the same rows ${sel.toFixed(1)} ms`);
    summary.add({ what: `(c) ls of a remote folder, ${num(o['big-folder'])} entries`, value: `${ls.toFixed(1)} ms`, ratio: `${ratio(ls / sel)} SELECT`, target: '< 100 ms', ok: ls < 100 });
    summary.print();
  } finally {
    anchorDb.close();
    await stopOwner(b);
    b.owner?.close();
    await b.pullerNode.stop();
    b.puller.close();
    rmrf(dir);
  }
}

runMain(import.meta.url, main);
