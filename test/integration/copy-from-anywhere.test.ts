/**
 * Issue 59 item 2: `vss files copy|move SRC… DST` takes sources anywhere this machine's user can
 * read, not only in the library's locations: verified as every copy is, and indexed where it lands
 * in a location. Through the real CLI over real files (in this process: the CLI's output and exit
 * code are what is tested, not its process).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { json, tempDir, type CliResult } from '../helpers.js';
import { cliHere } from '../support/cli-here.js';

interface Listed { content_uuid: string | null; path?: string; paths?: string[] }

describe('a copy or move from a folder outside every location (issue 59 item 2)', () => {
  const tmp = tempDir('vss-anywhere-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_NO_DAEMON: '1' };
  const photos = join(tmp.path, 'photos');
  const elsewhere = join(tmp.path, 'somewhere', 'not', 'in', 'a', 'location');
  const ok = async (...args: string[]): Promise<CliResult> => {
    const r = await cliHere(args, env);
    assert.equal(r.code, 0, `vss ${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  /** The library's files under PHOTOS as `vss content list` shows them: path → content. */
  const indexed = async (): Promise<Map<string, string>> => {
    const out = new Map<string, string>();
    for (const c of json<Listed[]>(await ok('--json', 'content', 'list'))) for (const p of c.paths ?? []) if (c.content_uuid) out.set(p, c.content_uuid);
    return out;
  };

  before(async () => {
    mkdirSync(photos, { recursive: true });
    mkdirSync(join(elsewhere, 'trip', 'day 2'), { recursive: true });
    writeFileSync(join(elsewhere, 'x.jpg'), 'the bytes of a photo that lives outside the library\n');
    writeFileSync(join(elsewhere, 'trip', 'a.txt'), 'first\n');
    writeFileSync(join(elsewhere, 'trip', 'day 2', 'b.txt'), 'second\n');
    await ok('library', 'create', 'Anywhere', '--path', join(tmp.path, 'lib'));
    await ok('location', 'add', photos, '--mode', 'content');
  });
  after(() => tmp.cleanup());

  it('copies a file from outside into a location: exit 0, byte-identical, indexed at once', async () => {
    await ok('files', 'copy', join(elsewhere, 'x.jpg'), `${photos}/`);
    const copy = join(photos, 'x.jpg');
    assert.equal(readFileSync(copy, 'utf8'), readFileSync(join(elsewhere, 'x.jpg'), 'utf8'));
    assert.ok(existsSync(join(elsewhere, 'x.jpg')), 'a copy leaves its source');
    assert.match((await indexed()).get(copy) ?? '', /^[0-9a-f-]{36}$/, 'the copy has its content id without a rescan');
  });

  it('copies a folder from outside, its tree whole and indexed', async () => {
    await ok('files', 'copy', join(elsewhere, 'trip'), `${photos}/`);
    assert.equal(readFileSync(join(photos, 'trip', 'day 2', 'b.txt'), 'utf8'), 'second\n');
    const now = await indexed();
    assert.ok(now.has(join(photos, 'trip', 'a.txt')) && now.has(join(photos, 'trip', 'day 2', 'b.txt')), [...now.keys()].join(', '));
  });

  it('moves a file from outside: the source goes once its copy is in, the copy indexed', async () => {
    writeFileSync(join(elsewhere, 'moving.txt'), 'on its way in\n');
    await ok('files', 'move', join(elsewhere, 'moving.txt'), `${photos}/`);
    assert.ok(!existsSync(join(elsewhere, 'moving.txt')), 'the source is gone');
    assert.equal(readFileSync(join(photos, 'moving.txt'), 'utf8'), 'on its way in\n');
    assert.ok((await indexed()).has(join(photos, 'moving.txt')));
  });

  it('refuses a move of a location\'s file named through a symlinked folder, and of a folder outside that holds a location (the Guardian and the index are never passed by)', async () => {
    writeFileSync(join(photos, 'kept.txt'), 'a file of the location\n');
    await ok('location', 'rescan', photos);
    const link = join(tmp.path, 'link-to-photos');
    symlinkSync(photos, link);
    const through = await cliHere(['files', 'move', join(link, 'kept.txt'), `${elsewhere}/`], env);
    assert.notEqual(through.code, 0, 'refused');
    assert.match(through.stderr, /leads into a location through a symlinked folder/);
    assert.ok(existsSync(join(photos, 'kept.txt')), 'the location\'s file stays');
    const holder = join(tmp.path, 'holder');
    mkdirSync(join(holder, 'inner'), { recursive: true });
    writeFileSync(join(holder, 'inner', 'f.txt'), 'in a location inside a folder outside\n');
    await ok('location', 'add', join(holder, 'inner'), '--name', 'Inner');
    const held = await cliHere(['files', 'move', holder, `${elsewhere}/`], env);
    assert.notEqual(held.code, 0);
    assert.match(held.stderr, /holds location Inner/);
    assert.ok(existsSync(join(holder, 'inner', 'f.txt')), 'the location is where it was');
  });

  it('still refuses the library folder and a symlink as a source, and a delete outside the locations', async () => {
    const lib = join(tmp.path, 'lib');
    const holding = await cliHere(['files', 'copy', lib, `${photos}/`], env);
    assert.notEqual(holding.code, 0);
    assert.match(holding.stderr, /holds the library folder/);
    const inLib = await cliHere(['files', 'copy', join(lib, 'Anywhere.sdlibrary', 'database.db'), `${photos}/`], env);
    assert.notEqual(inLib.code, 0);
    assert.match(inLib.stderr, /inside the library folder/);
    symlinkSync('/etc/hostname', join(elsewhere, 'link'));
    const link = await cliHere(['files', 'copy', join(elsewhere, 'link'), `${photos}/`], env);
    assert.notEqual(link.code, 0);
    assert.match(link.stderr, /symlink/);
    const del = await cliHere(['files', 'delete', join(elsewhere, 'x.jpg')], env);
    assert.notEqual(del.code, 0);
    assert.match(del.stderr, /not inside any location/);
    assert.ok(existsSync(join(elsewhere, 'x.jpg')));
  });
});
