import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateMnemonic } from '@scure/bip39';
import { wordlist as english } from '@scure/bip39/wordlists/english.js';
import { FIXTURES, FIXTURES_SKIP, VSS_BIN, json, tempDir, until, within } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';

interface Sidecar { content_uuid: string; kind: string; variant: string; status: string; source: string; checksum: string | null; path: string | null }
interface Status { running: boolean; peer_id: string | null; listen: string[] }
interface Paired { device_id: string; name: string; library_id: string; library_path: string }
interface Device { id: string; name: string; online: boolean }
interface PeerStatus { device_id: string; online: boolean; seq: number; entries: number; files_fetched: number; bytes_fetched: number }
interface Presence { content_uuid: string; variant: string; local: boolean; devices: string[] }

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0'];
const GENERATE = 'thumb=grid@1x,ocr';


/** `vss pair start --json` running in the background: its lines as they come. */
function startPairing(env: Record<string, string>): { child: ChildProcess; next(ms: number): Promise<Record<string, unknown>>; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [VSS_BIN, 'pair', 'start', '--json'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let wake: (() => void) | undefined;
  createInterface({ input: child.stdout! }).on('line', (l) => {
    lines.push(l);
    wake?.();
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return {
    child,
    exit,
    async next(ms: number) {
      const deadline = Date.now() + ms;
      while (lines.length === 0) {
        if (Date.now() > deadline) throw new Error(`pair start said nothing within ${ms} ms; stderr: ${stderr}`);
        await Promise.race([new Promise<void>((r) => (wake = r)), sleep(100)]);
      }
      return JSON.parse(lines.shift()!) as Record<string, unknown>;
    },
  };
}

describe('two devices: pairing, then sidecars made once and fetched verified', { skip: FIXTURES_SKIP }, () => {
  const tmp = tempDir('vss-sync2-');
  const envA = { VSS_DATA_DIR: join(tmp.path, 'a') };
  const envB = { VSS_DATA_DIR: join(tmp.path, 'b') };
  const envC = { VSS_DATA_DIR: join(tmp.path, 'c') };
  const photos = join(tmp.path, 'photos');
  const children: ChildProcess[] = [];
  after(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    await Promise.all([runCli(['daemon', 'stop'], envA), runCli(['daemon', 'stop'], envB), runCli(['daemon', 'stop'], envC)]);
    tmp.cleanup();
  });

  it('pairs with the right code after a wrong one; the joiner gets thumbnails and OCR it never made', async () => {
    mkdirSync(photos);
    copyFileSync(join(FIXTURES, 'exif', 'Canon_40D.jpg'), join(photos, 'canon.jpg'));
    copyFileSync(join(FIXTURES, 'exif', 'orientation', 'landscape_6.jpg'), join(photos, 'landscape.jpg'));
    copyFileSync(join(FIXTURES, 'ocr', 'tesseract.js', 'simple.png'), join(photos, 'scan.png'));

    // The laptop: a library, its daemon on loopback, the folder indexed and its sidecars made.
    assert.equal((await runCli(['library', 'create', 'Photos', '--path', join(tmp.path, 'a-libs')], envA)).code, 0);
    const startA = await runCli(['daemon', 'start', ...LOOPBACK], envA);
    assert.equal(startA.code, 0, startA.stderr);
    const statusA = json<Status>(await runCli(['daemon', 'status', '--json'], envA));
    assert.ok(statusA.peer_id, 'the peer id is shown');
    assert.match(statusA.listen[0] ?? '', /^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\//, 'listening on loopback as asked');
    assert.equal((await runCli(['location', 'add', photos, '--mode', 'deep', '--generate', GENERATE], envA)).code, 0);
    assert.equal((await runCli(['jobs', 'run', '--until-idle', '--json'], envA)).code, 0);
    const made = json<Sidecar[]>(await runCli(['sidecars', 'list', '--json'], envA)).filter((s) => s.kind === 'thumb' || s.kind === 'ocr');
    assert.ok(made.length >= 4, `thumbnails and OCR made on A: ${JSON.stringify(made.map((s) => [s.kind, s.status]))}`);
    assert.ok(made.every((s) => s.status === 'ready' && s.source === 'generated'));

    // The other machine: its own daemon, no library yet.
    assert.equal((await runCli(['daemon', 'start', ...LOOPBACK], envB)).code, 0);
    const deviceB = json<{ id: string }>(await runCli(['device', 'info', '--json'], envB));
    const deviceA = json<{ id: string }>(await runCli(['device', 'info', '--json'], envA));

    const pairing = startPairing(envA);
    children.push(pairing.child);
    const code = await pairing.next(20_000);
    const words = String(code.code).split(' ');
    assert.equal(words.length, 12);
    assert.ok(Date.parse(String(code.expires_at)) > Date.now() + 60_000, 'the code lasts minutes');

    // A word not in the list (a swapped real word passes the 4-bit checksum one time in 16).
    const typo = [...words];
    typo[3] = `${typo[3]}x`;
    const mistyped = await runCli(['pair', 'join', ...typo, '--peer', statusA.listen[0]!], envB);
    assert.equal(mistyped.code, 2, `a mistyped code is caught before anything is sent: ${mistyped.stderr}`);
    assert.match(mistyped.stderr, /word/i);
    const other = generateMnemonic(english, 128).split(' ');
    const refused = await runCli(['pair', 'join', ...other, '--peer', statusA.listen[0]!], envB);
    assert.equal(refused.code, 1, `another valid code fails: ${refused.stderr}`);
    assert.match(refused.stderr, /code/i);

    const joined = json<Paired>(await runCli(['pair', 'join', ...words, '--peer', statusA.listen[0]!, '--json'], envB));
    assert.equal(joined.device_id, deviceA.id);
    const libA = json<{ id: string }>(await runCli(['library', 'current', '--json'], envA));
    assert.equal(joined.library_id, libA.id, 'the joiner takes part in the same library');
    const initiatorSaw = await pairing.next(20_000);
    assert.equal(initiatorSaw.device_id, deviceB.id);
    assert.equal(await within('pair start ends once paired', 30_000, pairing.exit), 0);

    // The code was used: a third device cannot use it again.
    assert.equal((await runCli(['daemon', 'start', ...LOOPBACK], envC)).code, 0);
    const reused = await runCli(['pair', 'join', ...words, '--peer', statusA.listen[0]!], envC);
    assert.equal(reused.code, 1, 'a used code fails');

    // Both list each other, online.
    const listB = json<Device[]>(await runCli(['devices', 'list', '--json'], envB));
    assert.deepEqual(listB.map((d) => d.id), [deviceA.id]);
    await until('A online for B', 15_000, async () => (json<Device[]>(await runCli(['devices', 'list', '--json'], envB))[0]?.online ? true : undefined));
    // Each remembers where the other listens (the joiner was a stranger on the pairing's connection: asked again once paired).
    const listenB = json<Status>(await runCli(['daemon', 'status', '--json'], envB)).listen[0]!;
    const addrsOf = (dataDir: string, device: string) =>
      (JSON.parse(readFileSync(join(dataDir, 'paired-devices.json'), 'utf8')) as { devices: Array<{ device_uuid: string; addrs: string[] }> }).devices.find((d) => d.device_uuid === device)?.addrs ?? [];
    await until('A remembers where B listens', 15_000, async () => (addrsOf(envA.VSS_DATA_DIR, deviceB.id).includes(listenB) ? true : undefined));
    assert.ok(addrsOf(envB.VSS_DATA_DIR, deviceA.id).includes(statusA.listen[0]!), 'B remembers where A listens');
    assert.deepEqual(json<Device[]>(await runCli(['devices', 'list', '--json'], envC)), [], 'the unpaired device has no one');

    // What A has reaches B when they connect (its first digest); jobs B runs before it arrives would make their own.
    await until("A's digest at B", 30_000, async () => ((json<PeerStatus[]>(await runCli(['sync', 'status', '--json'], envB))[0]?.entries ?? 0) >= made.length ? true : undefined));
    // `auto` makes a thumbnail here once a fetch is estimated slower than 0.5 s, as it can be on a loaded
    // machine; this test is about fetching, so B always fetches first.
    assert.equal((await runCli(['sync', 'settings', '--prefer', 'fetch'], envB)).code, 0);
    // B indexes the same folder: what A has is fetched, never made.
    assert.equal((await runCli(['location', 'add', photos, '--mode', 'deep', '--generate', GENERATE], envB)).code, 0);
    const fetched = await until('B has every sidecar A made', 60_000, async () => {
      const rows = json<Sidecar[]>(await runCli(['sidecars', 'list', '--json'], envB)).filter((s) => s.kind === 'thumb' || s.kind === 'ocr');
      return rows.length === made.length && rows.every((r) => r.status === 'ready') ? rows : undefined;
    });
    for (const r of fetched) {
      const mine = made.find((m) => m.content_uuid === r.content_uuid && m.kind === r.kind && m.variant === r.variant);
      assert.ok(mine, `${r.kind}/${r.variant} is one A made`);
      assert.equal(r.source, 'fetched', `${r.kind}/${r.variant} of ${r.content_uuid} was fetched, not made`);
      assert.equal(r.checksum, mine.checksum, 'the same bytes, verified');
    }

    const thumbs = fetched.filter((r) => r.kind === 'thumb');
    const presence = json<Presence[]>(await runCli(['sidecars', 'presence', ...thumbs.map((t) => t.content_uuid), '--kind', 'thumb', '--variants', 'grid@1x', '--json'], envB));
    for (const p of presence) {
      assert.equal(p.local, true, 'presence says local');
      assert.ok(p.devices.includes(deviceA.id) && p.devices.includes(deviceB.id), `both devices have it: ${JSON.stringify(p.devices)}`);
    }

    const sync = json<PeerStatus[]>(await runCli(['sync', 'status', '--json'], envB));
    assert.equal(sync.length, 1);
    assert.equal(sync[0]!.device_id, deviceA.id);
    assert.ok(sync[0]!.entries >= made.length, `A's entries are known: ${JSON.stringify(sync[0])}`);
    assert.equal(sync[0]!.files_fetched, made.length);

    // `sidecars get` answers from here now.
    const got = json<{ state: string; path: string }>(await runCli(['sidecars', 'get', thumbs[0]!.content_uuid, 'thumb', 'grid@1x', '--json'], envB));
    assert.equal(got.state, 'local');
  });

  it('availability survives a restart of either side; unpairing forgets it', async () => {
    const deviceA = json<{ id: string }>(await runCli(['device', 'info', '--json'], envA));
    const before = json<PeerStatus[]>(await runCli(['sync', 'status', '--json'], envB))[0]!;
    assert.equal((await runCli(['daemon', 'stop'], envB)).code, 0);
    const offline = json<PeerStatus[]>(await runCli(['sync', 'status', '--json'], envB))[0]!;
    assert.equal(offline.entries, before.entries, 'kept on disk while the daemon is down');
    assert.equal((await runCli(['daemon', 'start', ...LOOPBACK], envB)).code, 0);
    // One side at a time: B, on a new port, dials A back, and A keeps where B listens now, before A
    // restarts too (were both to move at once, neither would know where the other went: loopback
    // here has no discovery to find it).
    const deviceB = json<{ id: string }>(await runCli(['device', 'info', '--json'], envB));
    const listenB = json<Status>(await runCli(['daemon', 'status', '--json'], envB)).listen[0]!;
    const addrsOfB = () => (JSON.parse(readFileSync(join(envA.VSS_DATA_DIR, 'paired-devices.json'), 'utf8')) as { devices: Array<{ device_uuid: string; addrs: string[] }> }).devices.find((d) => d.device_uuid === deviceB.id)?.addrs ?? [];
    await until('A knows where B listens now', 45_000, async () => (addrsOfB().includes(listenB) ? true : undefined));
    assert.equal((await runCli(['daemon', 'stop'], envA)).code, 0);
    assert.equal((await runCli(['daemon', 'start', ...LOOPBACK], envA)).code, 0);
    // A listens on a new port now: B finds it again because A dials the devices it knows.
    await until('A and B connected again', 45_000, async () => (json<Device[]>(await runCli(['devices', 'list', '--json'], envB))[0]?.online ? true : undefined));
    const again = json<PeerStatus[]>(await runCli(['sync', 'status', '--json'], envB))[0]!;
    assert.equal(again.entries, before.entries);

    // A made the library: only a device that may admit removes it (N2), so A lets B admit first; refused whole, nothing changed, until B has heard it.
    const granted = await runCli(['devices', 'rights', deviceB.id, 'admit', 'remove', 'relay'], envA);
    assert.equal(granted.code, 0, granted.stderr);
    let refused = '';
    await until('B may remove A', 30_000, async () => {
      const gone = await runCli(['devices', 'unpair', deviceA.id, '--json'], envB);
      refused = gone.stderr;
      return gone.code === 0 ? true : undefined;
    }, 250).catch((err: Error) => assert.fail(`${err.message}: ${refused}`));
    assert.deepEqual(json<Device[]>(await runCli(['devices', 'list', '--json'], envB)), []);
    assert.deepEqual(json<PeerStatus[]>(await runCli(['sync', 'status', '--json'], envB)), [], 'its availability is forgotten');
  });
});
