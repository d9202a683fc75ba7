import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { json, tempDir, until } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { pairDaemons } from '../sync-peers.js';

interface Paired { id: string; name: string; online: boolean }
interface PeerStatus { device_id: string; name: string }

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0'];

/**
 * A device's name between two real daemons over loopback (issue 28): the name chosen with
 * `device rename` while the daemon runs is the one paired with, `pair join --name` names the
 * joiner, and a rename after pairing reaches the paired device's list, its sync status and the
 * name a send is addressed by, also when that device was offline at the rename.
 */
describe('device names across paired devices', () => {
  const tmp = tempDir('vss-names-');
  const A = { VSS_DATA_DIR: join(tmp.path, 'a') };
  const B = { VSS_DATA_DIR: join(tmp.path, 'b') };
  const photos = join(tmp.path, 'photos-b');
  after(async () => {
    await Promise.all([runCli(['daemon', 'stop'], A), runCli(['daemon', 'stop'], B)]);
    tmp.cleanup();
  });
  const ok = async <T>(env: Record<string, string>, args: string[]): Promise<T> => {
    const r = await runCli([...args, '--json'], env);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return json<T>(r);
  };
  const pairedNames = async (env: Record<string, string>) => (await ok<Paired[]>(env, ['devices', 'list'])).map((d) => d.name);
  /** Until ENV's paired device goes by NAME in `devices list` (bounded). */
  const shownAs = (env: Record<string, string>, name: string) =>
    until(`the paired device shown as ${name}`, 20_000, async () => ((await pairedNames(env)).includes(name) ? true : undefined), 200);

  before(async () => {
    assert.equal((await runCli(['library', 'create', 'Home', '--path', join(tmp.path, 'a-libs')], A)).code, 0);
    for (const env of [A, B]) assert.equal((await runCli(['daemon', 'start', ...LOOPBACK], env)).code, 0);
  });

  it('a rename made while the daemon runs, before `pair start`, is the name paired with; `pair join --name` names the joiner', async () => {
    await ok(A, ['device', 'rename', 'Alpha']);
    const joined = await pairDaemons(A, B, ['--name', 'Bravo']);
    assert.match(joined.stdout, /^Paired with Alpha \(/m, 'the pairing itself says the new name');
    assert.deepEqual(await pairedNames(B), ['Alpha']);
    assert.deepEqual(await pairedNames(A), ['Bravo']);
    assert.equal((await ok<{ name: string }>(B, ['device', 'info'])).name, 'Bravo');
  });

  it('a rename after pairing reaches the paired device: its list, its sync status and a send addressed by name', async () => {
    await ok(A, ['device', 'rename', 'Alpha Two']);
    await shownAs(B, 'Alpha Two');
    const status = await ok<PeerStatus[]>(B, ['sync', 'status']);
    assert.deepEqual(status.map((s) => s.name), ['Alpha Two']);
    mkdirSync(photos);
    writeFileSync(join(photos, 'note.txt'), 'for Alpha\n');
    await ok(B, ['location', 'add', photos, '--name', 'Photos', '--mode', 'content']);
    const sent = await runCli(['files', 'send', join(photos, 'note.txt'), '--to', 'alpha two', '--detach'], B);
    assert.equal(sent.code, 0, `a send to the new name: ${sent.stderr}`);
    const old = await runCli(['files', 'send', join(photos, 'note.txt'), '--to', 'Alpha', '--detach'], B);
    assert.notEqual(old.code, 0, 'the old name names no device any more');
    assert.match(old.stderr, /no paired device "Alpha" \(paired: Alpha Two\)/);
  });

  it('a device offline at the rename hears the new name when it connects again', async () => {
    assert.equal((await runCli(['daemon', 'stop'], B)).code, 0);
    await ok(A, ['device', 'rename', 'Alpha Three']);
    assert.deepEqual(await pairedNames(B), ['Alpha Two'], 'not heard yet');
    assert.equal((await runCli(['daemon', 'start', ...LOOPBACK], B)).code, 0);
    await shownAs(B, 'Alpha Three');
  });
});
