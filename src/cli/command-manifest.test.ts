import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { COMMAND_MANIFEST } from './command-manifest.js';
import { manifestOf } from './manifest-gen.js';
import { commandAsked, programFor, wholeProgram } from './program-for.js';

/**
 * The command line loads only the module of the command asked (issue 43): its manifest must be
 * what the modules of commands make now, and the program made from it must be the whole one for
 * everything a user can ask of it (help, a command, its help).
 */
describe('the command manifest (cli/command-manifest.ts)', () => {
  it('is what the modules of commands make now (else: npm run gen:cli)', async () => {
    assert.deepEqual(COMMAND_MANIFEST, await manifestOf(), 'the manifest is behind the commands: run `npm run gen:cli` and build again');
  });

  it('makes the same help as the whole program, listing every command', async () => {
    const whole = await wholeProgram();
    for (const argv of [[], ['--help'], ['help'], ['--json']]) {
      assert.equal((await programFor(argv)).helpInformation(), whole.helpInformation(), JSON.stringify(argv));
    }
  });

  it('loads, for a command asked, the module that adds it, whole: its help is the whole program\'s', async () => {
    const whole = await wholeProgram();
    for (const e of COMMAND_MANIFEST) {
      const lazy = (await programFor([e.name])).commands.find((c) => c.name() === e.name);
      const full = whole.commands.find((c) => c.name() === e.name)!;
      assert.ok(lazy, e.name);
      assert.equal(lazy.helpInformation(), full.helpInformation(), e.name);
      assert.deepEqual(lazy.commands.map((c) => c.helpInformation()), full.commands.map((c) => c.helpInformation()), e.name);
    }
  });

  it('finds the command past the root options and their values, and NAME in `help NAME`', () => {
    assert.equal(commandAsked(['tag', 'list']), 'tag');
    assert.equal(commandAsked(['--json', '--data-dir', '/d', 'tag', 'list']), 'tag');
    assert.equal(commandAsked(['--library', 'tag', 'list']), 'list', 'a value is not a command');
    assert.equal(commandAsked(['--library=x', 'album']), 'album');
    assert.equal(commandAsked(['help', 'files']), 'files');
    assert.equal(commandAsked(['help']), 'help');
    assert.equal(commandAsked(['--version']), undefined);
    assert.equal(commandAsked([]), undefined);
  });

  it('loads every module for a word the manifest does not know, so a command it is behind on still runs', async () => {
    const p = await programFor(['no-such-command']);
    assert.deepEqual(p.commands.map((c) => c.name()), (await wholeProgram()).commands.map((c) => c.name()));
  });
});
