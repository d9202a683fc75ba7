/**
 * Issue 59 item 4: `vss location rescan PATH/SUB` re-reads that folder and what is beneath it,
 * nothing else of the location: `scanned_files` counts the subtree alone, what changed in it is
 * indexed, a change elsewhere waits for its own scan. In this process and through the daemon (its
 * route carries the folder), over real files.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { json, tempDir, type CliResult } from '../helpers.js';
import { cliHere } from '../support/cli-here.js';

interface Rescanned { location_id: number; folder?: string; scanned_files: number; files: number; added: number }
interface Listed { name: string }

describe('vss location rescan of one folder (issue 59 item 4)', () => {
  const tmp = tempDir('vss-subtree-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  const photos = join(tmp.path, 'photos');
  const run = (...args: string[]): Promise<CliResult> => cliHere(args, env);
  const ok = async (...args: string[]): Promise<CliResult> => {
    const r = await run(...args);
    assert.equal(r.code, 0, `vss ${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  const names = async (folder: string) => json<Listed[]>(await ok('--json', 'ls', `/photos${folder}`)).map((e) => e.name).sort();

  before(async () => {
    for (const d of ['2024/trip/day1', '2024/trip/day2', '2023', 'other']) mkdirSync(join(photos, d), { recursive: true });
    for (const d of ['2024/trip/day1', '2024/trip/day2']) for (let i = 0; i < 5; i++) writeFileSync(join(photos, d, `${i}.txt`), `${d} ${i}\n`);
    for (let i = 0; i < 20; i++) writeFileSync(join(photos, '2023', `${i}.txt`), `2023 ${i}\n`);
    writeFileSync(join(photos, '2024', 'top.txt'), 'top\n');
    await ok('library', 'create', 'Subtree', '--path', join(tmp.path, 'lib'));
    await ok('location', 'add', photos, '--mode', 'content');
  });
  after(async () => {
    await run('daemon', 'stop');
    tmp.cleanup();
  });

  it('counts and indexes the subtree alone; the rest of the location is not read', async () => {
    writeFileSync(join(photos, '2024', 'trip', 'day2', 'new.txt'), 'added in the subtree\n');
    writeFileSync(join(photos, 'other', 'elsewhere.txt'), 'added outside it\n');
    const r = json<Rescanned>(await ok('--json', 'location', 'rescan', join(photos, '2024', 'trip')));
    assert.equal(r.folder, '2024/trip');
    assert.equal(r.scanned_files, 11, 'the ten files beneath 2024/trip and the one added: not 2023\'s twenty, nor top.txt');
    assert.equal(r.added, 1);
    assert.equal(r.files, 32, 'the location\'s totals, as they are now in the index');
    assert.ok((await names('/2024/trip/day2')).includes('new.txt'), 'indexed at once');
    assert.deepEqual(await names('/other'), [], 'a file outside the folder waits for its own scan');
    const whole = json<Rescanned>(await ok('--json', 'location', 'rescan', photos));
    assert.equal(whole.folder, undefined);
    assert.equal(whole.scanned_files, 33);
    assert.deepEqual(await names('/other'), ['elsewhere.txt']);
  });

  it('refuses --force and --mode with a folder, and a folder in no location', async () => {
    const forced = await run('location', 'rescan', join(photos, '2023'), '--force');
    assert.notEqual(forced.code, 0);
    assert.match(forced.stderr, /--force reads a whole location again/);
    const mode = await run('location', 'rescan', join(photos, '2023'), '--mode', 'shallow');
    assert.notEqual(mode.code, 0);
    assert.match(mode.stderr, /--mode changes a whole location/);
    const nowhere = await run('location', 'rescan', tmp.path);
    assert.notEqual(nowhere.code, 0);
    assert.match(nowhere.stderr, /no location has the id, name or folder/);
  });

  it('answers the same through the daemon', async () => {
    await ok('daemon', 'start');
    writeFileSync(join(photos, '2023', 'late.txt'), 'late\n');
    const r = json<Rescanned>(await ok('--json', 'location', 'rescan', join(photos, '2023')));
    assert.deepEqual([r.folder, r.scanned_files], ['2023', 21]);
  });
});
