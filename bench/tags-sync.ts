/**
 * bench/tags-bench.ts (a): N tag assignments made on device A synced to device B over
 * the shared-data feed (/vss/feed/1.0.0) — two real libraries, two PeerNodes (TCP + Noise + Yamux) on loopback, A a
 * process of its own (bench/tags-sync-owner.ts) so the two sides run side by side as on two
 * machines. A makes T tags (a tree) and N `tagging` operations (content i carries tag i mod T);
 * B pulls A's log from nothing: A reads it a page at a time, the pages cross the stream, B checks
 * every operation, merges and logs each page in one transaction and moves its cursor. Timed from
 * the request to the last page taken in.
 * Anchor, in the same run: the same page bytes over a bare libp2p stream of the same connection
 * (length-prefixed; no MessagePack decode, no checks, no acks), then plain INSERTs of the rows
 * the operations make (a tag by its uuid, a tagging by tag and content) in one transaction, the
 * decoding (MessagePack, JSON) left out of the time: a bare stream decodes nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { decode, encode } from '@msgpack/msgpack';
import Database from 'better-sqlite3';
import { lpStream } from '@libp2p/utils';
import { Installation } from '../src/library/installation.js';
import type { Library } from '../src/library/library.js';
import { Availability } from '../src/sync/availability/availability.js';
import { messageOf } from '../src/sync/messages/channel.js';
import { SHARED_PAGE_OPS } from '../src/sync/messages/table.js';
import { devicePeerKey, peerIdOfPublicKey } from '../src/sync/net/device-key.js';
import { PeerNode } from '../src/sync/net/peer-node.js';
import type { RemoteDevice } from '../src/sync/peer-link.js';
import { pullShared } from '../src/sync/shared/exchange.js';
import { SharedData, type UnstampedOp } from '../src/tags/shared-data.js';
import type { SharedOp } from '../src/tags/shared-op.js';
import { procSample, CLK_TCK } from './daemon-procs.js';
import { Summary, collectGarbage, kilo, mb, median, num, ratio, secs } from './util.js';

/** As serveShared cuts a page (src/sync/shared/exchange.ts PAGE_CHARS): the anchor's frames are the same pages. */
const PAGE_CHARS = 1024 * 1024;
const COMMIT_OPS = 10_000;

/** A well-formed UUIDv4 made from I (the bench's contents and tags need only be distinct and valid). */
export function uuidOf(kind: number, i: number): string {
  const h = i.toString(16).padStart(12, '0');
  return `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${h}`;
}

interface Side {
  dir: string;
  ownerData: string;
  ownerRoot: string;
  puller: Library;
  pullerNode: PeerNode;
  remote: RemoteDevice;
  child: { proc: ChildProcess; addr: string } | null;
}

/** A's tags (a tree: tag k under tag ⌊k/10⌋, the first ten at the top) and its N taggings, made through SharedData.commit. */
function seedOwner(owner: Library, tags: number, taggings: number): { ops: number; ms: number; cpuMs: number } {
  const shared = new SharedData(owner);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const tagOps: UnstampedOp[] = [];
  for (let k = 0; k < tags; k++) tagOps.push({ record: 'tag', id: uuidOf(1, k), set: { name: `tag ${k}`, color: null, parent: k < 10 ? null : uuidOf(1, Math.floor(k / 10)) } });
  shared.commit(tagOps);
  for (let at = 0; at < taggings; at += COMMIT_OPS) {
    const ops: UnstampedOp[] = [];
    for (let i = at; i < Math.min(taggings, at + COMMIT_OPS); i++) ops.push({ record: 'tagging', id: uuidOf(1, i % tags), content: uuidOf(2, i), set: { present: true } });
    shared.commit(ops);
  }
  const c = process.cpuUsage(c0);
  return { ops: tags + taggings, ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 };
}

/** A's log as serveShared pages it, each page as the frame it sends, to BARE_FILE (4-byte length, bytes). */
function writeFrames(owner: Library, file: string): { frames: number; bytes: number } {
  const epoch = new Availability(owner).epoch();
  const fd = openSync(file, 'w');
  let frames = 0;
  let bytes = 0;
  const head = owner.store.sharedOps.head();
  for (let seq = 0; seq < head;) {
    const rows = owner.store.sharedOps.since(seq, SHARED_PAGE_OPS);
    if (rows.length === 0) break;
    const ops: string[] = [];
    let chars = 0;
    for (const r of rows) {
      if (ops.length > 0 && chars + r.op.length > PAGE_CHARS) break;
      seq = r.seq;
      ops.push(r.op);
      chars += r.op.length;
    }
    const body = encode(messageOf('feed.shared.page', { seq, ops }));
    const len = Buffer.alloc(4);
    len.writeUInt32BE(body.byteLength);
    writeSync(fd, len);
    writeSync(fd, body);
    frames++;
    bytes += body.byteLength;
  }
  closeSync(fd);
  return { frames, bytes };
}

async function startOwner(s: Side, bareFile: string): Promise<void> {
  const script = fileURLToPath(new URL('./tags-sync-owner.js', import.meta.url));
  const proc = spawn(process.execPath, [script, s.ownerData, s.ownerRoot, s.pullerNode.peerId, s.puller.device.uuid, bareFile], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('the owner process said nothing in 30 s')), 30_000);
    createInterface({ input: proc.stdout! }).once('line', (l) => {
      clearTimeout(t);
      resolve(l);
    });
    proc.once('exit', (code) => reject(new Error(`the owner process exited ${code}`)));
  });
  s.child = { proc, addr: (JSON.parse(line) as { ready: { addr: string } }).ready.addr };
}

async function stopOwner(s: Side): Promise<void> {
  const child = s.child;
  if (!child) return;
  s.child = null;
  const exited = new Promise((r) => child.proc.once('exit', r));
  child.proc.stdin!.end();
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (child.proc.exitCode === null) child.proc.kill('SIGKILL');
}

/** The bare file's frames, one at a time. */
function* framesOf(file: string): Generator<Uint8Array> {
  const buf = readFileSync(file);
  for (let at = 0; at < buf.length;) {
    const n = buf.readUInt32BE(at);
    yield buf.subarray(at + 4, at + 4 + n);
    at += 4 + n;
  }
}

/** The anchor: the page bytes over a bare stream, then plain INSERTs of the rows they make (decoding left out). */
async function anchor(s: Side, bareFile: string, frames: number, bytes: number, db: Database.Database): Promise<{ ms: number; decodeMs: number }> {
  db.exec('DELETE FROM t; DELETE FROM m;');
  const putT = db.prepare('INSERT INTO t VALUES (?, ?, ?, ?, ?)');
  const putM = db.prepare('INSERT INTO m VALUES (?, ?, ?, ?)');
  const t0 = performance.now();
  const stream = await s.pullerNode.open(s.child!.addr, 'fetch');
  const lp = lpStream(stream, { maxDataLength: 64 * 1024 * 1024, maxBufferSize: 1024 * 1024 * 1024 });
  let got = 0;
  for (let i = 0; i < frames; i++) got += (await lp.read()).byteLength;
  await stream.close();
  let decodeMs = 0;
  db.transaction(() => {
    for (const frame of framesOf(bareFile)) {
      const d0 = performance.now();
      const ops = ((decode(frame) as { ops: string[] }).ops).map((o) => JSON.parse(o) as SharedOp);
      decodeMs += performance.now() - d0;
      for (const op of ops) {
        if (op.record === 'tagging') putM.run(op.id, op.content, op.set.present ? 1 : 0, op.hlc);
        else if (op.record === 'tag') putT.run(op.id, op.set.name ?? '', op.set.color ?? null, op.set.parent ?? null, op.hlc);
      }
    }
  })();
  const ms = performance.now() - t0 - decodeMs;
  if (got !== bytes) throw new Error(`the anchor stream brought ${got} bytes of ${bytes}`);
  return { ms, decodeMs };
}

/** B as before its first pull: no shared data, no cursor. Raw on purpose: a bench reset, not a feature. */
function forget(puller: Library): void {
  puller.db.exec('DELETE FROM shared_ops; DELETE FROM metadata_tag; DELETE FROM tags; DELETE FROM user_metadata; DELETE FROM feed_cursors WHERE feed = \'shared\';');
}

export async function benchTagSync(o: { taggings: number; tags: number; runs: number }, dir: string, summary: Summary): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const ownerData = join(dir, 'a-data');
  const owner = new Installation({ dataDir: ownerData }).createLibrary('Home', join(dir, 'a'));
  const ownerRoot = owner.root;
  const pullerData = join(dir, 'b-data');
  const puller = new Installation({ dataDir: pullerData }).createLibrary('Home', join(dir, 'b'), { id: owner.config.id });
  const ownerPeer = peerIdOfPublicKey(owner.device.publicKey);
  const pullerNode = await PeerNode.start({ privateKey: await devicePeerKey(pullerData), listen: ['/ip4/127.0.0.1/tcp/0'], admit: (p) => p === ownerPeer, isPaired: (p) => p === ownerPeer });
  const s: Side = {
    dir, ownerData, ownerRoot, puller, pullerNode, child: null,
    remote: { deviceUuid: owner.device.uuid, peerId: ownerPeer, name: owner.device.name, libraryIds: [owner.config.id], publicKey: owner.device.publicKey },
  };
  const anchorDb = new Database(join(dir, 'anchor.sqlite'));
  anchorDb.pragma('journal_mode = WAL');
  anchorDb.pragma('synchronous = NORMAL');
  anchorDb.pragma('cache_size = -32000'); // as a library's connection has
  anchorDb.exec(`CREATE TABLE t (uuid TEXT PRIMARY KEY, name TEXT NOT NULL, color TEXT, parent_uuid TEXT, hlc TEXT NOT NULL);
    CREATE TABLE m (tag_uuid TEXT NOT NULL, content_uuid TEXT NOT NULL, present INTEGER NOT NULL, hlc TEXT NOT NULL, PRIMARY KEY (tag_uuid, content_uuid)) WITHOUT ROWID;
    CREATE INDEX m_by_content ON m(content_uuid, tag_uuid) WHERE present = 1;`);
  const bareFile = join(dir, 'bare.bin');
  try {
    console.log(`(a) A makes ${num(o.tags)} tags and ${kilo(o.taggings)} tag assignments…`);
    const made = seedOwner(owner, o.tags, o.taggings);
    const { frames, bytes } = writeFrames(owner, bareFile);
    owner.close();
    console.log(`    made through SharedData.commit (${COMMIT_OPS} a transaction): ${secs(made.ms / 1000)}, CPU ${secs(made.cpuMs / 1000)} (${kilo(made.ops / (made.ms / 1000))} ops/s); the log is ${frames} pages, ${mb(bytes)}`);
    await startOwner(s, bareFile);
    const pull = async () => pullShared(await pullerNode.open(s.child!.addr, 'feed'), puller, s.remote);
    await pull(); // connection, identify and the JIT warmed
    const times: number[] = [];
    const anchors: number[] = [];
    const decodes: number[] = [];
    const cpuB: number[] = [];
    const cpuA: number[] = [];
    let peakB = 0;
    let peakA = 0;
    for (let r = 0; r < o.runs; r++) {
      forget(puller);
      await pullerNode.hangUp(ownerPeer);
      collectGarbage();
      const ownerPid = s.child!.proc.pid!;
      const sampler = setInterval(() => {
        peakB = Math.max(peakB, process.memoryUsage().rss);
        peakA = Math.max(peakA, procSample(ownerPid).rssKB * 1024);
      }, 50);
      let got;
      try {
        const a0 = procSample(ownerPid).ticks;
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        got = await pull();
        times.push(performance.now() - t0);
        const c = process.cpuUsage(c0);
        cpuB.push((c.user + c.system) / 1e6);
        cpuA.push((procSample(ownerPid).ticks - a0) / CLK_TCK);
      } finally {
        clearInterval(sampler);
      }
      const carried = puller.db.prepare('SELECT count(*) FROM metadata_tag WHERE present = 1').pluck().get() as number;
      if (got.applied !== made.ops || carried !== o.taggings) throw new Error(`the pull applied ${got.applied} of ${made.ops} operations; B has ${carried} of ${o.taggings} taggings`);
      collectGarbage();
      const a = await anchor(s, bareFile, frames, bytes, anchorDb);
      anchors.push(a.ms);
      decodes.push(a.decodeMs);
    }
    const t = median(times) / 1000;
    const a = median(anchors) / 1000;
    const list = (xs: number[], scale = 1000) => xs.map((x) => secs(x / scale)).join(' / ');
    console.log(`(a) ${kilo(o.taggings)} tag assignments (+${num(o.tags)} tags) A → B over the shared-data feed, ${frames} pages: ${secs(t)} [${list(times)}] = ${kilo(made.ops / t)} ops/s`);
    console.log(`    anchor, bare stream + plain INSERTs: ${secs(a)} [${list(anchors)}] (decoding, left out: ${list(decodes)})`);
    console.log(`    CPU: B (puller) ${list(cpuB, 1)}, A (owner process) ${list(cpuA, 1)}; peak RSS B ${mb(peakB)}, A ${mb(peakA)}`);
    summary.add({ what: `(a) ${kilo(o.taggings)} tag assignments synced A → B`, value: secs(t), ratio: `${ratio(t / a)} anchor`, target: '< 5 s', ok: t < 5 });
    summary.add({ what: '    CPU B / A (median)', value: `${secs(median(cpuB))} / ${secs(median(cpuA))}`, ratio: '', target: '', ok: null });
    summary.add({ what: '    peak RSS B / A', value: `${mb(peakB)} / ${mb(peakA)}`, ratio: '', target: '', ok: null });
  } finally {
    anchorDb.close();
    await stopOwner(s);
    await pullerNode.stop();
    puller.close();
  }
}
