import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { FIXTURES, FIXTURES_SKIP, VSS_BIN, json, tempDir, until, within } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';

interface Sidecar { content_uuid: string; kind: string; variant: string; status: string; source: string; checksum: string | null; path: string | null }
interface Status { listen: string[] }
interface Device { id: string; online: boolean }
type Resolved = { state: 'local' | 'generated'; path: string } | { state: 'fetched'; path: string; from: string } | { state: 'unavailable'; reason: string };

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0'];
const GENERATE = 'thumb=grid@1x';


/** Pair JOINER with HOST: `pair start` there, `pair join` here, both through their daemons. */
async function pair(host: Record<string, string>, joiner: Record<string, string>): Promise<void> {
  const addr = json<Status>(await runCli(['daemon', 'status', '--json'], host)).listen[0]!;
  const starter = spawn(process.execPath, [VSS_BIN, 'pair', 'start', '--json'], { env: { ...process.env, ...host }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((r) => starter.on('exit', (c) => r(c)));
  try {
    const line = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no pairing code within 20 s')), 20_000);
      createInterface({ input: starter.stdout }).once('line', (l) => {
        clearTimeout(t);
        resolve(l);
      });
    });
    const joined = await runCli(['pair', 'join', ...(JSON.parse(line) as { code: string }).code.split(' '), '--peer', addr], joiner);
    assert.equal(joined.code, 0, joined.stderr);
    assert.equal(await within('pair start ends once paired', 30_000, exited), 0);
  } finally {
    if (starter.exitCode === null) starter.kill('SIGTERM');
  }
}

/**
 * Seed 002's second scenario between three real daemons: C is paired with A and B, which both
 * hold the thumbnails; a copy corrupted behind its owner's back is refused and taken from the
 * other; with one source stopped the other serves; with none, C makes it itself.
 */
describe('three devices: two sources, lies, fallbacks', { skip: FIXTURES_SKIP }, () => {
  const tmp = tempDir('vss-sync3-');
  const env = (n: string) => ({ VSS_DATA_DIR: join(tmp.path, n) });
  const [A, B, C] = [env('a'), env('b'), env('c')];
  const photos = join(tmp.path, 'photos');
  after(async () => {
    await Promise.all([A, B, C].map((e) => runCli(['daemon', 'stop'], e)));
    tmp.cleanup();
  });

  it('fetches from the source that tells the truth, falls back to the other, then makes it locally', async () => {
    mkdirSync(photos);
    const names = ['canon.jpg', 'l1.jpg', 'l6.jpg', 'p6.jpg'];
    copyFileSync(join(FIXTURES, 'exif', 'Canon_40D.jpg'), join(photos, names[0]!));
    copyFileSync(join(FIXTURES, 'exif', 'orientation', 'landscape_1.jpg'), join(photos, names[1]!));
    copyFileSync(join(FIXTURES, 'exif', 'orientation', 'landscape_6.jpg'), join(photos, names[2]!));
    copyFileSync(join(FIXTURES, 'exif', 'orientation', 'portrait_6.jpg'), join(photos, names[3]!));

    assert.equal((await runCli(['library', 'create', 'Shared', '--path', join(tmp.path, 'a-libs')], A)).code, 0);
    for (const e of [A, B, C]) assert.equal((await runCli(['daemon', 'start', ...LOOPBACK], e)).code, 0);
    // `auto` makes a thumbnail here once a fetch is estimated slower than 0.5 s, as it can be on a loaded
    // machine; this test is about where a fetched copy comes from, so B and C always fetch first.
    for (const e of [B, C]) assert.equal((await runCli(['sync', 'settings', '--prefer', 'fetch'], e)).code, 0);
    assert.equal((await runCli(['location', 'add', photos, '--mode', 'deep', '--generate', GENERATE], A)).code, 0);
    assert.equal((await runCli(['jobs', 'run', '--until-idle'], A)).code, 0);
    const onA = json<Sidecar[]>(await runCli(['sidecars', 'list', '--kind', 'thumb', '--json'], A));
    assert.equal(onA.length, names.length);

    // B joins A and gets the thumbnails; C joins both, but fetches nothing until asked.
    await pair(A, B);
    // What A has reaches B with A's first digest; a job B ran before it arrived would make its own thumbnail.
    await until("A's digest at B", 30_000, async () => {
      const status = json<Array<{ entries: number }>>(await runCli(['sync', 'status', '--json'], B));
      if ((status[0]?.entries ?? 0) >= names.length) return true;
      throw new Error(`sync ${JSON.stringify(status)}`);
    });
    assert.equal((await runCli(['location', 'add', photos, '--mode', 'deep', '--generate', GENERATE], B)).code, 0);
    await until('B has every thumbnail, fetched', 60_000, async () => {
      const rows = json<Sidecar[]>(await runCli(['sidecars', 'list', '--kind', 'thumb', '--json'], B));
      if (rows.length === names.length && rows.every((r) => r.status === 'ready' && r.source === 'fetched')) return rows;
      throw new Error(`thumbs ${JSON.stringify(rows.map((r) => [r.status, r.source]))}`);
    });
    assert.equal((await runCli(['sync', 'settings', '--eager', ''], C)).code, 0, 'no prefetch on C: it fetches only what it is asked for');
    await pair(A, C);
    await pair(B, C);
    assert.equal((await runCli(['location', 'add', photos, '--mode', 'content'], C)).code, 0);
    await until('C sees A and B online and knows what they have', 30_000, async () => {
      const devices = json<Device[]>(await runCli(['devices', 'list', '--json'], C));
      const status = json<Array<{ entries: number }>>(await runCli(['sync', 'status', '--json'], C));
      if (devices.length === 2 && devices.every((d) => d.online) && status.every((s) => s.entries >= names.length)) return true;
      throw new Error(`devices ${JSON.stringify(devices)}, sync ${JSON.stringify(status)}`);
    });
    const deviceB = json<{ id: string }>(await runCli(['device', 'info', '--json'], B)).id;
    const deviceA = json<{ id: string }>(await runCli(['device', 'info', '--json'], A)).id;

    // A's copy of the first thumbnail is corrupted behind A's back (same size, other bytes).
    const [first, second, third] = onA as [Sidecar, Sidecar, Sidecar, ...Sidecar[]];
    const bytes = readFileSync(first.path!);
    const mid = Math.floor(bytes.length / 2);
    bytes[mid] = bytes[mid]! ^ 0xff;
    writeFileSync(first.path!, bytes);
    const got1 = json<Resolved>(await runCli(['sidecars', 'get', first.content_uuid, 'thumb', 'grid@1x', '--json'], C));
    assert.equal(got1.state, 'fetched', JSON.stringify(got1));
    assert.equal((got1 as { from: string }).from, deviceB, 'the true copy came from B');
    const row1 = json<Sidecar[]>(await runCli(['sidecars', 'list', '--content', first.content_uuid, '--kind', 'thumb', '--json'], C))[0]!;
    assert.equal(row1.checksum, first.checksum, 'what C recorded is what A made, not what A now holds');

    // B stops: A serves.
    assert.equal((await runCli(['daemon', 'stop'], B)).code, 0);
    const got2 = json<Resolved>(await runCli(['sidecars', 'get', second.content_uuid, 'thumb', 'grid@1x', '--json'], C));
    assert.equal(got2.state, 'fetched', JSON.stringify(got2));
    assert.equal((got2 as { from: string }).from, deviceA);

    // A stops too: C makes it itself from its own copy.
    assert.equal((await runCli(['daemon', 'stop'], A)).code, 0);
    const got3 = json<Resolved>(await runCli(['sidecars', 'get', third.content_uuid, 'thumb', 'grid@1x', '--timeout', '60', '--json'], C));
    assert.equal(got3.state, 'generated', JSON.stringify(got3));
    const rows = json<Sidecar[]>(await runCli(['sidecars', 'list', '--kind', 'thumb', '--json'], C));
    const bySource = (s: string) => rows.filter((r) => r.status === 'ready' && r.source === s).length;
    assert.equal(bySource('fetched'), 2);
    assert.equal(bySource('generated'), 1);
    assert.ok(rows.every((r) => r.status !== 'ready' || r.checksum !== null), 'nothing ready without its checksum');
  });
});
