import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { json, tempDir, until } from '../helpers.js';
import { cliHere as runCli } from '../support/cli-here.js';
import { pairDaemons } from '../sync-peers.js';
import { Installation } from '../../src/library/installation.js';
import { removalBody, signMemberBody } from '../../src/tags/member-record.js';
import { recordMember } from '../../src/sync/members/record-member.js';

interface Device { id: string; name: string; online: boolean; refuses_this_device: string | null }
interface Status { removed_from: Array<{ library: string; by: string }> }

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0'];

/**
 * Issue 57, N2 and "a removed device is never told", with three real daemons over loopback: the
 * laptop made the library; the desktop and the server joined it and may remove and be relayed,
 * not admit. The server may not remove the laptop; a removal of it made anyway (an older vss, or
 * a member forging it) reaches the desktop and the laptop and counts for nothing there, and the
 * laptop's own removal of the server then reaches the desktop. The server, removed while online,
 * is told, and says so.
 */
describe('removing a member takes the right to, and the removed device is told', () => {
  const tmp = tempDir('vss-member-removal-');
  const device = (d: string): Record<string, string> => ({ VSS_DATA_DIR: join(tmp.path, d) });
  const [A, B, C] = [device('laptop'), device('desktop'), device('server')];
  after(async () => {
    await Promise.all([A, B, C].map((e) => runCli(['daemon', 'stop'], e)));
    tmp.cleanup();
  });
  const ok = async <T>(env: Record<string, string>, args: string[]): Promise<T> => {
    const r = await runCli([...args, '--json'], env);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return json<T>(r);
  };
  const devices = (env: Record<string, string>) => ok<Device[]>(env, ['devices', 'list']);
  const named = async (env: Record<string, string>, name: string) => (await devices(env)).find((d) => d.name === name);

  before(async () => {
    assert.equal((await runCli(['library', 'create', 'Home', '--path', join(tmp.path, 'libs')], A)).code, 0);
    for (const [env, name] of [[A, 'Laptop'], [B, 'Desktop'], [C, 'Server']] as const) {
      assert.equal((await runCli(['device', 'rename', name], env)).code, 0);
      assert.equal((await runCli(['daemon', 'start', ...LOOPBACK], env)).code, 0);
    }
    await pairDaemons(A, B);
    await pairDaemons(A, C);
    await until('the desktop reaches the server', 45_000, async () => (await named(B, 'Server'))?.online || undefined);
  });

  it('a plain member may not remove the founder: refused with the reason, nothing recorded', async () => {
    const laptop = (await named(C, 'Laptop'))!;
    const r = await runCli(['devices', 'remove', laptop.id], C);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /this device may not remove Laptop from Home: Laptop made the library, and only a device that may admit removes it/);
    assert.ok(await named(C, 'Laptop'), 'still trusted');
  });

  it('a removal of the founder made anyway counts for nothing at every member, and the founder\'s removal of its author reaches them', async () => {
    // What an older vss would have recorded: the server's signed removal of the laptop, in its library, sent on at its next start.
    const laptop = (await named(C, 'Laptop'))!;
    await ok(C, ['daemon', 'stop']);
    const lib = new Installation({ dataDir: C.VSS_DATA_DIR }).openLibrary();
    try {
      const me = lib.device;
      const key = JSON.parse(readFileSync(join(C.VSS_DATA_DIR!, 'paired-devices.json'), 'utf8')).devices.find((d: { device_uuid: string }) => d.device_uuid === laptop.id).public_key as string;
      const body = removalBody(lib.config.id, new Date().toISOString(), { uuid: me.uuid, name: me.name, key: me.publicKey }, { uuid: laptop.id, key });
      recordMember(lib, { body, sig_by: signMemberBody(body, readFileSync(join(C.VSS_DATA_DIR!, 'device.key'), 'utf8')), sig_member: null });
    } finally {
      lib.close();
    }
    await ok(C, ['daemon', 'start', ...LOOPBACK]);
    // A change the server makes after the removal: once the desktop and the laptop have it, they have the removal too.
    await ok(C, ['tag', 'create', 'after-the-removal']);
    for (const env of [B, A]) {
      await until('the server\'s change after its removal reaches the member', 30_000, async () => ((await ok<Array<{ name: string }>>(env, ['tag', 'list'])).some((t) => t.name === 'after-the-removal') ? true : undefined), 200);
    }
    assert.ok(await named(B, 'Laptop'), 'the desktop still trusts the laptop');
    assert.deepEqual((await ok<Status>(A, ['daemon', 'status'])).removed_from, [], 'the laptop is not out');
    await until('the laptop reaches the server again', 45_000, async () => (await named(A, 'Server'))?.online || undefined);
    await ok(A, ['devices', 'remove', (await named(A, 'Server'))!.id]);
    await until('the desktop takes in the laptop\'s removal of the server', 20_000, async () => ((await named(B, 'Server')) === undefined ? true : undefined), 200);
    await until('the desktop still reaches the laptop', 20_000, async () => (await named(B, 'Laptop'))?.online || undefined);
  });

  it('the removed server was told: it says so, instead of finding every member offline', async () => {
    const status = await until('the server knows it was removed', 20_000, async () => {
      const s = await ok<Status>(C, ['daemon', 'status']);
      return s.removed_from.length > 0 ? s : undefined;
    }, 200);
    assert.deepEqual(status.removed_from.map((r) => [r.library, r.by]), [['Home', 'Laptop']]);
    const list = await devices(C);
    assert.ok(list.length > 0);
    for (const d of list) assert.match(d.refuses_this_device ?? '', /^this device was removed from Home by Laptop on \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/, d.name);
    const human = await runCli(['daemon', 'status'], C);
    assert.match(human.stdout, /removed: {2}from Home by Laptop on .* UTC: its members refuse this device/);
  });
});
