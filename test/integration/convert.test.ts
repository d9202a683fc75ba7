import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { blake3 } from '@napi-rs/blake-hash';
import sharp from 'sharp';
import { Vss, addLocation, scanLocation, iterateContents } from '../internals.js';
import { SidecarManager } from '../../src/sidecars/manager.js';
import { convertReferences } from '../../src/sidecars/convert.js';
import { sidecarAbsPath, sidecarAddress } from '../../src/sidecars/address.js';
import { REPO, tempDir } from '../helpers.js';
import { entriesOf, entryAt } from '../support/entries.js';

const MOVIE = randomBytes(3 * 1024 * 1024 + 17);

/**
 * A library with one still whose movie is recorded as a reference sidecar, or (SHARED) with two
 * stills of other bytes (an edited copy) whose movie is the same file.
 */
async function setup(locationParent: string, shared = false) {
  const tmp = tempDir();
  const tree = mkdtempSync(join(locationParent, 'vss-convert-'));
  const names = shared ? ['IMG_1 copy.jpg', 'IMG_1.jpg'] : ['IMG_1.jpg'];
  for (const [i, name] of names.entries()) {
    await sharp({ create: { width: 4, height: 4, channels: 3, background: i ? '#123' : '#321' } }).jpeg().toFile(join(tree, name));
  }
  writeFileSync(join(tree, 'IMG_1.mov'), MOVIE);
  const dataDir = join(tmp.path, 'data');
  const vss = new Vss({ dataDir });
  const lib = vss.createLibrary('C', tmp.path);
  const location = addLocation(lib, tree).id;
  await scanLocation(lib, location);
  const realTree = lib.store.locations.byId(location)!.path;
  const stillOf = (name: string) => [...iterateContents(lib)].find((c) => c.paths.includes(join(realTree, name)))!.content_uuid;
  const movieEntry = entryAt(lib, 'IMG_1.mov')!.id;
  const stills = names.map(stillOf);
  for (const still of stills) {
    new SidecarManager(lib).createReferenceSidecar({
      contentUuid: still, kind: 'live_photo_video', variant: 'original', format: 'mov', sourceEntryId: movieEntry,
      size: MOVIE.length, checksum: blake3(MOVIE).toString('hex'),
    });
  }
  const root = lib.root;
  lib.close();
  const managedOf = (still: string) => sidecarAbsPath(root, sidecarAddress(still, 'live_photo_video', 'original', 'mov'));
  // The same-named still (IMG_1.jpg) is the last one recorded, so not the first by id.
  const still = stills[stills.length - 1]!;
  return {
    dataDir, root, tree, still, stills, managed: managedOf(still), managedAll: stills.map(managedOf),
    cleanup: () => { tmp.cleanup(); rmSync(tree, { recursive: true, force: true }); },
  };
}

/**
 * Run convertReferences in a child process, dying at a named step. The child loads the
 * installation and the conversion alone, not test/internals.js (every module a test may reach
 * below the API): two dozen children each loading all of it were most of this file's CPU.
 */
function convertInChild(dataDir: string, root: string, crashAt: string): Promise<number | null> {
  const script = `
    const { Installation: Vss } = await import(${JSON.stringify(join(REPO, 'dist/src/library/installation.js'))});
    const { convertReferences } = await import(${JSON.stringify(join(REPO, 'dist/src/sidecars/convert.js'))});
    const lib = new Vss({ dataDir: ${JSON.stringify(dataDir)} }).openLibrary(${JSON.stringify(root)});
    const r = await convertReferences(lib);
    lib.close();
    if (r.failed.length) { console.error(JSON.stringify(r.failed)); process.exit(1); }`;
  return new Promise((res) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, VSS_CRASH_AT: crashAt }, stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('close', (code) => res(code));
  });
}

/**
 * Run convertReferences in this process, as a run after a kill does: what is checked of it is what
 * it leaves, not its process (a child each was some 0.3 s of CPU, two dozen of them).
 */
async function convertHere(dataDir: string, root: string): Promise<void> {
  const lib = new Vss({ dataDir }).openLibrary(root);
  try {
    assert.deepEqual((await convertReferences(lib)).failed, [], 'nothing failed to convert');
  } finally {
    lib.close();
  }
}

function assertConverted(s: Awaited<ReturnType<typeof setup>>, vssDataDir: string) {
  for (const managed of s.managedAll) {
    assert.deepEqual(readFileSync(managed), MOVIE, 'the managed copy is byte-exact');
    const leftovers = readdirSync(join(managed, '..')).filter((n) => n !== 'original.mov');
    assert.deepEqual(leftovers, [], 'no temporary files left');
  }
  assert.equal(existsSync(join(s.tree, 'IMG_1.mov')), false, 'exactly one copy: the original is gone');
  const lib = new Vss({ dataDir: vssDataDir }).openLibrary(s.root);
  try {
    for (const [i, still] of s.stills.entries()) {
      const info = new SidecarManager(lib).get(sidecarAddress(still, 'live_photo_video', 'original', 'mov'))!;
      assert.equal(info.source, 'converted');
      assert.equal(info.status, 'ready');
      assert.equal(info.path, s.managedAll[i]);
      const [p] = new SidecarManager(lib).presence([still], 'live_photo_video', ['original']);
      assert.equal(p!.local, true);
    }
    assert.deepEqual(entriesOf(lib).filter((e) => e.name === 'IMG_1.mov'), [], 'the moved file left the index');
    assert.deepEqual(lib.store.conversionJournal.all(), []);
  } finally {
    lib.close();
  }
}

function atLeastOneGoodCopy(s: Awaited<ReturnType<typeof setup>>) {
  const good = [join(s.tree, 'IMG_1.mov'), s.managed].filter((p) => existsSync(p) && readFileSync(p).equals(MOVIE));
  assert.ok(good.length >= 1, 'a crash never loses the movie');
}

/** With a shared movie: the same-named still got the moved file, and each still its own. */
function assertSharedConverted(s: Awaited<ReturnType<typeof setup>>, sameFs: boolean) {
  assertConverted(s, s.dataDir);
  const [copy, own] = s.managedAll.map((p) => statSync(p));
  if (sameFs) assert.equal(copy!.ino, own!.ino, 'one filesystem: one shared file, no bytes copied');
  else assert.notEqual(copy!.ino, own!.ino, 'across filesystems: a copy each');
}

/**
 * A folder on another filesystem than the temporary folder (the library's): memory's where the
 * temporary folder is on the disk, the disk's where TMPDIR is in memory. Undefined: none here.
 */
function otherFilesystem(): string | undefined {
  const here = statSync(tmpdir()).dev;
  return ['/dev/shm', '/var/tmp', homedir()].find((p) => existsSync(p) && statSync(p).dev !== here);
}

for (const [label, across] of [['one filesystem (rename)', false], ['across filesystems (copy, verify, delete)', true]] as const) {
  const locationParent = across ? otherFilesystem() : undefined;
  describe(`convert-references, ${label}`, { skip: across && !locationParent ? 'no folder on another filesystem than the temporary folder\'s' : false }, () => {
    it('moves the file byte-exact into its managed path and records it converted', async () => {
      const s = await setup(locationParent ?? tempDir().path);
      try {
        await convertHere(s.dataDir, s.root);
        assertConverted(s, s.dataDir);
      } finally {
        s.cleanup();
      }
    });

    /** Kill the conversion at STEP, then run it again: one good copy throughout, and the next run finishes. */
    const killedAt = async (step: string, shared: boolean): Promise<void> => {
      const s = await setup(locationParent ?? tempDir().path, shared);
      try {
        const code = await convertInChild(s.dataDir, s.root, step);
        if (step === 'convert:copied' && !locationParent) assert.equal(code, 0, 'a rename has no copy step');
        else assert.equal(code, null, 'the process was killed at that step');
        atLeastOneGoodCopy(s);
        await convertHere(s.dataDir, s.root);
        if (shared) assertSharedConverted(s, !locationParent);
        else assertConverted(s, s.dataDir);
      } finally {
        s.cleanup();
      }
    };

    for (const step of ['convert:journaled', 'convert:copied', 'convert:placed-file', 'convert:recorded', 'convert:deleted-source']) {
      it(`survives a kill at ${step}: one good copy, and the next run finishes`, () => killedAt(step, false));
    }

    it('gives a movie two stills share to both, the same-named one getting the moved file', async () => {
      const s = await setup(locationParent ?? tempDir().path, true);
      try {
        await convertHere(s.dataDir, s.root);
        assertSharedConverted(s, !locationParent);
      } finally {
        s.cleanup();
      }
    });

    for (const step of ['convert:shared', 'convert:journaled', 'convert:copied', 'convert:placed-file', 'convert:recorded', 'convert:deleted-source']) {
      it(`a shared movie survives a kill at ${step}: both stills get it on the next run`, () => killedAt(step, true));
    }
  });
}
