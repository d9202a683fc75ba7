import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { blake3 } from '@napi-rs/blake-hash';
import sharp from 'sharp';
import { Vss, addLocation, scanLocation, iterateContents } from '../internals.js';
import { SidecarManager } from '../../src/sidecars/manager.js';
import { sidecarAbsPath, sidecarAddress } from '../../src/sidecars/address.js';
import { REPO, tempDir } from '../helpers.js';

const MOVIE = randomBytes(3 * 1024 * 1024 + 17);

/** A library with one still whose movie is recorded as a reference sidecar. */
async function setup(locationParent: string) {
  const tmp = tempDir();
  const tree = mkdtempSync(join(locationParent, 'vss-convert-'));
  await sharp({ create: { width: 4, height: 4, channels: 3, background: '#123' } }).jpeg().toFile(join(tree, 'IMG_1.jpg'));
  writeFileSync(join(tree, 'IMG_1.mov'), MOVIE);
  const dataDir = join(tmp.path, 'data');
  const vss = new Vss({ dataDir });
  const lib = vss.createLibrary('C', tmp.path);
  await scanLocation(lib, addLocation(lib, tree).id);
  const still = [...iterateContents(lib)].find((c) => c.kind === 'image')!.content_uuid;
  const movieEntry = (lib.db.prepare("SELECT id FROM entries WHERE name = 'IMG_1.mov'").get() as { id: number }).id;
  new SidecarManager(lib).createReferenceSidecar({
    contentUuid: still, kind: 'live_photo_video', variant: 'original', format: 'mov', sourceEntryId: movieEntry,
    size: MOVIE.length, checksum: blake3(MOVIE).toString('hex'),
  });
  const root = lib.root;
  lib.close();
  const managed = sidecarAbsPath(root, sidecarAddress(still, 'live_photo_video', 'original', 'mov'));
  return { dataDir, root, tree, still, managed, cleanup: () => { tmp.cleanup(); rmSync(tree, { recursive: true, force: true }); } };
}

/** Run convertReferences in a child process, optionally dying at a named step. */
function convertInChild(dataDir: string, root: string, crashAt?: string): Promise<number | null> {
  const script = `
    const { Vss } = await import(${JSON.stringify(join(REPO, 'dist/test/internals.js'))});
    const { convertReferences } = await import(${JSON.stringify(join(REPO, 'dist/src/sidecars/convert.js'))});
    const lib = new Vss({ dataDir: ${JSON.stringify(dataDir)} }).openLibrary(${JSON.stringify(root)});
    const r = await convertReferences(lib);
    lib.close();
    if (r.failed.length) { console.error(JSON.stringify(r.failed)); process.exit(1); }`;
  return new Promise((res) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, VSS_CRASH_AT: crashAt ?? '' }, stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('close', (code) => res(code));
  });
}

function assertConverted(s: Awaited<ReturnType<typeof setup>>, vssDataDir: string) {
  assert.deepEqual(readFileSync(s.managed), MOVIE, 'the managed copy is byte-exact');
  assert.equal(existsSync(join(s.tree, 'IMG_1.mov')), false, 'exactly one copy: the original is gone');
  const leftovers = readdirSync(join(s.managed, '..')).filter((n) => n !== 'original.mov');
  assert.deepEqual(leftovers, [], 'no temporary files left');
  const lib = new Vss({ dataDir: vssDataDir }).openLibrary(s.root);
  try {
    const info = new SidecarManager(lib).get(sidecarAddress(s.still, 'live_photo_video', 'original', 'mov'))!;
    assert.equal(info.source, 'converted');
    assert.equal(info.status, 'ready');
    assert.equal(info.path, s.managed);
    const [p] = new SidecarManager(lib).presence([s.still], 'live_photo_video', ['original']);
    assert.equal(p!.local, true);
    const count = (sql: string) => (lib.db.prepare(sql).get() as { n: number }).n;
    assert.equal(count("SELECT COUNT(*) AS n FROM entries WHERE name = 'IMG_1.mov'"), 0, 'the moved file left the index');
    assert.equal(count('SELECT COUNT(*) AS n FROM conversion_journal'), 0);
  } finally {
    lib.close();
  }
}

function atLeastOneGoodCopy(s: Awaited<ReturnType<typeof setup>>) {
  const good = [join(s.tree, 'IMG_1.mov'), s.managed].filter((p) => existsSync(p) && readFileSync(p).equals(MOVIE));
  assert.ok(good.length >= 1, 'a crash never loses the movie');
}

for (const [label, parent] of [['one filesystem (rename)', undefined], ['across filesystems (copy, verify, delete)', '/dev/shm']] as const) {
  const locationParent = parent && existsSync(parent) ? parent : undefined;
  describe(`convert-references, ${label}`, { skip: parent && !locationParent ? `${parent} is not available` : false }, () => {
    it('moves the file byte-exact into its managed path and records it converted', async () => {
      const s = await setup(locationParent ?? tempDir().path);
      try {
        assert.equal(await convertInChild(s.dataDir, s.root), 0);
        assertConverted(s, s.dataDir);
      } finally {
        s.cleanup();
      }
    });

    for (const step of ['convert:journaled', 'convert:copied', 'convert:placed-file', 'convert:recorded', 'convert:deleted-source']) {
      it(`survives a kill at ${step}: one good copy, and the next run finishes`, async () => {
        const s = await setup(locationParent ?? tempDir().path);
        try {
          const code = await convertInChild(s.dataDir, s.root, step);
          if (step === 'convert:copied' && !locationParent) assert.equal(code, 0, 'a rename has no copy step');
          else assert.equal(code, null, 'the process was killed at that step');
          atLeastOneGoodCopy(s);
          assert.equal(await convertInChild(s.dataDir, s.root), 0);
          assertConverted(s, s.dataDir);
        } finally {
          s.cleanup();
        }
      });
    }
  });
}
