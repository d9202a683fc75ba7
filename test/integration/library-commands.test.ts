import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { json, tempDir } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';

interface Ref { id: string; name: string; path: string }
interface Stats { contents: number; files: number; bytes: number; locations: number; sidecars: Record<string, Record<string, number>> }

/** `library switch | close | stats`, in-process and through a daemon (which lets go of a closed library). */
describe('library switch, close and stats', () => {
  const tmp = tempDir('vss-libcmd-');
  const env = { VSS_DATA_DIR: join(tmp.path, 'data') };
  after(async () => {
    await runCli(['daemon', 'stop'], env);
    tmp.cleanup();
  });
  const create = async (name: string, dir: string) => json<Ref>(await runCli(['library', 'create', name, '--path', join(tmp.path, dir), '--json'], env));

  it('switches by name, by id or its start; a shared name needs the id; an unknown one is not found', async () => {
    const a = await create('Photos', 'a');
    const b = await create('Photos', 'b');
    const c = await create('Work', 'c');
    assert.equal(json<Ref>(await runCli(['library', 'switch', 'Work', '--json'], env)).id, c.id);
    const shared = await runCli(['library', 'switch', 'Photos'], env);
    assert.equal(shared.code, 2, shared.stderr);
    assert.match(shared.stderr, /names 2 libraries: give one by id/);
    assert.match(shared.stderr, new RegExp(a.id));
    assert.equal(json<Ref>(await runCli(['library', 'switch', b.id, '--json'], env)).path, b.path);
    assert.equal(json<Ref>(await runCli(['library', 'switch', a.id.slice(0, 8), '--json'], env)).path, a.path);
    assert.equal(json<Ref>(await runCli(['library', 'current', '--json'], env)).path, a.path);
    const none = await runCli(['library', 'switch', 'Holidays'], env);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no library "Holidays" on this device/);
  });

  it('counts what a library holds', async () => {
    const pics = join(tmp.path, 'pics');
    mkdirSync(join(pics, 'sub'), { recursive: true });
    writeFileSync(join(pics, 'one.txt'), 'one');
    writeFileSync(join(pics, 'sub', 'two.txt'), 'two!');
    writeFileSync(join(pics, 'sub', 'copy.txt'), 'one');
    assert.equal((await runCli(['location', 'add', pics, '--mode', 'content'], env)).code, 0);
    const s = json<Stats>(await runCli(['library', 'stats', '--json'], env));
    assert.deepEqual({ contents: s.contents, files: s.files, bytes: s.bytes, locations: s.locations }, { contents: 2, files: 3, bytes: 10, locations: 1 });
    assert.deepEqual(s.sidecars, {}, 'content mode makes no sidecars');
    const text = await runCli(['library', 'stats'], env);
    assert.match(text.stdout, /contents:\s+2 /);
  });

  it('close: no library is current; through a daemon the library is let go of (its lock gone) and opened again when named', async () => {
    const current = json<Ref>(await runCli(['library', 'current', '--json'], env));
    assert.equal((await runCli(['daemon', 'start'], env)).code, 0);
    assert.equal(json<Stats>(await runCli(['library', 'stats', '--json'], env)).contents, 2, 'the daemon holds it');
    assert.ok(existsSync(join(current.path, '.sdlibrary.lock')), 'held by the daemon');
    const closed = json<Ref & { was_current: boolean }>(await runCli(['library', 'close', '--json'], env));
    assert.deepEqual({ path: closed.path, was_current: closed.was_current }, { path: current.path, was_current: true });
    assert.equal(existsSync(join(current.path, '.sdlibrary.lock')), false, 'the daemon let go of it');
    const nothing = await runCli(['library', 'current'], env);
    assert.equal(nothing.code, 1);
    assert.match(nothing.stderr, /no library is selected/);
    assert.equal(json<Stats>(await runCli(['--library', current.path, 'library', 'stats', '--json'], env)).contents, 2, 'named again: opened again');
    assert.equal(json<Ref>(await runCli(['library', 'switch', current.id, '--json'], env)).path, current.path);
  });
});
