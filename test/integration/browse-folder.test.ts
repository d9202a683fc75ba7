import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { FIXTURES, FIXTURES_SKIP, json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';

interface Entry { name: string; path: string; type: string; size: number; modified: string | null; kind: string | null; mime: string | null; content_uuid: string | null; cas_id: string | null; in_library?: boolean; error?: string }
/** `vss browse --json`: the entries themselves (issue 59). */
type Listing = Entry[];

/**
 * Every row of the library's database, read-only: what "writes nothing" is checked against. The
 * device's `last_seen_at` is left out: opening a library (any command) marks this device seen.
 */
function libraryRows(dbFile: string): string {
  const db = new Database(dbFile, { readonly: true });
  try {
    const tables = db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    return JSON.stringify(tables.map((t) => [t, db.prepare(`SELECT * FROM "${t}"`).all().map((r) => ({ ...(r as object), last_seen_at: undefined }))]));
  } finally {
    db.close();
  }
}

/** `vss browse PATH`: a folder read with kinds, sizes and content ids, the library left as it was (real CLI, real files). */
describe('vss browse', () => {
  const tmp = tempDir('vss-browse-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  const drive = join(tmp.path, 'drive');
  const photos = join(tmp.path, 'photos');
  after(async () => {
    await runCli(['daemon', 'stop'], env);
    tmp.cleanup();
  });

  it('lists a folder without a library, then says which contents the library knows, writing nothing', async () => {
    mkdirSync(join(drive, 'sub', 'deeper'), { recursive: true });
    mkdirSync(photos);
    writeFileSync(join(drive, 'known.txt'), 'the same words in both places\n');
    writeFileSync(join(photos, 'copy.txt'), 'the same words in both places\n');
    writeFileSync(join(drive, 'new.txt'), 'only on the drive\n');
    writeFileSync(join(drive, 'big.bin'), Buffer.alloc(3 * 1024 * 1024, 7));
    writeFileSync(join(drive, 'sub', 'deeper', 'line\nbreak.txt'), 'odd name\n');
    symlinkSync('/etc', join(drive, 'outside'));
    execFileSync('mkfifo', [join(drive, 'pipe')]);

    // No library yet: a listing with ids, nothing about the library.
    const bare = json<Listing>(await runCli(['browse', drive, '--json'], env));
    const byPath = (l: Listing) => new Map(l.map((e) => [e.path, e]));
    const b = byPath(bare);
    assert.deepEqual([...b.keys()], ['big.bin', 'known.txt', 'new.txt', 'outside', 'pipe', 'sub'], 'the folder itself, sorted, not recursive');
    assert.equal(b.get('known.txt')!.kind, 'text');
    assert.match(b.get('known.txt')!.content_uuid ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(b.get('known.txt')!.in_library, undefined);
    assert.equal(b.get('big.bin')!.size, 3 * 1024 * 1024);
    assert.equal(b.get('big.bin')!.content_uuid, null, 'a large file is not read unless asked');
    assert.equal(b.get('outside')!.type, 'symlink');
    assert.equal(b.get('pipe')!.type, 'other', 'a FIFO is listed, never opened');
    // Issue 59's interface: each entry says its name, kind, size and time.
    const known = b.get('known.txt')!;
    assert.deepEqual([known.name, known.kind, known.size, typeof known.modified], ['known.txt', 'text', 30, 'string']);

    assert.equal((await runCli(['library', 'create', 'L', '--path', join(tmp.path, 'lib')], env)).code, 0);
    assert.equal((await runCli(['location', 'add', photos], env)).code, 0);
    const dbFile = join(tmp.path, 'lib', readdirSync(join(tmp.path, 'lib')).find((n) => n.endsWith('.sdlibrary'))!, 'database.db');
    const before = libraryRows(dbFile);

    const full = json<Listing>(await runCli(['browse', drive, '--recursive', '--content', '--json'], env));
    const f = byPath(full);
    assert.ok(f.has('sub/deeper/line\nbreak.txt'), 'recursive, odd names kept');
    assert.ok(!f.has('outside/passwd'), 'a symlink is not followed');
    assert.equal(f.get('known.txt')!.in_library, true, 'the copy in the location is the same content');
    assert.equal(f.get('new.txt')!.in_library, false);
    assert.match(f.get('big.bin')!.content_uuid ?? '', /^[0-9a-f-]{36}$/, '--content identifies large files too');
    assert.equal(f.get('known.txt')!.content_uuid, b.get('known.txt')!.content_uuid, 'the same id with and without a library');
    assert.equal(libraryRows(dbFile), before, 'not a row of the library changed');

    const limitedRun = await runCli(['browse', drive, '-r', '--limit', '3', '--json'], env);
    assert.equal(json<Listing>(limitedRun).length, 3);
    assert.match(limitedRun.stderr, /listed the first 3 entries; --limit shows more/);

    const text = await runCli(['browse', drive], env);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /known\.txt .* text .*\(in library\)/);

    const missing = await runCli(['browse', join(tmp.path, 'nowhere')], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot browse: .*nowhere/);
    const notDir = await runCli(['browse', join(drive, 'new.txt')], env);
    assert.notEqual(notDir.code, 0);
    assert.match(notDir.stderr, /not a folder/);
  });

  it('names a large RAW file\'s kind by its first bytes, without reading it whole', async (t) => {
    if (FIXTURES_SKIP) return t.skip(FIXTURES_SKIP);
    const raws = join(tmp.path, 'raws');
    mkdirSync(raws);
    // A NEF of 3.5 MB (TIFF inside: its first bytes and its extension say which RAW), and the same bytes named as nothing in particular.
    copyFileSync(join(FIXTURES, 'raw/nikon-d7100.NEF'), join(raws, 'DSC_0001.NEF'));
    copyFileSync(join(FIXTURES, 'raw/nikon-d7100.NEF'), join(raws, 'untitled'));
    // Every other fixture camera's, and a Sigma X3F and a Minolta MRW of 2 MB (their own headers, which file-type does not know: 'unknown' before).
    const fixtures = readdirSync(join(FIXTURES, 'raw')).filter((f) => !f.toLowerCase().endsWith('.md'));
    for (const f of fixtures) copyFileSync(join(FIXTURES, 'raw', f), join(raws, f));
    writeFileSync(join(raws, 'SDIM0001.X3F'), Buffer.concat([Buffer.from('FOVb\x04\x00\x02\x00', 'latin1'), Buffer.alloc(2 << 20)]));
    writeFileSync(join(raws, 'PICT0001.MRW'), Buffer.concat([Buffer.from('\0MRM\0\0\x01\x00\0PRD', 'latin1'), Buffer.alloc(2 << 20)]));
    const listed = new Map(json<Listing>(await runCli(['browse', raws, '--json'], env)).map((e) => [e.path, e]));
    const nef = listed.get('DSC_0001.NEF')!;
    assert.deepEqual([nef.kind, nef.mime, nef.content_uuid], ['image', 'image/x-nikon-nef', null], 'a photo, not read whole');
    assert.equal(listed.get('untitled')!.kind, 'image', 'a TIFF by its bytes, whatever its name');
    for (const f of [...fixtures, 'SDIM0001.X3F', 'PICT0001.MRW']) assert.equal(listed.get(f)?.kind, 'image', `${f}: ${listed.get(f)?.mime}`);
    assert.deepEqual(['SDIM0001.X3F', 'PICT0001.MRW'].map((f) => listed.get(f)!.mime), ['image/x-sigma-x3f', 'image/x-minolta-mrw']);
  });

  it('answers the same through the daemon', async () => {
    assert.equal((await runCli(['daemon', 'start'], env)).code, 0);
    const via = json<Listing>(await runCli(['browse', drive, '--json'], env));
    const known = via.find((e) => e.path === 'known.txt');
    assert.equal(known?.in_library, true);
    assert.ok(existsSync(join(drive, 'pipe')));
  });
});
