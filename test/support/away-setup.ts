import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { json, tempDir, until, type CliResult } from '../helpers.js';
import { pairDaemons } from '../sync-peers.js';
import { cliHere } from './cli-here.js';

/** Why a test of browsers away from home cannot run here, or false. */
export const AWAY_SKIP: string | false = spawnSync('openssl', ['version']).status === 0 ? false : 'openssl is not installed (it makes the box\'s certificate)';

interface Status { peer_id: string; listen: string[]; web_urls: string[] }

/** A relay box serving browsers and a home device paired with it, holding a slot there (issue 46 item 4). */
export interface AwaySetup {
  tmp: string;
  BOX: Record<string, string>;
  HOME: Record<string, string>;
  /** Every byte the box carried in its circuits, as it could read them (`VSS_RELAY_TAP`). */
  tap: string;
  /** The home's location (files put there are indexed by its daemon). */
  photos: string;
  /** The box's certificate (PEM) and its SPKI's SHA-256, base64 (what Chromium is told to trust). */
  cert: string;
  spki: string;
  /** Where browsers open the box: https://localhost:PORT/ui/. */
  boxWeb: string;
  home: string;
  /** The home through the box, over TCP (what a libp2p peer in Node dials). */
  circuit: string;
  cli(env: Record<string, string>, ...args: string[]): Promise<CliResult>;
  stop(): Promise<void>;
}

/** PREFIX names its temporary folder; BOXARGS are more of the box's `daemon start` flags (a `--relay-rate`). */
export async function awaySetup(prefix: string, opts: { boxArgs?: string[] } = {}): Promise<AwaySetup> {
  const dir = tempDir(prefix);
  const tap = join(dir.path, 'box-tap.bin');
  const BOX = { VSS_DATA_DIR: join(dir.path, 'box'), VSS_RELAY_TAP: tap };
  const HOME = { VSS_DATA_DIR: join(dir.path, 'home') };
  const cli = async (env: Record<string, string>, ...args: string[]): Promise<CliResult> => {
    const r = await cliHere(args, env);
    assert.equal(r.code, 0, `vss ${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  const status = async (env: Record<string, string>) => json<Status>(await cli(env, '--json', 'daemon', 'status'));
  const stop = async () => {
    await Promise.all([cliHere(['daemon', 'stop'], BOX), cliHere(['daemon', 'stop'], HOME)]);
    if (!process.env.VSS_TEST_KEEP) dir.cleanup();
  };
  try {
    const cert = join(dir.path, 'box.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=box',
      '-addext', 'subjectAltName=DNS:localhost', '-keyout', `${cert}.key`, '-out', cert], { stdio: 'ignore' });
    const spkiDer = execFileSync('openssl', ['x509', '-in', cert, '-pubkey', '-noout']);
    const der = execFileSync('openssl', ['pkey', '-pubin', '-outform', 'der'], { input: spkiDer });
    const spki = execFileSync('openssl', ['dgst', '-sha256', '-binary'], { input: der }).toString('base64');
    await cli(BOX, 'device', 'rename', 'Box');
    await cli(HOME, 'device', 'rename', 'Home');
    const photos = join(dir.path, 'photos');
    mkdirSync(photos);
    await cli(HOME, 'library', 'create', 'Home', '--path', join(dir.path, 'libs'));
    await cli(HOME, 'location', 'add', photos);
    const loopback = ['--listen', '/ip4/127.0.0.1/tcp/0'];
    await cli(BOX, 'daemon', 'start', '--relay', ...loopback, '--box-web', '0', '--box-cert', cert, '--box-key', `${cert}.key`, ...(opts.boxArgs ?? []));
    await cli(HOME, 'daemon', 'start', ...loopback);
    await pairDaemons(BOX, HOME);
    const box = await status(BOX);
    const home = (await status(HOME)).peer_id;
    // The home holds a slot on the box, and lists its address through the box's secure WebSocket.
    await until('the home lists an address through the box\'s WSS', 30_000, async () => ((await status(HOME)).listen.some((a) => a.includes('/tls/ws/') && a.includes('/p2p-circuit')) ? true : undefined));
    return {
      tmp: dir.path, BOX, HOME, tap, photos, cert, spki, boxWeb: box.web_urls[0]!, home,
      circuit: `${box.listen.find((a) => a.startsWith('/ip4/'))!}/p2p-circuit/p2p/${home}`,
      cli, stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * How many of 20 windows of 32 bytes spread over PLAIN appear in CARRIED (what a relay box carried,
 * `VSS_RELAY_TAP`): 0 when the box saw only ciphertext of it.
 */
export function plaintextWindowsIn(carried: Buffer, plain: Buffer): number {
  const windows = Array.from({ length: 20 }, (_, i) => {
    const at = Math.floor((i * (plain.length - 32)) / 20);
    return plain.subarray(at, at + 32);
  });
  return windows.filter((w) => carried.includes(w)).length;
}

/** Every file under DIR (none when it is not there). */
export function filesUnder(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((n) => (statSync(join(dir, n)).isDirectory() ? filesUnder(join(dir, n)) : [join(dir, n)]));
}
