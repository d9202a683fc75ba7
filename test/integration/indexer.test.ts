import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync, appendFileSync, readFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { Vss, addLocation, scanLocation, iterateContents, type Library } from '../internals.js';
import { entriesOf as allEntries, entryAt } from '../support/entries.js';
import { tempDir } from '../helpers.js';

interface Fixture { vss: Vss; lib: Library; tree: string; locId: number; cleanup: () => void }

function freshLibrary(tree: string, name = 'Lib'): { vss: Vss; lib: Library; dir: ReturnType<typeof tempDir> } {
  const dir = tempDir();
  const vss = new Vss({ dataDir: join(dir.path, 'data') });
  const lib = vss.createLibrary(name, dir.path);
  return { vss, lib, dir };
}

function contentByPath(lib: Library): Map<string, string> {
  const m = new Map<string, string>();
  for (const c of iterateContents(lib)) for (const p of c.paths) m.set(p, c.content_uuid);
  return m;
}

function entryId(lib: Library, relPath: string): number | undefined {
  return entryAt(lib, relPath)?.id;
}

describe('indexer: content identity', () => {
  const work = tempDir();
  const tree = join(work.path, 'tree');
  let fx: ReturnType<typeof freshLibrary>;
  let locId = 0;
  const big = randomBytes(3 * 1024 * 1024);
  const bigTwin = Buffer.from(big);
  bigTwin[bigTwin.length >> 1]! ^= 0x40;

  before(async () => {
    mkdirSync(join(tree, 'a', 'b'), { recursive: true });
    mkdirSync(join(tree, 'copies'), { recursive: true });
    writeFileSync(join(tree, 'a', 'one.txt'), 'one\n');
    writeFileSync(join(tree, 'a', 'b', 'two.txt'), 'two\n');
    writeFileSync(join(tree, 'copies', 'one (copy).txt'), 'one\n');
    writeFileSync(join(tree, 'big-a.bin'), big);
    writeFileSync(join(tree, 'big-b.bin'), bigTwin);
    writeFileSync(join(tree, 'empty-1'), '');
    writeFileSync(join(tree, 'empty-2'), '');
    fx = freshLibrary(tree);
    locId = addLocation(fx.lib, tree, { mode: 'content' }).id;
    await scanLocation(fx.lib, locId);
  });
  after(() => { fx.lib.close(); fx.dir.cleanup(); work.cleanup(); });

  it('gives duplicates one content_uuid and different bytes different ones', () => {
    const c = contentByPath(fx.lib);
    assert.equal(c.get(join(tree, 'a', 'one.txt')), c.get(join(tree, 'copies', 'one (copy).txt')));
    assert.notEqual(c.get(join(tree, 'a', 'one.txt')), c.get(join(tree, 'a', 'b', 'two.txt')));
    assert.notEqual(c.get(join(tree, 'big-a.bin')), c.get(join(tree, 'big-b.bin')), '3 MiB files differing in one middle byte');
    assert.equal(c.get(join(tree, 'empty-1')), c.get(join(tree, 'empty-2')));
    assert.equal(c.size, 7);
  });

  it('yields the same content_uuids in a second library indexing the same tree', async () => {
    const other = freshLibrary(tree, 'Other');
    try {
      await scanLocation(other.lib, addLocation(other.lib, tree).id);
      assert.deepEqual(contentByPath(other.lib), contentByPath(fx.lib));
    } finally {
      other.lib.close();
      other.dir.cleanup();
    }
  });

  it('after editing one file, a rescan changes only that file', async () => {
    const before = contentByPath(fx.lib);
    const edited = join(tree, 'a', 'b', 'two.txt');
    appendFileSync(edited, 'more\n');
    const r = await scanLocation(fx.lib, locId);
    assert.equal(r.changed, 1);
    assert.equal(r.hashed, 1);
    const after = contentByPath(fx.lib);
    for (const [path, uuid] of before) {
      if (path === edited) assert.notEqual(after.get(path), uuid);
      else assert.equal(after.get(path), uuid, path);
    }
  });

  it('notices an edit that keeps size and mtime but replaces the file (atomic save)', async () => {
    const p = join(tree, 'a', 'one.txt');
    const st = { atime: new Date(2020, 1, 1), mtime: new Date(2020, 1, 1) };
    utimesSync(p, st.atime, st.mtime);
    await scanLocation(fx.lib, locId);
    const before = contentByPath(fx.lib).get(p);
    writeFileSync(p + '.tmp', 'ONE\n');
    utimesSync(p + '.tmp', st.atime, st.mtime);
    renameSync(p + '.tmp', p);
    await scanLocation(fx.lib, locId);
    assert.notEqual(contentByPath(fx.lib).get(p), before);
  });

  it('rescans an unchanged tree without writing or hashing', async () => {
    const first = await scanLocation(fx.lib, locId);
    const r = await scanLocation(fx.lib, locId);
    assert.deepEqual([r.added, r.changed, r.moved, r.removed, r.hashed], [0, 0, 0, 0, 0]);
    assert.deepEqual([r.files, r.dirs, r.bytes, r.contents], [first.files, first.dirs, first.bytes, first.contents]);
  });
});

describe('indexer: moves, deletes and folders', () => {
  const work = tempDir();
  const tree = join(work.path, 'tree');
  let fx: ReturnType<typeof freshLibrary>;
  let locId = 0;

  before(async () => {
    mkdirSync(join(tree, 'album', 'day1'), { recursive: true });
    writeFileSync(join(tree, 'album', 'day1', 'p1.jpg'), randomBytes(1000));
    writeFileSync(join(tree, 'album', 'day1', 'p2.jpg'), randomBytes(2000));
    writeFileSync(join(tree, 'album', 'cover.jpg'), randomBytes(300));
    writeFileSync(join(tree, 'loose.txt'), 'loose');
    fx = freshLibrary(tree);
    locId = addLocation(fx.lib, tree).id;
    await scanLocation(fx.lib, locId);
  });
  after(() => { fx.lib.close(); fx.dir.cleanup(); work.cleanup(); });

  it('keeps the entry and content of a renamed file', async () => {
    const id = entryId(fx.lib, 'loose.txt');
    const uuid = contentByPath(fx.lib).get(join(tree, 'loose.txt'));
    renameSync(join(tree, 'loose.txt'), join(tree, 'renamed.txt'));
    const r = await scanLocation(fx.lib, locId);
    assert.equal(r.moved, 1);
    assert.equal(r.hashed, 0);
    assert.equal(entryId(fx.lib, 'renamed.txt'), id);
    assert.equal(entryId(fx.lib, 'loose.txt'), undefined);
    assert.equal(contentByPath(fx.lib).get(join(tree, 'renamed.txt')), uuid);
  });

  it('keeps entries of a renamed folder and updates their paths', async () => {
    const p1 = entryId(fx.lib, 'album/day1/p1.jpg');
    renameSync(join(tree, 'album'), join(tree, 'Album 2024'));
    const r = await scanLocation(fx.lib, locId);
    assert.equal(r.hashed, 0);
    assert.equal(r.added, 0);
    assert.equal(entryId(fx.lib, 'Album 2024/day1/p1.jpg'), p1);
    assert.equal(entryId(fx.lib, 'album/day1/p1.jpg'), undefined);
  });

  it('keeps a file moved into another folder, and a swap of two names is re-read', async () => {
    mkdirSync(join(tree, 'elsewhere'));
    const cover = entryId(fx.lib, 'Album 2024/cover.jpg');
    renameSync(join(tree, 'Album 2024', 'cover.jpg'), join(tree, 'elsewhere', 'cover.jpg'));
    const a = join(tree, 'Album 2024', 'day1', 'p1.jpg');
    const b = join(tree, 'Album 2024', 'day1', 'p2.jpg');
    const before = contentByPath(fx.lib);
    renameSync(a, a + '.x'); renameSync(b, a); renameSync(a + '.x', b);
    await scanLocation(fx.lib, locId);
    assert.equal(entryId(fx.lib, 'elsewhere/cover.jpg'), cover);
    const after = contentByPath(fx.lib);
    assert.equal(after.get(a), before.get(b));
    assert.equal(after.get(b), before.get(a));
  });

  it('removes deleted files and folders and their orphaned contents', async () => {
    rmSync(join(tree, 'Album 2024'), { recursive: true });
    const r = await scanLocation(fx.lib, locId);
    assert.equal(r.removed, 2);
    assert.equal(entryId(fx.lib, 'Album 2024'), undefined);
    assert.equal(fx.lib.store.contents.count(), 2); // renamed.txt and cover.jpg
  });

  it('rolls folder sizes and counts up to the location', async () => {
    mkdirSync(join(tree, 'sizes', 'inner'), { recursive: true });
    writeFileSync(join(tree, 'sizes', 'inner', 'x'), Buffer.alloc(100));
    writeFileSync(join(tree, 'sizes', 'y'), Buffer.alloc(50));
    const r = await scanLocation(fx.lib, locId);
    const row = fx.lib.store.entries.byId(entryId(fx.lib, 'sizes')!)!;
    assert.deepEqual({ agg_size: row.agg_size, agg_files: row.agg_files, agg_dirs: row.agg_dirs }, { agg_size: 150, agg_files: 2, agg_dirs: 1 });
    const files = allEntries(fx.lib).filter((e) => e.kind === 'file');
    assert.equal(r.files, files.length);
    assert.equal(r.bytes, files.reduce((sum, f) => sum + f.size, 0));
  });

  it('counts a removed empty folder', async () => {
    mkdirSync(join(tree, 'empty-dir'));
    const withDir = await scanLocation(fx.lib, locId);
    rmSync(join(tree, 'empty-dir'), { recursive: true });
    const r = await scanLocation(fx.lib, locId);
    assert.equal(r.dirs, withDir.dirs - 1);
  });

  it('treats a file that became a folder as new', async () => {
    writeFileSync(join(tree, 'shape'), 'file');
    await scanLocation(fx.lib, locId);
    rmSync(join(tree, 'shape'));
    mkdirSync(join(tree, 'shape'));
    writeFileSync(join(tree, 'shape', 'inside'), 'x');
    await scanLocation(fx.lib, locId);
    assert.equal(entryAt(fx.lib, 'shape')?.kind, 'dir');
    assert.ok(entryId(fx.lib, 'shape/inside'));
  });
});

describe('indexer: editor and system leftovers', () => {
  const work = tempDir();
  const tree = join(work.path, 'tree');
  const LEFTOVERS = ['.notes.txt.swp', 'draft.md~', '.DS_Store', 'Thumbs.db', 'desktop.ini', 'movie.mp4.part', 'setup.iso.crdownload', '~$report.docx'];
  let fx: ReturnType<typeof freshLibrary>;

  before(() => {
    mkdirSync(join(tree, 'deep', 'er'), { recursive: true });
    for (const name of [...LEFTOVERS, 'notes.txt', 'report.docx']) {
      writeFileSync(join(tree, name), name);
      writeFileSync(join(tree, 'deep', 'er', name), name);
    }
    // Look-alikes are files like any other.
    for (const name of ['swp', 'part.txt', 'tilde~not', 'x$report', 'DESKTOP.INI.bak']) writeFileSync(join(tree, name), name);
    fx = freshLibrary(tree);
  });
  after(() => { fx.lib.close(); fx.dir.cleanup(); work.cleanup(); });

  it('are not indexed, at any depth, whatever their case', async () => {
    writeFileSync(join(tree, 'UPPER.SWP'), 'x');
    const loc = addLocation(fx.lib, tree);
    const r = await scanLocation(fx.lib, loc.id);
    const names = allEntries(fx.lib, loc.id).filter((e) => e.kind === 'file').map((e) => e.rel_path).sort();
    assert.deepEqual(names, ['DESKTOP.INI.bak', 'deep/er/notes.txt', 'deep/er/report.docx', 'notes.txt', 'part.txt', 'report.docx', 'swp', 'tilde~not', 'x$report']);
    assert.equal(r.files, names.length);
  });

  it('are indexed where the location\'s rules say so', async () => {
    const second = join(work.path, 'second');
    mkdirSync(second);
    writeFileSync(join(second, 'movie.mp4.part'), 'partial');
    writeFileSync(join(second, 'draft.md~'), 'backup');
    const loc = addLocation(fx.lib, second, { ignore: ['!*.part'] });
    await scanLocation(fx.lib, loc.id);
    assert.deepEqual(allEntries(fx.lib, loc.id).map((e) => e.rel_path), ['movie.mp4.part']);
  });
});

describe('indexer: ignore rules, symlinks and the library inside a location', () => {
  const work = tempDir();
  const tree = join(work.path, 'tree');
  let fx: ReturnType<typeof freshLibrary>;

  before(() => {
    mkdirSync(join(tree, '.git', 'objects'), { recursive: true });
    mkdirSync(join(tree, 'proj', 'node_modules', 'dep'), { recursive: true });
    mkdirSync(join(tree, 'cache'), { recursive: true });
    writeFileSync(join(tree, '.git', 'objects', 'x'), 'x');
    writeFileSync(join(tree, 'proj', 'node_modules', 'dep', 'index.js'), 'x');
    writeFileSync(join(tree, 'proj', 'main.ts'), 'export {}\n');
    writeFileSync(join(tree, '.DS_Store'), 'x');
    writeFileSync(join(tree, 'cache', 'c.tmp'), 'x');
    writeFileSync(join(tree, 'keep.txt'), 'keep');
    symlinkSync('.', join(tree, 'loop'));
    symlinkSync('a-link', join(tree, 'b-link'));
    symlinkSync('b-link', join(tree, 'a-link'));
    symlinkSync('/etc', join(tree, 'outside'));
    symlinkSync('keep.txt', join(tree, 'keep-link'));
    fx = freshLibrary(tree);
  });
  after(() => { fx.lib.close(); fx.dir.cleanup(); work.cleanup(); });

  it('skips default and location rules, records symlinks without following them', async () => {
    const loc = addLocation(fx.lib, tree, { ignore: ['*.tmp'] });
    const r = await scanLocation(fx.lib, loc.id);
    const rows = allEntries(fx.lib).sort((a, b) => (a.rel_path < b.rel_path ? -1 : 1));
    const paths = ['', ...rows.map((x) => x.rel_path)];
    assert.deepEqual(paths, ['', 'a-link', 'b-link', 'cache', 'keep-link', 'keep.txt', 'loop', 'outside', 'proj', 'proj/main.ts']);
    assert.equal(rows.find((x) => x.rel_path === 'outside')!.link_target, '/etc');
    assert.equal(rows.find((x) => x.rel_path === 'loop')!.kind, 'symlink');
    assert.equal(r.files, 2);
    assert.equal(r.skipped_total, 0);
  });

  it('never indexes the library folder when it lies inside the location', async () => {
    const dir = tempDir();
    try {
      const vss = new Vss({ dataDir: join(dir.path, 'data') });
      const lib = vss.createLibrary('Inside', join(dir.path, 'photos'));
      writeFileSync(join(dir.path, 'photos', 'pic.jpg'), 'not really');
      try {
        const r = await scanLocation(lib, addLocation(lib, join(dir.path, 'photos')).id);
        assert.equal(r.files, 1);
        assert.deepEqual(allEntries(lib).filter((e) => e.rel_path.startsWith('Inside.sdlibrary')), []);
      } finally {
        lib.close();
      }
    } finally {
      dir.cleanup();
    }
  });
});

describe('indexer: awkward names, deep trees and bad files', () => {
  const work = tempDir();
  const tree = join(work.path, 'tree');
  let fx: ReturnType<typeof freshLibrary>;
  const names = ['with space.txt', 'new\nline.txt', 'tab\there.txt', '-leading-dash.txt', '--help', 'Ελληνικά.txt', '日本語のファイル.txt', 'emoji 📷.jpg', 'quote"and\'apos.txt', 'back\\slash.txt'];

  before(() => {
    mkdirSync(tree, { recursive: true });
    for (const n of names) writeFileSync(join(tree, n), `content of ${n}`);
    let deep = tree;
    for (let i = 0; i < 60; i++) deep = join(deep, `level${i}`);
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(deep, 'bottom.txt'), 'deep');
    writeFileSync(join(tree, 'empty.txt'), '');
    fx = freshLibrary(tree);
  });
  after(() => { fx.lib.close(); fx.dir.cleanup(); work.cleanup(); });

  it('indexes every odd name faithfully and skips an undecodable one with a reason', async () => {
    const bad = Buffer.concat([Buffer.from(tree + '/'), Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe, 0x2e, 0x74, 0x78, 0x74])]);
    writeFileSync(bad, 'invalid utf-8 name');
    writeFileSync(join(tree, 'bad\uFFFD.txt'), 'a real U+FFFD in the name is fine');
    const r = await scanLocation(fx.lib, addLocation(fx.lib, tree).id);
    const c = contentByPath(fx.lib);
    for (const n of names) {
      const uuid = c.get(join(tree, n));
      assert.ok(uuid, `indexed ${JSON.stringify(n)}`);
    }
    assert.ok(c.get(join(tree, 'bad\uFFFD.txt')));
    assert.ok([...c.keys()].some((p) => p.endsWith('/bottom.txt') && p.split('/').length > 60));
    assert.ok(c.get(join(tree, 'empty.txt')));
    assert.equal(r.skipped_total, 1);
    assert.match(r.skipped[0]!.reason, /not valid UTF-8/);
    // Nothing else was mistaken for the undecodable file.
    const text = (p: string) => readFileSync(p, 'utf8');
    assert.equal(text(join(tree, 'bad\uFFFD.txt')), 'a real U+FFFD in the name is fine');
  });
});
