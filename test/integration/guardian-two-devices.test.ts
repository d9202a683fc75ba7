import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GuardianAtRisk, GuardianStatus } from '../../src/api/index.js';
import { VSS_BIN, json, pairingCodeOf, runCli, tempDir, until } from '../helpers.js';

interface Status { listen: string[] }

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0'];

function write(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

/**
 * `vss guardian` between two real daemons over loopback (issue 30 item 1): the desktop counts the
 * laptop's copies (sent by the device-owned rows feed, with when the laptop verified them) beside
 * its own, a copy on the laptop is off-site, and it is offline once the laptop's daemon stops.
 */
describe('guardian across two devices: a paired device\'s copies count', () => {
  const tmp = tempDir('vss-guardian-2-');
  const A = { VSS_DATA_DIR: join(tmp.path, 'a') };
  const B = { VSS_DATA_DIR: join(tmp.path, 'b') };
  const photos = join(tmp.path, 'photos');
  const documents = join(tmp.path, 'documents');
  const children: ChildProcess[] = [];
  after(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    await Promise.all([runCli(['daemon', 'stop'], A), runCli(['daemon', 'stop'], B)]);
    tmp.cleanup();
  });
  const ok = async (env: Record<string, string>, ...args: string[]) => {
    const r = await runCli(args, env);
    assert.equal(r.code, 0, `vss ${args.join(' ')}: ${r.stderr}`);
    return r;
  };

  it('the laptop\'s copy makes a content held on both safe, off-site; one only on the laptop is single, and offline when it stops', async () => {
    write(join(photos, 'only-laptop.txt'), 'only on the laptop');
    write(join(photos, 'both.txt'), 'on both devices');
    write(join(documents, 'both.txt'), 'on both devices');
    await ok(A, 'library', 'create', 'Home', '--path', join(tmp.path, 'a-libs'));
    await ok(A, 'device', 'rename', 'Laptop');
    await ok(B, 'device', 'rename', 'Desktop');
    await ok(A, 'daemon', 'start', ...LOOPBACK);
    await ok(B, 'daemon', 'start', ...LOOPBACK);
    await ok(A, 'location', 'add', photos, '--name', 'Photos', '--mode', 'content');
    const addrA = json<Status>(await ok(A, 'daemon', 'status', '--json')).listen[0]!;
    const pairing = spawn(process.execPath, [VSS_BIN, 'pair', 'start', '--json'], { env: { ...process.env, ...A }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(pairing);
    const code = await pairingCodeOf(pairing);
    await ok(B, 'pair', 'join', ...code, '--peer', addrA, '--json');
    await ok(B, 'location', 'add', documents, '--name', 'Documents', '--mode', 'content');

    const s = await until('the laptop\'s contents counted on the desktop', 20_000, async () => {
      const got = json<GuardianStatus>(await ok(B, 'guardian', 'status', '--json'));
      return got.contents === 2 ? got : undefined;
    });
    assert.deepEqual([s.safe.contents, s.short.contents, s.single.contents, s.stale.contents], [1, 1, 1, 0]);
    assert.deepEqual(s.by_device.map((d) => [d.name, d.contents]), [['Desktop', 1], ['Laptop', 2]]);

    // Asking for a copy on two devices, one of them off this one: the content on both still meets it.
    await ok(B, 'guardian', 'policy', '--devices', '2', '--offsite', '1');
    const [single, ...rest] = json<GuardianAtRisk[]>(await ok(B, 'guardian', 'list', '--at-risk', '--json'));
    assert.equal(rest.length, 0);
    assert.deepEqual([single!.has, single!.short_by], [{ copies: 1, devices: 1, offsite: 1 }, { copies: 1, devices: 1, offsite: 0 }]);
    const [copy] = single!.copies;
    assert.deepEqual({ ...copy, device_id: null, verified_at: null }, {
      device_id: null, device_name: 'Laptop', location: 'Photos', path: join(photos, 'only-laptop.txt'), volume: null, verified_at: null, online: true,
    });
    assert.ok(copy!.verified_at !== null && Math.abs(copy!.verified_at - Date.now()) < 120_000, 'the laptop verified it when it indexed it, and said so');

    await ok(A, 'daemon', 'stop');
    const offline = await until('the laptop offline on the desktop', 20_000, async () => {
      const list = json<GuardianAtRisk[]>(await ok(B, 'guardian', 'list', '--at-risk', '--json'));
      return list[0]?.copies[0]?.online === false ? list : undefined;
    });
    assert.equal(offline.length, 1, 'an offline copy still counts');
  });
});
