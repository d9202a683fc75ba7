/**
 * `node dist/bench/sync-digest-bench.js [--small N] [--large M] [--delta D] [--runs R]`
 *
 * The availability exchange between two real libraries over a real libp2p stream on loopback
 * (two PeerNodes, TCP + Noise + Yamux): a peer pulls device A's digest — A reads its rows and
 * encodes the chunks, they cross the stream, the puller decodes and checks every chunk and
 * persists the entries in one transaction. Timed from the request to the commit:
 *   (a) a full digest of N entries (default 100k)   target < 1 s
 *   (b) a full digest of M entries (default 1M)     target < 5 s
 *   (c) a delta of D changes (default 1k)           target < 50 ms
 *   (d) what numbering costs a sidecar state change: W sidecars (default 20k) each recorded
 *       pending, generating, ready, each its own transaction of the sidecars upsert and
 *       AvailabilityStore.set (as the manager writes), against the same transaction with the
 *       plain availability upsert the manager made before changes were numbered
 * Anchor of each, measured in the same run: the same digest bytes over a bare libp2p stream of
 * the same connection (length-prefixed, no MessagePack, no checks) plus a plain INSERT of the
 * same rows (prepared values, one transaction) into a table of the same shape and indexes.
 * The ratio says what the protocol, the checks and the upserts cost above moving and storing.
 * Each run's CPU seconds (this process: both ends) are printed beside its wall time.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { lpStream } from '@libp2p/utils';
import { Installation } from '../src/library/installation.js';
import type { Library } from '../src/library/library.js';
import { sidecarAddress } from '../src/sidecars/address.js';
import { encodeChunk, type AvailabilityEntry } from '../src/sync/availability/codec.js';
import { PAGE_ENTRIES, pullAvailability, serveAvailability } from '../src/sync/availability/exchange.js';
import { Availability } from '../src/sync/availability/availability.js';
import { PeerNode } from '../src/sync/net/peer-node.js';
import type { RemoteDevice } from '../src/sync/peer-link.js';
import { Summary, benchArgs, collectGarbage, freshDir, median, num, ratio, rmrf, runMain, secs } from './util.js';

const VARIANTS = ['icon@1x', 'grid@1x', 'grid@2x', 'detail@1x'];
const C = (i: number) => `${i.toString(16).padStart(8, '0')}-0000-5000-8000-${(i * 7919).toString(16).padStart(12, '0').slice(-12)}`;
const SUM = (i: number, round = 0) => ((i * 2654435761 + round) >>> 0).toString(16).padStart(8, '0').repeat(8);

interface Pair {
  a: { lib: Library; store: Availability; node: PeerNode; remote: RemoteDevice };
  b: { lib: Library; store: Availability; node: PeerNode };
  /** The bytes of A's last full digest, chunk by chunk, for the bare-stream anchor. */
  close(): Promise<void>;
}

async function pair(dir: string): Promise<Pair> {
  const A = new Installation({ dataDir: join(dir, 'a-data') }).createLibrary('Digest', join(dir, 'a'));
  const vssB = new Installation({ dataDir: join(dir, 'b-data') });
  const B = vssB.createLibrary('Digest', join(dir, 'b'));
  const ids = { a: '', b: '' };
  const nodeA = await PeerNode.start({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], admit: (p) => p === ids.b, isPaired: (p) => p === ids.b });
  const nodeB = await PeerNode.start({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], admit: (p) => p === ids.a, isPaired: (p) => p === ids.a });
  ids.a = nodeA.peerId;
  ids.b = nodeB.peerId;
  const storeA = new Availability(A);
  // Both copies answer to A's library id, as pairing leaves them; the bench reaches the config directly.
  (B.config as { id: string }).id = A.config.id;
  const remoteB: RemoteDevice = { deviceUuid: B.device.uuid, peerId: ids.b, name: 'b', libraryIds: [A.config.id] };
  await nodeA.handle('availability', (stream) => serveAvailability(stream, remoteB, () => storeA));
  return {
    a: { lib: A, store: storeA, node: nodeA, remote: { deviceUuid: A.device.uuid, peerId: ids.a, name: 'a', libraryIds: [A.config.id] } },
    b: { lib: B, store: new Availability(B), node: nodeB },
    async close() {
      await Promise.all([nodeA.stop(), nodeB.stop()]);
      A.close();
      B.close();
    },
  };
}

/** A's own ready rows 0..n-1, numbered as the manager numbers them (setup, not timed). */
function fill(lib: Library, from: number, to: number): void {
  const local = lib.store.availability;
  const now = Date.now();
  lib.db.transaction(() => {
    for (let i = from; i < to; i++) local.set(C(i >> 2), 'thumb', VARIANTS[i & 3]!, 'webp', true, 1000 + i, SUM(i), now);
  })();
}

function entriesOf(from: number, to: number, round: number): AvailabilityEntry[] {
  const out: AvailabilityEntry[] = new Array(to - from);
  for (let i = from; i < to; i++) out[i - from] = { contentUuid: C(i >> 2), kind: 'thumb', variant: VARIANTS[i & 3]!, format: 'webp', has: true, size: 1000 + i, checksum: SUM(i, round) };
  return out;
}

/**
 * The anchor: the digest's bytes over a bare stream of the same connection, then the same rows
 * inserted plainly into a table of sidecar_availability's shape (migration 013: the keys as bytes
 * and small ids, made before the clock starts).
 */
async function anchor(p: Pair, chunks: Uint8Array[], entries: AvailabilityEntry[], db: Database.Database, upsert: boolean): Promise<number> {
  db.exec('DELETE FROM t');
  const insert = db.prepare(
    `INSERT INTO t (content, name, device, has, size, checksum, format, seq, last_seen_at) VALUES (?, ?, 1, 1, ?, ?, ?, ?, ?)${upsert ? ' ON CONFLICT DO UPDATE SET size = excluded.size, checksum = excluded.checksum' : ''}`,
  );
  const rows = entries.map((e) => ({ ...e, content: Buffer.from(e.contentUuid.replace(/-/g, ''), 'hex'), name: VARIANTS.indexOf(e.variant), sum: Buffer.from(e.checksum!, 'hex') }));
  const t0 = performance.now();
  const stream = await p.b.node.open(p.a.node.addresses()[0]!, 'fetch');
  // Bare: no acks, so the reader's buffer must hold whatever the writer gets ahead by.
  const lp = lpStream(stream, { maxDataLength: 64 * 1024 * 1024, maxBufferSize: 1024 * 1024 * 1024 });
  let got = 0;
  for (let i = 0; i < chunks.length; i++) got += (await lp.read()).byteLength;
  await stream.close();
  const now = Date.now();
  db.transaction(() => {
    for (const e of rows) insert.run(e.content, e.name, e.size, e.sum, e.format, 1, now);
  })();
  const ms = performance.now() - t0;
  if (got !== chunks.reduce((n, c) => n + c.byteLength, 0)) throw new Error('the anchor stream lost bytes');
  return ms;
}

async function main(): Promise<void> {
  const o = benchArgs('sync-digest-bench [--small N] [--large M] [--delta D] [--writes W] [--runs R]', {
    small: { default: 100_000, min: 1 }, large: { default: 1_000_000, min: 1 }, delta: { default: 1_000, min: 1 }, writes: { default: 20_000, min: 1 }, runs: { default: 3, min: 1 },
  }, []);
  const dir = freshDir(tmpdir(), 'vss-digest-');
  const summary = new Summary();
  const p = await pair(dir);
  const anchorDb = new Database(join(dir, 'anchor.sqlite'));
  anchorDb.pragma('journal_mode = WAL');
  anchorDb.pragma('synchronous = NORMAL');
  anchorDb.exec(`CREATE TABLE t (content BLOB NOT NULL, name INTEGER NOT NULL, device INTEGER NOT NULL, has INTEGER NOT NULL, size INTEGER, checksum BLOB,
    format TEXT, seq INTEGER, last_seen_at INTEGER NOT NULL, PRIMARY KEY (content, name, device)) WITHOUT ROWID;
    CREATE INDEX t_by_device_seq ON t(device, seq);`);
  // The bare stream of the anchor: A writes the digest's chunks, length-prefixed, and nothing else.
  let bare: Uint8Array[] = [];
  await p.a.node.handle('fetch', async (stream) => {
    const lp = lpStream(stream, { maxDataLength: 64 * 1024 * 1024 });
    for (const c of bare) await lp.write(c);
    await stream.close();
  });
  const pull = () => p.b.node.open(p.a.node.addresses()[0]!, 'availability').then((s) => pullAvailability(s, p.b.store, p.a.remote, p.a.lib.config.id));
  const digestBytes = (): Uint8Array[] => {
    const set = p.a.store.changesSince(0, null, PAGE_ENTRIES);
    const h = { libraryId: p.a.lib.config.id, deviceUuid: p.a.remote.deviceUuid, epoch: set.epoch, fromSeq: 0, toSeq: set.toSeq, full: true };
    return [...set.chunks()].map((page) => encodeChunk(h, page));
  };
  try {
    await pull(); // connection, identify and the JIT warmed on an empty digest
    let have = 0;
    for (const [label, n, target, runs] of [['(a) full digest', o.small, 1, o.runs], ['(b) full digest', o.large, 5, Math.max(1, Math.min(o.runs, 2))]] as const) {
      fill(p.a.lib, have, n);
      have = n;
      bare = digestBytes();
      const bytes = bare.reduce((s, c) => s + c.byteLength, 0);
      const rows = entriesOf(0, n, 0);
      const ours: number[] = [];
      const base: number[] = [];
      const cpu: number[] = [];
      for (let r = 0; r < runs; r++) {
        p.b.store.removeDevice(p.a.remote.deviceUuid); // a new peer again: the next pull is full
        collectGarbage();
        const cpu0 = process.cpuUsage();
        const got = await pull();
        cpu.push(cpuSeconds(cpu0));
        if (!got.full || got.entries !== n) throw new Error(`expected a full digest of ${n}, got ${JSON.stringify(got)}`);
        ours.push(got.ms / 1000);
        collectGarbage();
        base.push((await anchor(p, bare, rows, anchorDb, false)) / 1000);
      }
      const m = median(ours);
      const a = median(base);
      console.log(`${label} of ${num(n)} entries (${(bytes / n).toFixed(1)} bytes each, ${bare.length} chunks): ${ours.map(secs).join(' / ')} (cpu ${cpu.map(secs).join(' / ')}); anchor ${base.map(secs).join(' / ')}`);
      summary.add({ what: `${label}, ${num(n)} entries`, value: secs(m), ratio: ratio(m / a), target: `< ${target} s`, ok: m < target });
    }
    // (c) deltas: D of A's rows get a new file each round; B pulls just those.
    const ours: number[] = [];
    const base: number[] = [];
    const cpu: number[] = [];
    const local = p.a.lib.store.availability;
    for (let r = 1; r <= Math.max(5, o.runs); r++) {
      const from = r * o.delta;
      const rows = entriesOf(from, from + o.delta, r);
      p.a.lib.db.transaction(() => {
        for (const e of rows) local.set(e.contentUuid, e.kind, e.variant, e.format, true, e.size, e.checksum, Date.now());
      })();
      const set = p.a.store.changesSince(p.b.store.peerState(p.a.remote.deviceUuid)!.seq, p.b.store.peerState(p.a.remote.deviceUuid)!.epoch, PAGE_ENTRIES);
      const h = { libraryId: p.a.lib.config.id, deviceUuid: p.a.remote.deviceUuid, epoch: set.epoch, fromSeq: set.fromSeq, toSeq: set.toSeq, full: false };
      bare = [...set.chunks()].map((page) => encodeChunk(h, page));
      const cpu0 = process.cpuUsage();
      const got = await pull();
      cpu.push(cpuSeconds(cpu0));
      if (got.full || got.entries !== o.delta) throw new Error(`expected a delta of ${o.delta}, got ${JSON.stringify(got)}`);
      ours.push(got.ms / 1000);
      base.push((await anchor(p, bare, rows, anchorDb, true)) / 1000);
    }
    const m = median(ours);
    console.log(`(c) delta of ${num(o.delta)}: ${ours.map(secs).join(' / ')} (cpu ${cpu.map(secs).join(' / ')}); anchor ${base.map(secs).join(' / ')}`);
    summary.add({ what: `(c) delta, ${num(o.delta)} changes`, value: secs(m), ratio: ratio(m / median(base)), target: '< 0.05 s', ok: m < 0.05 });
    managerWrites(dir, o.writes, summary);
    console.log('');
    summary.print();
  } finally {
    await p.close();
    anchorDb.close();
    rmrf(dir);
  }
}

/** This process's CPU seconds (user + system) since FROM: both ends run here, so it is the whole exchange's. */
function cpuSeconds(from: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(from);
  return (c.user + c.system) / 1e6;
}

/** (d): the manager's writes with numbering, against the two plain upserts it made before. */
function managerWrites(dir: string, n: number, summary: Summary): void {
  const lib = new Installation({ dataDir: join(dir, 'w-data') }).createLibrary('Writes', join(dir, 'w'));
  try {
    const local = lib.store.availability;
    const db = lib.db;
    const fields = (status: 'pending' | 'generating' | 'ready', i: number) =>
      ({ status, source: 'generated' as const, size: status === 'ready' ? i : null, checksum: status === 'ready' ? SUM(i) : null, sourceEntryId: null, error: null });
    const sidecar = db.prepare(
      `INSERT INTO sidecars (uuid, content_uuid, kind, variant, format, rel_path, source_entry_id, size, checksum, status, source, generator, error, attempts, created_at, updated_at)
       VALUES (?, ?, 'thumb', 'grid@1x', 'webp', 'r', NULL, ?, ?, ?, 'generated', NULL, NULL, 0, ?, ?)
       ON CONFLICT(content_uuid, kind, variant) DO UPDATE SET size = excluded.size, checksum = excluded.checksum, status = excluded.status, updated_at = excluded.updated_at`,
    );
    // The plain upsert, keyed as the table keys rows (a name and a device id made once, here).
    local.set(C(0), 'thumb', 'grid@1x', 'webp', false, null, null, Date.now());
    const avail = db.prepare(
      `INSERT INTO sidecar_availability (content, name, device, has, size, checksum, last_seen_at)
       VALUES (unhex(replace(?, '-', '')), (SELECT id FROM availability_names WHERE kind = 'thumb' AND variant = 'grid@1x'), (SELECT id FROM availability_devices WHERE uuid = ?), ?, ?, unhex(?), ?)
       ON CONFLICT(content, name, device) DO UPDATE SET has = excluded.has, size = excluded.size, checksum = excluded.checksum, last_seen_at = excluded.last_seen_at`,
    );
    const ours: number[] = [];
    const base: number[] = [];
    for (let r = 0; r < 3; r++) {
      const addr = (i: number) => sidecarAddress(C(r * 10 * n + i), 'thumb', 'grid@1x');
      let t0 = performance.now();
      for (let i = 0; i < n; i++) {
        for (const st of ['pending', 'generating', 'ready'] as const) {
          const a = addr(i);
          const f = fields(st, i);
          const now = Date.now();
          db.transaction(() => {
            sidecar.run(a.contentUuid, a.contentUuid, f.size, f.checksum, st, now, now);
            local.set(a.contentUuid, a.kind, a.variant, a.format, st === 'ready', f.size, f.checksum, now);
          })();
        }
      }
      ours.push((performance.now() - t0) / (3 * n));
      t0 = performance.now();
      for (let i = 0; i < n; i++) {
        for (const st of ['pending', 'generating', 'ready'] as const) {
          const a = addr(n + i);
          const f = fields(st, i);
          const now = Date.now();
          db.transaction(() => {
            sidecar.run(a.contentUuid, a.contentUuid, f.size, f.checksum, st, now, now);
            avail.run(a.contentUuid, lib.device.uuid, st === 'ready' ? 1 : 0, f.size, f.checksum, now);
          })();
        }
      }
      base.push((performance.now() - t0) / (3 * n));
    }
    const us = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;
    console.log(`(d) manager writes, ${num(n)} sidecars × 3 states: ${ours.map(us).join(' / ')} each; two plain upserts ${base.map(us).join(' / ')}`);
    summary.add({ what: '(d) a sidecar state change, numbered', value: us(median(ours)), ratio: ratio(median(ours) / median(base)), target: 'info', ok: null });
  } finally {
    lib.close();
  }
}

runMain(import.meta.url, main);
