/**
 * Issue 18: the receiving daemon killed (SIGKILL) in the middle of a large fetch. Its partial must
 * survive the restart, and the fetch asked for again must resume from it: the sender sends only
 * what is missing, and the file verifies whole. Two real daemons on loopback, paired through the CLI.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { blake3 } from '@napi-rs/blake-hash';
import sharp from 'sharp';
import { iterateContents } from '../../src/content/list-contents.js';
import { Installation } from '../../src/library/installation.js';
import { sidecarAddress } from '../../src/sidecars/address.js';
import { SidecarManager } from '../../src/sidecars/manager.js';
import { VSS_BIN, json, pairingCodeOf, tempDir, until } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';

interface Status { running: boolean; pid: number | null; listen: string[] }
interface PeerStatus { device_id: string; online: boolean; entries: number; bytes_fetched: number; files_fetched: number }
interface Sidecar { content_uuid: string; kind: string; variant: string; status: string; source: string; checksum: string | null }

const MiB = 1024 * 1024;
const SIZE = 31 * MiB;
/** The receiver is killed once its partial holds this much. */
const KILL_AFTER = 8 * MiB;
const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0'];

/** Every file under DIR whose name ends in .part, with its size (a depth-first walk, bounded by the library's small tree). */
function partials(dir: string): Array<{ path: string; size: number }> {
  const out: Array<{ path: string; size: number }> = [];
  const walk = (d: string) => {
    let names;
    try {
      names = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of names) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.part')) {
        try {
          out.push({ path: p, size: statSync(p).size });
        } catch {
          // renamed away meanwhile
        }
      }
    }
  };
  walk(dir);
  return out;
}

describe('the receiving daemon killed during a large fetch', () => {
  const tmp = tempDir('vss-recv-crash-');
  const A = { VSS_DATA_DIR: join(tmp.path, 'a') };
  const B = { VSS_DATA_DIR: join(tmp.path, 'b') };
  const children: ChildProcess[] = [];
  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null && c.pid !== undefined) process.kill(c.pid, 'SIGKILL');
    for (const env of [A, B]) {
      await runCli(['daemon', 'stop'], env);
      const left = JSON.parse((await runCli(['daemon', 'status', '--json'], env)).stdout || '{}') as Partial<Status>;
      if (left.running && typeof left.pid === 'number') process.kill(left.pid, 'SIGKILL');
    }
    tmp.cleanup();
  });

  it('keeps its partial across the restart and resumes from it: the sender sends only the rest, the file verifies', { timeout: 300_000 }, async () => {
    // A: a library with one photo, and a large sidecar of it ready (a motion photo's movie).
    const photos = join(tmp.path, 'photos');
    mkdirSync(photos);
    await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 10, g: 200, b: 90 } } }).jpeg().toFile(join(photos, 'motion.jpg'));
    assert.equal((await runCli(['library', 'create', 'Photos', '--path', join(tmp.path, 'a-libs')], A)).code, 0);
    assert.equal((await runCli(['location', 'add', photos, '--mode', 'deep', '--generate', 'none'], A)).code, 0);
    const data = randomBytes(SIZE);
    const checksum = blake3(data).toString('hex');
    const vssA = new Installation({ dataDir: A.VSS_DATA_DIR });
    const libA = vssA.openLibrary();
    const contentUuid = [...iterateContents(libA)][0]!.content_uuid;
    new SidecarManager(libA).writeGenerated(sidecarAddress(contentUuid, 'live_photo_video', 'embedded', 'mp4'), data, 'test');
    libA.close();

    // Both daemons on loopback, paired (B joins A's library).
    assert.equal((await runCli(['daemon', 'start', ...LOOPBACK], A)).code, 0);
    assert.equal((await runCli(['daemon', 'start', ...LOOPBACK], B)).code, 0);
    const addrA = json<Status>(await runCli(['daemon', 'status', '--json'], A)).listen[0]!;
    const pairing = spawn(process.execPath, [VSS_BIN, 'pair', 'start', '--json'], { env: { ...process.env, ...A }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(pairing);
    const code = await pairingCodeOf(pairing);
    assert.equal((await runCli(['pair', 'join', ...code, '--peer', addrA, '--json'], B)).code, 0);
    await until("A's digest at B", 30_000, async () => ((json<PeerStatus[]>(await runCli(['sync', 'status', '--json'], B))[0]?.entries ?? 0) >= 1 ? true : undefined));

    // B fetches it slowly (3 MB/s), and is killed once a quarter of it is in its partial.
    assert.equal((await runCli(['sync', 'settings', '--bandwidth', '3M'], B)).code, 0);
    const libB = json<{ path: string }>(await runCli(['library', 'current', '--json'], B)).path;
    const pidB = json<Status>(await runCli(['daemon', 'status', '--json'], B)).pid!;
    const get = spawn(process.execPath, [VSS_BIN, 'sidecars', 'get', contentUuid, 'live_photo_video', 'embedded', '--timeout', '120', '--json'], { env: { ...process.env, ...B }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(get);
    const atKill = await until('a partial of 8 MiB at B', 60_000, async () => {
      const p = partials(libB).find((x) => x.size >= KILL_AFTER);
      return p && p.size < SIZE ? p : undefined;
    }, 50);
    process.kill(pidB, 'SIGKILL');
    await until('the killed daemon gone', 10_000, async () => (existsSync(`/proc/${pidB}`) ? undefined : true));
    await until('the waiting `sidecars get` ended', 30_000, async () => (get.exitCode !== null || get.signalCode !== null ? true : undefined));

    // B starts again, unthrottled: the partial is still there, and the same request resumes from it.
    assert.equal((await runCli(['sync', 'settings', '--bandwidth', 'unlimited'], B)).code, 0);
    assert.equal((await runCli(['daemon', 'start', ...LOOPBACK], B)).code, 0);
    await until('A online for B again', 45_000, async () => (json<PeerStatus[]>(await runCli(['sync', 'status', '--json'], B))[0]?.online ? true : undefined));
    await sleep(1000); // the restart's reconcile has swept the library by now
    const kept = partials(libB);
    assert.equal(kept.length, 1, `the partial survived the restart: ${JSON.stringify(kept)}`);
    assert.ok(kept[0]!.size >= atKill.size, `no less than at the kill (${kept[0]!.size} of ${atKill.size})`);

    const got = json<{ state: string; from?: string }>(await runCli(['sidecars', 'get', contentUuid, 'live_photo_video', 'embedded', '--timeout', '120', '--json'], B));
    assert.equal(got.state, 'fetched', JSON.stringify(got));
    const row = json<Sidecar[]>(await runCli(['sidecars', 'list', '--json'], B)).find((s) => s.kind === 'live_photo_video');
    assert.deepEqual({ status: row?.status, source: row?.source, checksum: row?.checksum }, { status: 'ready', source: 'fetched', checksum });
    const counted = json<PeerStatus[]>(await runCli(['sync', 'status', '--json'], B))[0]!;
    assert.equal(counted.files_fetched, 1);
    assert.ok(counted.bytes_fetched <= SIZE - atKill.size, `resumed: A sent ${counted.bytes_fetched} bytes after the kill, the partial held ${atKill.size} of ${SIZE}`);
    assert.deepEqual(partials(libB), [], 'no partial is left');
    console.log(`# killed at ${(atKill.size / MiB).toFixed(1)} MiB of ${SIZE / MiB}; after the restart A sent ${(counted.bytes_fetched / MiB).toFixed(1)} MiB`);
  });
});
