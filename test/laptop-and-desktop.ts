import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runCli, tempDir, type CliResult } from './helpers.js';
import { pairDaemons } from './sync-peers.js';

export const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0'];

/**
 * Two real daemons over loopback as the library-across-devices tests meet them: "Laptop" (A) with
 * the library "Home" and its folder PHOTOS as location "Photos"; "Desktop" (B), paired with it by
 * code at its address, with DOCUMENTS as location "Documents". Each test writes its files first.
 */
export interface LaptopAndDesktop {
  tmp: { path: string };
  A: { VSS_DATA_DIR: string };
  B: { VSS_DATA_DIR: string };
  photos: string;
  documents: string;
  /** `vss ARGS` on ENV's data dir, which must exit 0. */
  ok(env: Record<string, string>, ...args: string[]): Promise<CliResult>;
  /** Name the two, start their daemons, make the library and the laptop's location, pair, add the desktop's location. */
  setUp(): Promise<void>;
  /** Stop both daemons and remove everything. */
  stop(): Promise<void>;
}

/**
 * CLI runs each `vss` call: a child process each (runCli) unless the test passes the CLI in its own
 * process (cliHere, test/support/cli-here.ts), for tests about what the calls do, not their process.
 */
export function laptopAndDesktop(prefix: string, cli: (args: string[], env: Record<string, string>) => Promise<CliResult> = runCli): LaptopAndDesktop {
  const tmp = tempDir(prefix);
  const A = { VSS_DATA_DIR: join(tmp.path, 'a') };
  const B = { VSS_DATA_DIR: join(tmp.path, 'b') };
  const photos = join(tmp.path, 'photos');
  const documents = join(tmp.path, 'documents');
  const ok = async (env: Record<string, string>, ...args: string[]): Promise<CliResult> => {
    const r = await cli(args, env);
    assert.equal(r.code, 0, `vss ${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  return {
    tmp, A, B, photos, documents, ok,
    async setUp() {
      mkdirSync(photos, { recursive: true });
      mkdirSync(documents, { recursive: true });
      await ok(A, 'library', 'create', 'Home', '--path', join(tmp.path, 'a-libs'));
      await ok(A, 'device', 'rename', 'Laptop');
      await ok(B, 'device', 'rename', 'Desktop');
      await ok(A, 'daemon', 'start', ...LOOPBACK);
      await ok(B, 'daemon', 'start', ...LOOPBACK);
      await ok(A, 'location', 'add', photos, '--name', 'Photos', '--mode', 'content');
      await pairDaemons(A, B);
      await ok(B, 'location', 'add', documents, '--name', 'Documents', '--mode', 'content');
    },
    async stop() {
      await Promise.all([cli(['daemon', 'stop'], A), cli(['daemon', 'stop'], B)]);
      tmp.cleanup();
    },
  };
}

/** Write TEXT at PATH, its folders made. */
export function writeText(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}
