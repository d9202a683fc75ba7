import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Installation } from '../library/installation.js';
import { openDatabase } from '../db/connection.js';
import { MIGRATIONS, migrate } from '../db/migrations.js';
import { availabilityKeys } from '../db/migrations/013-availability-keys.js';
import { SidecarManager, type RecordFields } from '../sidecars/manager.js';
import { sidecarAddress } from '../sidecars/address.js';
import { tempDir } from '../../test/helpers.js';

const C = (i: number) => `${String(i).padStart(8, '0')}-0000-5000-8000-000000000000`;
const SUM = (ch: string) => ch.repeat(64);
const fields = (status: RecordFields['status'], size: number | null = null, checksum: string | null = null): RecordFields =>
  ({ status, source: 'generated', size, checksum, sourceEntryId: null, error: null });

describe('local availability numbering', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());
  const vss = new Installation({ dataDir: join(tmp.path, 'data') });
  const lib = vss.createLibrary('L', tmp.path);
  after(() => lib.close());
  const m = new SidecarManager(lib);
  const row = (i: number, v = 'grid@1x') => {
    const r = lib.store.availability.of(C(i), 'thumb', v, lib.device.uuid);
    return r && { has: r.has, size: r.size, checksum: r.checksum, format: r.format, seq: r.seq };
  };
  const counter = () => lib.store.syncMeta.seq();

  it('a new library has an epoch and a counter at 0', () => {
    assert.match(lib.store.syncMeta.get('epoch')!, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(counter(), 0);
  });

  it('numbers what a peer must hear of, and only that', () => {
    const a = sidecarAddress(C(1), 'thumb', 'grid@1x');
    m.record(a, fields('pending'));
    assert.equal(row(1)!.seq, null, 'a pending row is nothing a peer needs');
    m.record(a, fields('generating'));
    assert.equal(counter(), 0, 'pending → generating does not count');
    m.record(a, fields('ready', 10, SUM('a')));
    assert.deepEqual({ ...row(1) }, { has: 1, size: 10, checksum: SUM('a'), format: 'webp', seq: 1 });
    m.record(a, fields('ready', 10, SUM('a')));
    assert.equal(row(1)!.seq, 1, 'the same state again is no change');
    m.record(a, fields('ready', 11, SUM('b')));
    assert.equal(row(1)!.seq, 2, 'a new file is');
    assert.equal(m.markMissing(a, 'gone'), 'missing');
    assert.deepEqual({ ...row(1) }, { has: 0, size: null, checksum: null, format: 'webp', seq: 3 }, 'losing it is a numbered tombstone');
    m.record(a, fields('pending'));
    assert.equal(row(1)!.seq, 3, 'owing it again says nothing new');
    assert.equal(counter(), 3);
  });

  it('removals: a tombstone where a peer may have heard, nothing where none could', () => {
    const b = sidecarAddress(C(2), 'thumb', 'grid@1x');
    m.record(b, fields('pending'));
    assert.equal(m.forgetOwed(b), true);
    assert.equal(row(2), undefined, 'never announced: gone without a trace');
    const c = sidecarAddress(C(3), 'thumb', 'grid@1x');
    m.record(c, fields('ready', 5, SUM('c')));
    const before = counter();
    m.markNotApplicable(c, 'no');
    assert.deepEqual({ ...row(3) }, { has: 0, size: null, checksum: null, format: 'webp', seq: before + 1 });
  });

  it('numbers the ready rows a library had before numbering, on open, for the opening device only', () => {
    const other = '99999999-0000-4000-8000-000000000000';
    // Rows as a library made them before availability was numbered: no store writes these any more.
    lib.db.prepare("INSERT OR IGNORE INTO availability_names (kind, variant) VALUES ('thumb', 'icon@1x')").run();
    lib.db.prepare('INSERT OR IGNORE INTO availability_devices (uuid) VALUES (?)').run(other);
    const ins = lib.db.prepare(`INSERT INTO sidecar_availability (content, name, device, has, size, checksum, format, last_seen_at)
      VALUES (unhex(replace(?, '-', '')), (SELECT id FROM availability_names WHERE kind = 'thumb' AND variant = ?), (SELECT id FROM availability_devices WHERE uuid = ?), ?, 1, unhex(?), 'webp', 0)`);
    ins.run(C(10), 'icon@1x', lib.device.uuid, 1, SUM('d'));
    ins.run(C(11), 'icon@1x', lib.device.uuid, 1, SUM('e'));
    ins.run(C(12), 'icon@1x', lib.device.uuid, 0, null);
    ins.run(C(13), 'icon@1x', other, 1, SUM('f'));
    const before = counter();
    const again = vss.openLibrary(lib.root, { shared: true });
    again.close();
    assert.equal(row(10, 'icon@1x')!.seq, before + 1);
    assert.equal(row(11, 'icon@1x')!.seq, before + 2);
    assert.equal(row(12, 'icon@1x')!.seq, null, 'not had: nothing to announce');
    assert.equal(lib.store.availability.ofDevice(other)[0]!.seq, null, 'another device\'s rows are not ours to number');
    assert.equal(counter(), before + 2);
  });

  it('migration 007 keeps a v6 library\'s rows, gives them their format, and starts the counter', () => {
    const path = join(tmp.path, 'v6.sqlite');
    const db = openDatabase(path);
    db.transaction(() => {
      for (const m of MIGRATIONS.filter((x) => x.version <= 6)) db.exec(m.sql);
      db.pragma('user_version = 6');
    })();
    db.prepare("INSERT INTO sidecars (uuid, content_uuid, kind, variant, format, rel_path, size, checksum, status, source, created_at, updated_at) VALUES ('s', ?, 'live_photo_video', 'original', 'mov', 'r', 1, ?, 'ready', 'reference', 0, 0)").run(C(1), SUM('a'));
    db.prepare("INSERT INTO sidecar_availability (content_uuid, kind, variant, device_uuid, has, size, checksum, last_seen_at) VALUES (?, 'live_photo_video', 'original', 'dev', 1, 1, ?, 0)").run(C(1), SUM('a'));
    migrate(db, path);
    assert.deepEqual({ ...(db.prepare('SELECT format, seq, has FROM sidecar_availability').get() as object) }, { format: 'mov', seq: null, has: 1 });
    assert.equal(db.prepare("SELECT value FROM sync_meta WHERE key = 'seq'").pluck().get(), '0');
    db.close();
  });

  it('migration 013 keys an older library\'s rows compactly and every reader sees what it saw', () => {
    const older = vss.createLibrary('Older', join(tmp.path, 'older'), { makeCurrent: false });
    const path = older.layout.databaseFile;
    const dir = older.root;
    older.close();
    // The library's database as a vss before migration 013 left it: its migrations alone, run on an
    // empty file (what later migrations add, they add again when it is opened), with text rows.
    for (const f of [path, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true });
    const db = openDatabase(path);
    db.transaction(() => {
      for (const m of MIGRATIONS.filter((x) => x.version < availabilityKeys.version)) db.exec(m.sql);
      db.pragma(`user_version = ${availabilityKeys.version - 1}`);
    })();
    const peer = '99999999-0000-4000-8000-000000000000';
    const ins = db.prepare('INSERT INTO sidecar_availability (content_uuid, kind, variant, device_uuid, has, size, checksum, format, seq, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 7)');
    ins.run(C(1), 'thumb', 'grid@1x', vss.device.uuid, 1, 10, SUM('a'), 'webp', 3);
    ins.run(C(1), 'thumb', 'grid@2x', vss.device.uuid, 0, null, null, 'webp', 4);
    ins.run(C(1), 'thumb', 'grid@1x', peer, 1, 11, SUM('b'), null, 9);
    ins.run(C(2), 'ocr', 'default', peer, 1, 12, SUM('c'), 'json', 9);
    ins.run(C(3), 'thumb', 'grid@1x', peer, 1, 14, 'not hex', 'webp', 9);
    ins.run('not-a-uuid', 'thumb', 'grid@1x', peer, 1, 13, SUM('d'), 'webp', 9);
    db.close();
    const lib13 = vss.openLibrary(dir);
    assert.equal(lib13.db.pragma('user_version', { simple: true }), MIGRATIONS[MIGRATIONS.length - 1]!.version);
    try {
      const store = lib13.store.availability;
      const rec = (content_uuid: string, kind: string, variant: string, device_uuid: string, has: 0 | 1, size: number | null, checksum: string | null, format: string | null, seq: number) =>
        ({ content_uuid, kind, variant, device_uuid, has, size, checksum, format, seq, last_seen_at: 7 });
      assert.deepEqual(store.ofDevice(vss.device.uuid).map((r) => ({ ...r })), [
        rec(C(1), 'thumb', 'grid@1x', vss.device.uuid, 1, 10, SUM('a'), 'webp', 3),
        rec(C(1), 'thumb', 'grid@2x', vss.device.uuid, 0, null, null, 'webp', 4),
      ]);
      assert.deepEqual(store.ofDevice(peer).map((r) => ({ ...r })), [
        rec(C(1), 'thumb', 'grid@1x', peer, 1, 11, SUM('b'), null, 9),
        rec(C(2), 'ocr', 'default', peer, 1, 12, SUM('c'), 'json', 9),
        rec(C(3), 'thumb', 'grid@1x', peer, 1, 14, 'not hex', 'webp', 9),
      ], 'a row whose content is no uuid could not be keyed: left out; a checksum that is no BLAKE3 stays its text');
      assert.deepEqual(store.sources(C(1), 'thumb', 'grid@1x').map((r) => ({ ...r })), [{ device_uuid: peer, size: 11, checksum: SUM('b'), format: null }]);
      assert.equal(store.holders(C(1), 'thumb', 'grid@1x'), [vss.device.uuid, peer].sort().join(' '));
      assert.deepEqual(store.changedBy(peer, 9), [[C(1), 'thumb', 'grid@1x'], [C(2), 'ocr', 'default'], [C(3), 'thumb', 'grid@1x']]);
      assert.deepEqual(store.ownChanges(0, 10, 10, false), [
        [C(1), 'thumb', 'grid@1x', 'webp', 1, 10, SUM('a'), 3],
        [C(1), 'thumb', 'grid@2x', 'webp', 0, null, null, 4],
      ]);
    } finally {
      lib13.close();
    }
  });
});
