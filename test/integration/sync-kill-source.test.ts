/**
 * Issue 10, item 7: a peer killed in the middle of a transfer → the fetch resumes from another
 * source. The killed source is a real OS process (test/net/serve-peer.ts) ended by SIGKILL, so its
 * sockets die the way a crashed or unplugged device's do; nothing in it gets to say goodbye.
 *
 *   A  child process: holds the large ready sidecar, serves fetch + availability.
 *   B  this process: holds the same sidecar, comes online only mid-transfer.
 *   C  this process: the receiver; learns both entries by the real availability pull.
 *
 * Which source goes first is no race: when the fetch starts, C knows only A's entry (B is
 * connected, but C pulls B's availability only once A's bytes flow, as after B announced a change).
 * The fetch is throttled hard until the kill, so the kill lands early in A's transfer however
 * loaded the machine is, then let go faster so B's part does not drag the test out.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { blake3 } from '@napi-rs/blake-hash';
import { REPO, tempDir } from '../helpers.js';
import { makeDevice, newAddress, pairAndConnect, type TestDevice } from '../sync-peers.js';
import { Installation } from '../../src/library/installation.js';
import { sidecarAbsPath } from '../../src/sidecars/address.js';
import { SidecarManager } from '../../src/sidecars/manager.js';
import type { RemoteDevice } from '../../src/sync/peer-link.js';
import { Availability } from '../../src/sync/availability/availability.js';
import { pullAvailability, serveAvailability, serveAvailabilityFeed } from '../../src/sync/availability/exchange.js';
import { serveFetch } from '../../src/sync/transfer/fetch-protocol.js';
import { Fetcher } from '../../src/sync/transfer/fetcher.js';
import type { TransferStore } from '../../src/sync/transfer/store.js';

const SERVE_PEER = join(REPO, 'dist', 'test', 'net', 'serve-peer.js');
const MiB = 1024 * 1024;
const SIZE = 64 * MiB;
/** Until the kill: A's 64 MiB would take 16 s, so the kill lands early in them even under load. */
const SLOW = 4 * MiB;
/** After the kill, for B's part. */
const FAST = 16 * MiB;
/** A is killed once C's partial holds at least this much. */
const KILL_AFTER = 6 * MiB;

const hex = (b: Buffer): string => blake3(b).toString('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Ready { pid: number; peer_id: string; device_uuid: string; library_id: string; addr: string }

const running = (c: ChildProcess): boolean => c.exitCode === null && c.signalCode === null;

/** Start serve-peer.js for A and wait (bounded) for its ready line. */
async function startSource(args: string[]): Promise<{ child: ChildProcess; ready: Ready }> {
  const child = spawn(process.execPath, [SERVE_PEER, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout! });
  const ready = await new Promise<Ready>((resolve, reject) => {
    const timer = setTimeout(() => {
      if (running(child) && child.pid !== undefined) process.kill(child.pid, 'SIGKILL'); // the one we spawned, never to be left
      reject(new Error(`serve-peer not ready in 30 s; stderr: ${stderr}`));
    }, 30_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      const msg = JSON.parse(line) as { ready?: Ready; error?: string };
      if (msg.ready) return resolve(msg.ready);
      if (running(child) && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      reject(new Error(`serve-peer failed: ${msg.error ?? line}; stderr: ${stderr}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`serve-peer exited (${code ?? signal}) before ready; stderr: ${stderr}`));
    });
  });
  return { child, ready };
}

/** The signal CHILD ended by, waiting at most MS for it to end. */
async function exitSignal(child: ChildProcess, ms: number): Promise<string | null> {
  if (!running(child)) return child.signalCode;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      new Promise<string | null>((r) => child.once('exit', (_code, signal) => r(signal))),
      new Promise<string>((r) => (timer = setTimeout(() => r(`still running after ${ms} ms`), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether any process has PID (signal 0 only checks). */
function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

describe('a source killed (SIGKILL, its own process) mid-transfer: the fetch resumes from another', () => {
  const tmp = tempDir();
  let c: TestDevice; // the receiver
  let b: TestDevice; // the second source
  let a: { child: ChildProcess; ready: Ready } | undefined;

  before(async () => {
    c = await makeDevice(tmp.path, 'c');
    b = await makeDevice(tmp.path, 'b', c.lib.config.id);
  });
  after(async () => {
    // Only the pid this test spawned, and only if it still runs (a failure before the kill).
    if (a && running(a.child)) {
      process.kill(a.ready.pid, 'SIGKILL');
      await exitSignal(a.child, 10_000);
    }
    await Promise.all([b?.stop(), c?.stop()]);
    tmp.cleanup();
  });

  it('finishes from B, from where A stopped; the file verifies; nothing partial and no process is left', async () => {
    const data = randomBytes(SIZE);
    const address = newAddress('proxy', 'quick', 'mp4');
    const libraryId = c.lib.config.id;

    // A's device and library on disk, made here, then served by its own process.
    const aVss = new Installation({ dataDir: join(tmp.path, 'a', 'data') });
    const aLib = aVss.createLibrary('Shared', join(tmp.path, 'a'), { id: libraryId });
    new SidecarManager(aLib).writeGenerated(address, data, 'test');
    const aRoot = aLib.root;
    aLib.close();
    a = await startSource([aVss.dataDir, aRoot, c.node.peerId, c.lib.device.uuid]);
    const A: RemoteDevice = { deviceUuid: a.ready.device_uuid, peerId: a.ready.peer_id, name: 'a', libraryIds: [libraryId] };
    assert.equal(a.ready.library_id, libraryId);

    // B holds the same bytes; its fetch server counts what it really reads and sends.
    b.sidecars.writeGenerated(address, data, 'test');
    const servedByB = { offsets: [] as number[], bytes: 0 };
    const countingStore = Object.create(b.store) as TransferStore;
    countingStore.openForPeer = (addr) => {
      const served = b.store.openForPeer(addr);
      return {
        ...served,
        read: async function* (offset: number) {
          servedByB.offsets.push(offset);
          for await (const chunk of served.read(offset)) {
            servedByB.bytes += chunk.byteLength;
            yield chunk;
          }
        },
      };
    };
    await b.serve(async (stream, peer) => {
      await serveFetch(stream, b.remotes.get(peer)!, (id) => (id === libraryId ? countingStore : undefined));
    });
    const bAvailability = new Availability(b.lib);
    await b.node.handle('availability', (stream, peer) => serveAvailability(stream, b.remotes.get(peer)!, (id) => (id === libraryId ? bAvailability : undefined)));
    await b.node.handle('feed', (stream, peer) => serveAvailabilityFeed(stream, b.remotes.get(peer)!, (id) => (id === libraryId ? bAvailability : undefined)));

    // C: paired with A, connected, A's availability pulled over the real stream.
    const cAvailability = new Availability(c.lib);
    c.trusted.add(A.peerId);
    c.remotes.set(A.peerId, A);
    await c.node.connect(a.ready.addr, AbortSignal.timeout(10_000));
    const pulledA = await pullAvailability(await c.node.open(A.peerId, 'feed', AbortSignal.timeout(10_000)), cAvailability, A, libraryId, { signal: AbortSignal.timeout(30_000) });
    assert.equal(pulledA.entries, 1);

    await pairAndConnect(b, c);
    const fetcher = new Fetcher(c.store, c.link(), { bandwidthBytesPerSec: SLOW, stallMs: 5000 });
    assert.deepEqual(fetcher.sources(address), [A.deviceUuid], 'only A is a source when the fetch starts');
    const finalPath = sidecarAbsPath(c.lib.root, address);
    const dir = dirname(finalPath);
    const parts = c.lib.layout.transfersDir;
    const partial = (): number => {
      const name = existsSync(parts) ? readdirSync(parts).find((n) => n.endsWith('.part')) : undefined;
      if (!name) return 0;
      try {
        return statSync(join(parts, name)).size;
      } catch {
        return 0; // renamed away between listing and stat
      }
    };

    let partialAtKill = -1;
    const started = Date.now();
    const killer = (async () => {
      for (const until = Date.now() + 60_000; partial() < KILL_AFTER; await sleep(20)) {
        if (Date.now() > until) throw new Error(`the partial never reached ${KILL_AFTER} bytes (at ${partial()})`);
      }
      // B's availability arrives while A's bytes still flow.
      const pulledB = await pullAvailability(await c.node.open(b.node.peerId, 'feed', AbortSignal.timeout(10_000)), cAvailability, b.asRemote(), libraryId, { signal: AbortSignal.timeout(30_000) });
      assert.equal(pulledB.entries, 1);
      partialAtKill = partial();
      process.kill(a!.ready.pid, 'SIGKILL');
      fetcher.setBandwidth(FAST);
      assert.equal(await exitSignal(a!.child, 10_000), 'SIGKILL');
    })();

    let outcome;
    try {
      outcome = (await fetcher.fetch([address], { priority: 'job', signal: AbortSignal.timeout(120_000) }))[0]!;
      await killer;
    } finally {
      fetcher.close();
    }
    const tookMs = Date.now() - started;

    assert.ok(partialAtKill > 0 && partialAtKill < SIZE, `A was killed mid-transfer (partial ${partialAtKill} of ${SIZE})`);
    assert.ok(outcome.ok, JSON.stringify(outcome));
    assert.equal(outcome.from, b.lib.device.uuid);

    // Resumed, not restarted: B was asked from an offset at least as far as the partial at the
    // kill, and sent exactly the rest, by its own count and by C's.
    assert.equal(servedByB.offsets.length, 1, `B served once: ${JSON.stringify(servedByB.offsets)}`);
    const offset = servedByB.offsets[0]!;
    assert.ok(offset >= partialAtKill, `B started at ${offset}, the partial had ${partialAtKill}`);
    assert.equal(servedByB.bytes, SIZE - offset);
    assert.equal(outcome.bytes, servedByB.bytes);
    assert.ok(servedByB.bytes <= SIZE - KILL_AFTER, `B sent ${servedByB.bytes} of ${SIZE}`);
    const counters = (device: string) => {
      const r = c.lib.store.peerSync.get(device);
      return r && { bytes_fetched: r.bytes_fetched, files_fetched: r.files_fetched, failures: r.failures };
    };
    assert.deepEqual(counters(b.lib.device.uuid), { bytes_fetched: servedByB.bytes, files_fetched: 1, failures: 0 });
    const ofA = counters(A.deviceUuid);
    assert.equal(ofA?.files_fetched ?? 0, 0);
    assert.ok((ofA?.failures ?? 0) >= 1, 'the broken transfer from A is counted against A');

    // The file is whole and recorded so; no partial or temp file is left.
    assert.equal(hex(readFileSync(finalPath)), hex(data));
    const row = c.sidecars.get(address)!;
    assert.deepEqual({ status: row.status, source: row.source, size: row.size, checksum: row.checksum }, { status: 'ready', source: 'fetched', size: SIZE, checksum: hex(data) });
    assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith('.vss-tmp-') || n.endsWith('.part')), []);
    assert.deepEqual(readdirSync(parts), []);
    assert.equal(c.store.localReady(address), finalPath);

    // The killed process is gone (reaped: no pid left, not even a zombie).
    assert.equal(running(a.child), false);
    assert.equal(pidExists(a.ready.pid), false);
    console.log(`# ${SIZE / MiB} MiB at ${SLOW / MiB} then ${FAST / MiB} MiB/s: A killed at ${(partialAtKill / MiB).toFixed(1)} MiB, B resumed at ${(offset / MiB).toFixed(1)} MiB and sent ${(servedByB.bytes / MiB).toFixed(1)} MiB; ${tookMs} ms`);
  });
});
