/**
 * Issue 59 item 1: user data on any folder or file, not only on the contents of locations — a tag
 * on a folder (in a location or not) is found by `search tag:T` at its path, `--recursive` tags
 * what is inside, `meta set|show` take folders and files outside every location, and a folder
 * renamed is followed by its inode. Through the real CLI over real files (in this process).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { json, tempDir, type CliResult } from '../helpers.js';
import { cliHere } from '../support/cli-here.js';

interface Found { content_uuid: string | null; object_uuid?: string; kind: string; path?: string; paths: string[]; source: string }
interface Meta { content_uuid: string; rating: number; note: string | null; tags: string[]; object?: { kind: string; path: string } }

describe('tags and metadata on folders and on files outside every location (issue 59 item 1)', () => {
  const tmp = tempDir('vss-folder-tags-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data'), VSS_NO_DAEMON: '1' };
  const photos = join(tmp.path, 'photos');
  const scans = join(tmp.path, 'Documents', 'scans');
  const ok = async (...args: string[]): Promise<CliResult> => {
    const r = await cliHere(args, env);
    assert.equal(r.code, 0, `vss ${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  const search = async (q: string) => json<Found[]>(await ok('--json', 'search', q));

  before(async () => {
    mkdirSync(join(photos, 'Trip 2024'), { recursive: true });
    mkdirSync(join(scans, 'receipts'), { recursive: true });
    writeFileSync(join(photos, 'Trip 2024', 'beach.txt'), 'a beach\n');
    writeFileSync(join(photos, 'elsewhere.txt'), 'not on the trip\n');
    writeFileSync(join(scans, 'tax.pdf'), 'a scanned form\n');
    writeFileSync(join(scans, 'receipts', 'shop.pdf'), 'a receipt\n');
    await ok('library', 'create', 'Folders', '--path', join(tmp.path, 'lib'));
    await ok('location', 'add', photos, '--mode', 'content');
  });
  after(() => tmp.cleanup());

  it('a tag on a folder of a location: search tag:T answers the folder at its path', async () => {
    const folder = join(photos, 'Trip 2024');
    await ok('tag', 'add', 'Holiday', folder);
    const found = await search('tag:Holiday');
    assert.deepEqual(found.map((f) => [f.kind, f.path, f.content_uuid]), [['folder', folder, null]], 'the folder, not the files inside it');
    assert.match(found[0]!.object_uuid ?? '', /^[0-9a-f-]{36}$/);
    assert.match((await ok('search', 'tag:Holiday')).stdout, /Trip 2024\/ {2}\(folder\)/);
  });

  it('--recursive tags what is inside too; a folder outside every location takes tags and metadata', async () => {
    await ok('tag', 'add', 'Paperwork', scans, '--recursive');
    const found = await search('tag:Paperwork');
    assert.deepEqual(found.map((f) => f.path ?? f.paths[0]).sort(), [scans, join(scans, 'receipts', 'shop.pdf'), join(scans, 'tax.pdf')].sort());
    const file = found.find((f) => f.path === join(scans, 'tax.pdf'))!;
    assert.match(file.content_uuid ?? '', /^[0-9a-f-]{36}$/, 'a file outside the locations is hashed: its tag is its content\'s');
    await ok('meta', 'set', scans, '--rating', '4', '--note', 'for the accountant');
    const m = json<Meta>(await ok('--json', 'meta', 'show', scans));
    assert.deepEqual([m.rating, m.note, m.tags, m.object?.kind, m.object?.path], [4, 'for the accountant', ['Paperwork'], 'folder', scans]);
    assert.deepEqual((await search('rating:>=4')).map((f) => f.path), [scans]);
    assert.deepEqual(await search('tag:Paperwork receipts'), [], 'a word must be in the name: "receipts" names only a folder no tag is on');
    assert.deepEqual((await search('tag:Paperwork shop')).map((f) => f.path), [join(scans, 'receipts', 'shop.pdf')]);
  });

  it('follows a folder renamed on its drive by its inode, the objects beneath it too', async () => {
    const moved = join(tmp.path, 'Documents', 'scans-2024');
    renameSync(scans, moved);
    await ok('tag', 'add', 'Archive', moved);
    const m = json<Meta>(await ok('--json', 'meta', 'show', moved));
    assert.deepEqual([m.object?.path, m.rating, [...m.tags].sort()], [moved, 4, ['Archive', 'Paperwork']], 'the same folder, its user data kept');
    assert.deepEqual((await search('tag:Paperwork')).map((f) => f.path ?? f.paths[0]).sort(), [moved, join(moved, 'receipts', 'shop.pdf'), join(moved, 'tax.pdf')].sort());
  });

  it('a search finds a tagged folder renamed beside itself at its new name, and a deleted one no more', async () => {
    const letters = join(tmp.path, 'Documents', 'Letters');
    mkdirSync(letters);
    await ok('tag', 'add', 'Mail', letters);
    const renamed = join(tmp.path, 'Documents', 'Letters 2024');
    renameSync(letters, renamed);
    assert.deepEqual((await search('tag:Mail')).map((f) => f.path), [renamed], 'found at its new name, though nothing named it since');
    assert.deepEqual((await search('tag:Mail 2024')).map((f) => f.path), [renamed], 'its words are its new name\'s');
    rmSync(renamed, { recursive: true });
    mkdirSync(letters);
    assert.deepEqual(await search('tag:Mail'), [], 'deleted: no hit, and a new folder at its old path is another folder');
  });

  it('takes a tag off a folder; a folder that carries nothing is no result', async () => {
    await ok('tag', 'remove', 'Holiday', join(photos, 'Trip 2024'));
    assert.deepEqual(await search('tag:Holiday'), []);
    const none = await cliHere(['meta', 'show', join(photos)], env);
    assert.notEqual(none.code, 0);
    assert.match(none.stderr, /carries nothing/);
  });
});
