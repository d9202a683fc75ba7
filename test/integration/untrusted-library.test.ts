import { describe, it } from 'node:test';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { blake3 } from '@napi-rs/blake-hash';
import sharp from 'sharp';
import { Vss, addLocation, scanLocation, iterateContents } from '../internals.js';
import { sidecarAbsPath, sidecarAddress } from '../../src/sidecars/address.js';
import { TEMP_PREFIX } from '../../src/core/fs-atomic.js';
import { VSS_BIN, json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';

/**
 * A library is a folder anyone can copy or edit: its database must not steer vss into reading,
 * moving or deleting files outside the library folder and the locations this device's user
 * added. Each test crafts rows with SQLite directly, runs the real CLI, and checks that the
 * victims outside are untouched, the refusal is reported, and the honest work still happens.
 */

const hex = (b: Buffer) => blake3(b).toString('hex');

interface World {
  env: { VSS_DATA_DIR: string; VSS_LIBRARY: string };
  root: string;
  tree: string;
  victims: string;
  /** Victim files outside everything vss was given, and the bytes each must keep. */
  victim: (name: string) => { path: string; bytes: Buffer };
  still: (name: string) => string;
  locationId: number;
  deviceId: number;
  db: () => Database.Database;
  cleanup: () => void;
}

/** A library with location `pics` (stills and movies, content mode) and a folder of victims beside it. */
async function world(): Promise<World> {
  const tmp = tempDir('vss-untrusted-');
  const tree = join(tmp.path, 'pics');
  const victims = join(tmp.path, 'victims');
  mkdirSync(tree);
  mkdirSync(victims);
  for (const n of [1, 2, 3]) {
    await sharp({ create: { width: 4 + n, height: 4, channels: 3, background: '#123' } }).jpeg().toFile(join(tree, `IMG_${n}.jpg`));
    writeFileSync(join(tree, `IMG_${n}.mov`), randomBytes(4096 + n));
  }
  const dataDir = join(tmp.path, 'data');
  const vss = new Vss({ dataDir });
  const lib = vss.createLibrary('U', tmp.path);
  const locationId = addLocation(lib, tree).id;
  await scanLocation(lib, locationId);
  const stills = new Map([...iterateContents(lib)].filter((c) => c.kind === 'image').map((c) => [c.paths[0]!.split('/').pop()!, c.content_uuid]));
  const root = lib.root;
  const deviceId = lib.deviceId;
  lib.close();
  return {
    env: { VSS_DATA_DIR: dataDir, VSS_LIBRARY: root },
    root, tree, victims, locationId, deviceId,
    victim: (name) => {
      const path = join(victims, name);
      if (!existsSync(path)) writeFileSync(path, `victim ${name} ${randomUUID()}`);
      return { path, bytes: readFileSync(path) };
    },
    still: (name) => stills.get(name)!,
    db: () => new Database(join(root, 'database.db')),
    cleanup: tmp.cleanup,
  };
}

function assertUntouched(v: { path: string; bytes: Buffer }): void {
  assert.ok(existsSync(v.path), `${v.path} is still there`);
  assert.deepEqual(readFileSync(v.path), v.bytes, `${v.path} is unchanged`);
}

/** Record the movie IMG_N.mov as the honest Live Photo reference of still IMG_N.jpg. */
function honestReference(w: World, db: Database.Database, n: number): { managed: string; movie: string } {
  const movie = join(w.tree, `IMG_${n}.mov`);
  const entry = (db.prepare('SELECT id FROM entries WHERE name = ?').get(`IMG_${n}.mov`) as { id: number }).id;
  const bytes = readFileSync(movie);
  craftSidecar(db, { content: w.still(`IMG_${n}.jpg`), kind: 'live_photo_video', variant: 'original', format: 'mov', source: 'reference', entry, bytes });
  return { managed: sidecarAbsPath(w.root, sidecarAddress(w.still(`IMG_${n}.jpg`), 'live_photo_video', 'original', 'mov')), movie };
}

function craftSidecar(db: Database.Database, s: { content: string; kind: string; variant: string; format: string; source: string; entry: number | null; bytes: Buffer; relPath?: string }): void {
  const now = Date.now();
  const relPath = s.relPath ?? `sidecars/crafted/${randomUUID()}`;
  db.prepare(
    `INSERT INTO sidecars (uuid, content_uuid, kind, variant, format, rel_path, source_entry_id, size, checksum, status, source, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'ready', ?, ?, ?)`,
  ).run(randomUUID(), s.content, s.kind, s.variant, s.format, relPath, s.entry, s.bytes.length, hex(s.bytes), s.source, now, now);
}

function craftEntry(db: Database.Database, locationId: number, relPath: string, size: number): number {
  const now = Date.now();
  const rootEntry = (db.prepare('SELECT id FROM entries WHERE location_id = ? AND parent_id IS NULL').get(locationId) as { id: number }).id;
  return Number(db.prepare(
    "INSERT INTO entries (location_id, parent_id, name, rel_path, kind, size, created_at, updated_at) VALUES (?, ?, ?, ?, 'file', ?, ?, ?)",
  ).run(locationId, rootEntry, `crafted-${randomUUID()}`, relPath, size, now, now).lastInsertRowid);
}

describe('an untrusted library cannot reach outside the library and its locations', () => {
  it('conversion journal rows naming files outside are refused; the honest conversion goes on', async () => {
    const w = await world();
    try {
      const deleted = w.victim('deleted-as-source.txt');
      const asTemp = w.victim('deleted-as-temp.txt');
      const asDestination = w.victim('deleted-as-destination.txt');
      const db = w.db();
      const honest = honestReference(w, db, 1);
      const journal = db.prepare(
        "INSERT INTO conversion_journal (sidecar_uuid, src_path, dst_path, tmp_path, size, checksum, step, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      );
      // The source is a victim: with a copy of its bytes "placed" in the library, recovery would delete the original.
      const dst2 = sidecarAbsPath(w.root, sidecarAddress(w.still('IMG_2.jpg'), 'live_photo_video', 'original', 'mov'));
      mkdirSync(join(dst2, '..'), { recursive: true });
      copyFileSync(deleted.path, dst2);
      journal.run(randomUUID(), deleted.path, dst2, join(dst2, '..', `${TEMP_PREFIX}original.mov.aaaa`), deleted.bytes.length, hex(deleted.bytes), 'placed', Date.now());
      // The temp file is a victim: recovery removes a leftover temp file first thing.
      const dst3 = sidecarAbsPath(w.root, sidecarAddress(w.still('IMG_3.jpg'), 'live_photo_video', 'original', 'mov'));
      journal.run(randomUUID(), join(w.tree, 'IMG_3.mov'), dst3, asTemp.path, 1, 'ff'.repeat(32), 'started', Date.now());
      // The destination is a victim: a "not placed" copy is undone by deleting the destination.
      journal.run(randomUUID(), join(w.tree, 'IMG_2.mov'), asDestination.path, join(w.victims, `${TEMP_PREFIX}x`), 1, 'ff'.repeat(32), 'started', Date.now());
      db.close();

      const r = await runCli(['sidecars', 'convert-references', '--force', '--json'], w.env);
      for (const v of [deleted, asTemp, asDestination]) assertUntouched(v);
      assert.equal(r.code, 1, 'a refusal makes the command exit 1');
      const out = JSON.parse(r.stdout) as { converted: number; refused: Array<{ path: string; reason: string }> };
      assert.equal(out.refused.length, 3, JSON.stringify(out.refused));
      for (const x of out.refused) assert.match(x.reason, /^refused ".+": /);
      assert.deepEqual(out.refused.map((x) => x.path).sort(), [deleted.path, asTemp.path, asDestination.path].sort());
      assert.match(r.stderr, /interrupted conversion of sidecar .* not finished: refused/);
      assert.equal(out.converted, 1, 'the honest reference is still converted');
      assert.ok(existsSync(honest.managed) && !existsSync(honest.movie));
      const again = await runCli(['sidecars', 'convert-references', '--force', '--json'], w.env);
      assert.equal(again.code, 0, 'a refused row is reported once, then dropped');
    } finally {
      w.cleanup();
    }
  });

  it('sidecars watch reports a refused journal row on stderr, and touches nothing', async () => {
    const w = await world();
    try {
      const victim = w.victim('watched-destination.txt');
      const db = w.db();
      db.prepare(
        "INSERT INTO conversion_journal (sidecar_uuid, src_path, dst_path, tmp_path, size, checksum, step, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      ).run(randomUUID(), join(w.tree, 'IMG_1.mov'), victim.path, join(w.victims, `${TEMP_PREFIX}y`), 1, 'ff'.repeat(32), 'started', Date.now());
      db.close();
      const child = spawn(process.execPath, [VSS_BIN, 'sidecars', 'watch'], { env: { ...process.env, ...w.env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      for (let i = 0; i < 300 && !out.includes('watching'); i++) await sleep(50);
      child.kill('SIGINT');
      await once(child, 'exit');
      assert.match(out, /watching/);
      assert.match(err, /watched-destination\.txt: refused ".*watched-destination\.txt": /);
      assertUntouched(victim);
    } finally {
      w.cleanup();
    }
  });

  it('reference sidecars whose entry leads outside (`..`, a symlinked folder, a location not added here) are refused', async () => {
    const w = await world();
    try {
      const byDots = w.victim('by-dots.mov');
      const bySymlink = w.victim('by-symlink.mov');
      const byLocation = w.victim('by-location.mov');
      symlinkSync(w.victims, join(w.tree, 'link'));
      const db = w.db();
      const honest = honestReference(w, db, 1);
      const crafted = (entry: number, bytes: Buffer) =>
        craftSidecar(db, { content: randomUUID(), kind: 'live_photo_video', variant: 'original', format: 'mov', source: 'reference', entry, bytes });
      crafted(craftEntry(db, w.locationId, '../victims/by-dots.mov', byDots.bytes.length), byDots.bytes);
      crafted(craftEntry(db, w.locationId, 'link/by-symlink.mov', bySymlink.bytes.length), bySymlink.bytes);
      // A location row claiming this device, for a folder its user never added.
      const now = Date.now();
      const evil = Number(db.prepare("INSERT INTO locations (uuid, device_id, name, path, index_mode, created_at) VALUES (?, ?, 'evil', ?, 'content', ?)")
        .run(randomUUID(), w.deviceId, w.victims, now).lastInsertRowid);
      db.prepare("INSERT INTO entries (location_id, parent_id, name, rel_path, kind, created_at, updated_at) VALUES (?, NULL, 'victims', '', 'dir', ?, ?)").run(evil, now, now);
      crafted(craftEntry(db, evil, 'by-location.mov', byLocation.bytes.length), byLocation.bytes);
      db.close();

      const r = await runCli(['sidecars', 'convert-references', '--force', '--json'], w.env);
      for (const v of [byDots, bySymlink, byLocation]) assertUntouched(v);
      assert.equal(r.code, 1);
      const out = JSON.parse(r.stdout) as { converted: number; failed: Array<{ reason: string }> };
      const reasons = out.failed.map((f) => f.reason).sort();
      assert.equal(reasons.length, 3, JSON.stringify(out.failed));
      assert.match(reasons.find((x) => x.includes('by-dots')) ?? '', /refused .*`\.\.`/);
      assert.match(reasons.find((x) => x.includes('link')) ?? '', /refused .*through a symlink/);
      assert.match(reasons.find((x) => x.includes('was not added')) ?? '', /refused .*location \d+ .* was not added on this device/);
      assert.equal(out.converted, 1, 'the honest reference is still converted');
      assert.ok(existsSync(honest.managed) && !existsSync(honest.movie));
    } finally {
      w.cleanup();
    }
  });

  it('a sidecar row whose rel_path points outside never answers with that path', async () => {
    const w = await world();
    try {
      const target = w.victim('secret.txt');
      const db = w.db();
      craftSidecar(db, { content: w.still('IMG_1.jpg'), kind: 'thumb', variant: 'grid@1x', format: 'webp', source: 'generated', entry: null, bytes: target.bytes, relPath: '../victims/secret.txt' });
      db.close();
      const managed = sidecarAbsPath(w.root, sidecarAddress(w.still('IMG_1.jpg'), 'thumb', 'grid@1x', 'webp'));
      const list = json<Array<{ kind: string; path: string | null }>>(await runCli(['sidecars', 'list', '--kind', 'thumb', '--json'], w.env));
      assert.deepEqual(list.map((s) => s.path), [managed], 'the path is the address in the library, whatever rel_path says');
      const path = await runCli(['sidecars', 'path', w.still('IMG_1.jpg'), 'thumb', 'grid@1x', '--json'], w.env);
      assert.doesNotMatch(path.stdout, /victims/);
      assert.match(path.stdout, /"state":\s*"pending"/, 'the file is not at its address: made again');
      assertUntouched(target);
    } finally {
      w.cleanup();
    }
  });

  it('a location whose path was edited, or a row claiming this device, is refused before anything is read', async () => {
    const w = await world();
    try {
      const secret = w.victim('secret.txt');
      const db = w.db();
      db.prepare('UPDATE locations SET path = ? WHERE id = ?').run(w.victims, w.locationId);
      db.close();
      const r = await runCli(['location', 'rescan', String(w.locationId), '--json'], w.env);
      const check = w.db();
      const indexed = check.prepare("SELECT COUNT(*) AS n FROM entries WHERE name = 'secret.txt'").get() as { n: number };
      check.close();
      assert.equal(indexed.n, 0, 'nothing in the victims folder was read');
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^vss: error: refused ".*victims": location \d+ .* was not added on this device/m);
      const paths = json<Array<{ paths: string[] }>>(await runCli(['content', 'list', '--json'], w.env)).flatMap((c) => c.paths);
      assert.ok(!paths.some((p) => p.startsWith(w.victims)), 'no copy is shown under a folder vss may not read');
      assertUntouched(secret);
      // The rest goes on: a folder the user adds now is indexed as usual.
      const more = join(w.victims, '..', 'more');
      mkdirSync(more);
      writeFileSync(join(more, 'a.txt'), 'a');
      const added = json<{ files: number }>(await runCli(['location', 'add', more, '--json'], w.env));
      assert.equal(added.files, 1);
    } finally {
      w.cleanup();
    }
  });

  it('a copied library whose rows are edited to claim this device still reaches nothing', async () => {
    const w = await world();
    try {
      const other = { VSS_DATA_DIR: join(w.root, '..', 'data-of-another-device'), VSS_LIBRARY: w.root };
      assert.equal((await runCli(['content', 'list', '--json'], other)).code, 0, 'the other device opens the library');
      const db = w.db();
      const otherDevice = (db.prepare('SELECT id FROM devices WHERE id <> ?').get(w.deviceId) as { id: number }).id;
      db.prepare('UPDATE locations SET device_id = ?').run(otherDevice);
      db.close();
      const r = await runCli(['location', 'rescan', String(w.locationId), '--json'], other);
      assert.equal(r.code, 1, 'the other device does not scan a folder its user never added');
      assert.match(r.stderr, /was not added on this device/);
    } finally {
      w.cleanup();
    }
  });

  it('a job whose only source entry leads outside the location does not read it', async () => {
    const w = await world();
    try {
      // IMG_3.jpg is gone from the location; a crafted entry names a copy of it outside.
      const copy = join(w.victims, 'IMG_3.jpg');
      copyFileSync(join(w.tree, 'IMG_3.jpg'), copy);
      rmSync(join(w.tree, 'IMG_3.jpg'));
      const db = w.db();
      const content = db.prepare('SELECT id, size FROM content_identities WHERE uuid = ?').get(w.still('IMG_3.jpg')) as { id: number; size: number };
      const entry = craftEntry(db, w.locationId, '../victims/IMG_3.jpg', content.size);
      db.prepare('UPDATE entries SET content_id = ? WHERE id = ?').run(content.id, entry);
      db.close();
      const asked = await runCli(['sidecars', 'path', w.still('IMG_3.jpg'), 'thumb', 'grid@1x', '--json'], w.env);
      assert.equal(asked.code, 0, asked.stderr);
      const run = json<{ completed: number; failed: number }>(await runCli(['jobs', 'run', '--until-idle', '--json'], w.env));
      assert.deepEqual([run.completed, run.failed], [0, 1], 'no thumbnail was made from the file outside');
      const thumb = json<Array<{ status: string; error: string | null }>>(await runCli(['sidecars', 'list', '--content', w.still('IMG_3.jpg'), '--kind', 'thumb', '--json'], w.env));
      assert.deepEqual(thumb.map((t) => t.status), ['failed']);
    } finally {
      w.cleanup();
    }
  });
});

describe('the library\'s own folders swapped for symlinks', () => {
  it('quarantine/ and tmp/ leading outside are refused, never written through', async () => {
    const w = await world();
    try {
      const db = w.db();
      // A fetched thumbnail (vss keeps, never deletes, what it cannot vouch to remake) and a reference movie.
      const still = w.still('IMG_1.jpg');
      const thumb = sidecarAbsPath(w.root, sidecarAddress(still, 'thumb', 'grid@1x', 'webp'));
      const good = Buffer.from('fetched thumbnail bytes');
      craftSidecar(db, { content: still, kind: 'thumb', variant: 'grid@1x', format: 'webp', source: 'fetched', entry: null, bytes: good });
      honestReference(w, db, 2);
      db.close();
      mkdirSync(join(thumb, '..'), { recursive: true });
      writeFileSync(thumb, 'fetched thumbnail, damaged');
      const outside = join(w.victims, 'elsewhere');
      mkdirSync(outside);
      symlinkSync(outside, join(w.root, 'quarantine'));
      symlinkSync(outside, join(w.root, 'tmp'));

      const verify = await runCli(['sidecars', 'reconcile', '--verify', '--json'], w.env);
      assert.equal(verify.code, 0, verify.stderr);
      assert.match(verify.stderr, /quarantine.*leads outside the library folder|refused/);
      assert.ok(existsSync(thumb), 'a file that cannot be set aside safely stays where it is');

      // Deep mode links Live Photos through a scratch file in tmp/, and jobs make their scratch folders there.
      const rescan = await runCli(['location', 'rescan', String(w.locationId), '--mode', 'deep', '--json'], w.env);
      assert.match(rescan.stderr, /tmp.*leads outside the library folder/);
      await runCli(['jobs', 'run', '--until-idle', '--json'], w.env);
      assert.deepEqual(readdirSync(outside), [], 'nothing was written through the symlinks');
    } finally {
      w.cleanup();
    }
  });
});

describe('location grants across an upgrade', () => {
  it('a data dir from before grants adopts the locations of the libraries it knew, once', async () => {
    const w = await world();
    try {
      rmSync(join(w.env.VSS_DATA_DIR, 'location-grants.json'));
      const r = await runCli(['location', 'rescan', String(w.locationId), '--json'], w.env);
      assert.equal(r.code, 0, r.stderr);
      const grants = JSON.parse(readFileSync(join(w.env.VSS_DATA_DIR, 'location-grants.json'), 'utf8')) as { grants: Array<{ path: string }>; adopt: unknown[] };
      assert.deepEqual(grants.grants.map((g) => g.path), [w.tree]);
      assert.deepEqual(grants.adopt, []);
    } finally {
      w.cleanup();
    }
  });
});

