import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ActionInfo } from '../src/api/index.js';
import { json, runCli, tempDir, type CliResult } from './helpers.js';
import { makeLoopVolume, type LoopVolume } from './loop-volume.js';

/**
 * A library through the real CLI (no daemon) with a location on this machine's disk (`photos`,
 * with a folder `sub`) and one on another drive (`backup`, on an ext4 image on a loop device): what the Guardian's
 * tests count copies across. Tests that use it skip with `loopSkipReason()`.
 */
export interface TwoDrives {
  env: Record<string, string>;
  tmp: string;
  photos: string;
  backup: string;
  drive: LoopVolume;
  /** `vss ARGS`, which must exit 0. */
  cli(...args: string[]): Promise<CliResult>;
  /** The content uuid of NAME in FOLDER (`ls`), undefined when it has none. */
  uuidAt(folder: string, name: string): Promise<string | undefined>;
  /** What a dry run must leave alone: how many jobs and actions there are. */
  traces(): Promise<{ jobs: number; actions: number }>;
  stop(): void;
}

/**
 * Make it: the drive of SIZEMIB, FILES written first (paths under `photos/` or `backup/`), the
 * library "G", BEFORELOCATIONS (a change to the library before it indexes), then both locations.
 * RUN runs each `vss` call: a child process each (runCli) unless the test passes the CLI in its own
 * process (cliHere, test/support/cli-here.ts), for tests about what the calls do, not their process.
 */
export async function twoDrives(prefix: string, o: { sizeMiB: number; files: Record<string, string>; beforeLocations?: (libsDir: string) => void; run?: (args: string[], env: Record<string, string>) => Promise<CliResult> }): Promise<TwoDrives> {
  const tmp = tempDir(prefix);
  const env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_NO_DAEMON: '1' };
  const drive = makeLoopVolume({ sizeMiB: o.sizeMiB });
  const photos = join(tmp.path, 'photos');
  const backup = join(drive.mountPoint!, 'backup');
  const cli = async (...args: string[]): Promise<CliResult> => {
    const r = await (o.run ?? runCli)(args, env);
    assert.equal(r.code, 0, `vss ${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  const t: TwoDrives = {
    env, tmp: tmp.path, photos, backup, drive, cli,
    uuidAt: async (folder, name) => json<Array<{ name: string; content_uuid: string | null }>>(await cli('--json', 'ls', folder)).find((i) => i.name === name)?.content_uuid ?? undefined,
    traces: async () => ({
      jobs: json<unknown[]>(await cli('--json', 'jobs', 'list')).length,
      actions: json<ActionInfo[]>(await cli('--json', 'actions', 'list')).length,
    }),
    stop: () => {
      drive.remove();
      tmp.cleanup();
    },
  };
  try {
    mkdirSync(join(photos, 'sub'), { recursive: true });
    mkdirSync(backup);
    for (const [rel, text] of Object.entries(o.files)) {
      const path = join(rel.startsWith('backup/') ? drive.mountPoint! : tmp.path, rel);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    }
    await cli('library', 'create', 'G', '--path', join(tmp.path, 'libs'));
    o.beforeLocations?.(join(tmp.path, 'libs'));
    await cli('location', 'add', photos, '--mode', 'content');
    await cli('location', 'add', backup, '--mode', 'content');
    return t;
  } catch (err) {
    t.stop();
    throw err;
  }
}
