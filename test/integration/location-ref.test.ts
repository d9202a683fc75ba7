import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';

interface Loc { id: number; name: string; paused: boolean }

/** A location is named on the command line by its id, its name or its folder (real CLI, real folders). */
describe('location commands take an id, a name or a folder', () => {
  const tmp = tempDir('vss-locref-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  after(() => tmp.cleanup());

  it('finds each location the way a user names it, and refuses what names none or two', async () => {
    for (const parent of ['home', 'phone']) {
      mkdirSync(join(tmp.path, parent, 'photos'), { recursive: true });
      writeFileSync(join(tmp.path, parent, 'photos', `${parent}.txt`), parent);
    }
    mkdirSync(join(tmp.path, 'scans'));
    symlinkSync(join(tmp.path, 'scans'), join(tmp.path, 'scans-link'));
    assert.equal((await runCli(['library', 'create', 'L', '--path', join(tmp.path, 'libs')], env)).code, 0);
    for (const dir of ['home/photos', 'phone/photos', 'scans']) assert.equal((await runCli(['location', 'add', join(tmp.path, dir)], env)).code, 0);
    const [home, phone, scans] = json<Loc[]>(await runCli(['location', 'list', '--json'], env)) as [Loc, Loc, Loc];
    assert.deepEqual([home.name, phone.name, scans.name], ['photos', 'photos', 'scans']);

    const paused = async (ref: string, opts = {}) => json<Loc>(await runCli(['location', 'pause', ref, '--json'], env, opts));
    assert.equal((await paused(String(phone.id))).id, phone.id, 'by id');
    assert.equal((await paused('scans')).id, scans.id, 'by name');
    assert.equal((await paused(join(tmp.path, 'home', 'photos'))).id, home.id, 'by absolute folder');
    assert.equal((await paused('photos/', { cwd: join(tmp.path, 'phone') })).id, phone.id, "by a folder relative to the shell's directory, before a name");
    assert.equal((await paused(join(tmp.path, 'scans-link'))).id, scans.id, 'through a symbolic link');

    const twoNamed = await runCli(['location', 'rescan', 'photos'], env, { cwd: tmp.path });
    assert.equal(twoNamed.code, 2);
    assert.match(twoNamed.stderr, new RegExp(`"photos" could be location ${home.id} or ${phone.id}: give its id`));
    // A folder named like another location's id: neither is guessed (`remove` would forget the wrong one).
    mkdirSync(join(tmp.path, String(home.id)));
    assert.equal((await runCli(['location', 'add', join(tmp.path, String(home.id))], env)).code, 0);
    const idOrFolder = await runCli(['location', 'remove', String(home.id)], env, { cwd: tmp.path });
    assert.equal(idOrFolder.code, 2, idOrFolder.stderr);
    assert.match(idOrFolder.stderr, new RegExp(`"${home.id}" could be location ${home.id} or \\d+`));
    assert.equal((await paused(`./${home.id}`, { cwd: tmp.path })).name, String(home.id), 'a slash makes it a folder');
    assert.equal(json<Loc[]>(await runCli(['location', 'list', '--json'], env)).length, 4);
    assert.equal((await runCli(['location', 'remove', `./${home.id}`], env, { cwd: tmp.path })).code, 0);
    for (const ref of ['nope', '99', join(tmp.path, 'home')]) {
      const none = await runCli(['location', 'remove', ref], env);
      assert.equal(none.code, 2, ref);
      assert.match(none.stderr, /no location has the id, name or folder/);
    }
    assert.equal(json<Loc[]>(await runCli(['location', 'list', '--json'], env)).length, 3, 'nothing was removed');
  });
});
