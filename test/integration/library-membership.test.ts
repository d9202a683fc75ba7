import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { json, tempDir, until } from '../helpers.js';
import { cliHere as runCli } from '../support/cli-here.js';
import { pairDaemons } from '../sync-peers.js';

interface Device { id: string; name: string; online: boolean; via: 'pairing' | 'library'; libraries: string[] }
interface Status { peer_id: string; listen: string[] }
interface Rights { libraries: Array<{ library: string; rights: string[] }> }

const LOOPBACK = ['--listen', '/ip4/127.0.0.1/tcp/0'];

/**
 * Pair once (issue 46) with three real daemons over loopback: the desktop and the server each join
 * the laptop's library once, by the laptop's code, and then trust, reach and sync with each other
 * without ever pairing (the laptop switched off to show it); a member removed by one member is
 * refused by every member.
 */
describe('a device joins the library, not each device', () => {
  const tmp = tempDir('vss-members-');
  const device = (d: string): Record<string, string> => ({ VSS_DATA_DIR: join(tmp.path, d) });
  const [A, B, C, D] = [device('laptop'), device('desktop'), device('server'), device('phone')];
  const photos = join(tmp.path, 'photos-b');
  after(async () => {
    await Promise.all([A, B, C, D].map((e) => runCli(['daemon', 'stop'], e)));
    tmp.cleanup();
  });
  const ok = async <T>(env: Record<string, string>, args: string[]): Promise<T> => {
    const r = await runCli([...args, '--json'], env);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return json<T>(r);
  };
  const devices = (env: Record<string, string>) => ok<Device[]>(env, ['devices', 'list']);

  before(async () => {
    mkdirSync(photos);
    writeFileSync(join(photos, 'harbour.txt'), 'a boat in the harbour');
    assert.equal((await runCli(['library', 'create', 'Home', '--path', join(tmp.path, 'libs')], A)).code, 0);
    for (const [env, name] of [[A, 'Laptop'], [B, 'Desktop'], [C, 'Server'], [D, 'Phone']] as const) {
      assert.equal((await runCli(['device', 'rename', name], env)).code, 0);
      assert.equal((await runCli(['daemon', 'start', ...LOOPBACK], env)).code, 0);
    }
  });

  it('joining through one member makes a device a member: the others trust and reach it within seconds, one pairing each', async () => {
    await pairDaemons(A, B);
    await pairDaemons(A, C);
    const joinedAt = Date.now();
    const server = await until('the desktop reaches the server it never paired with', 20_000, async () => (await devices(B)).find((d) => d.name === 'Server' && d.online));
    const desktop = await until('the server reaches the desktop', 20_000, async () => (await devices(C)).find((d) => d.name === 'Desktop' && d.online));
    console.log(`# all three members reach each other ${Date.now() - joinedAt} ms after the last join`);
    assert.equal(server.via, 'library');
    assert.equal(desktop.via, 'library');
    assert.deepEqual((await devices(A)).map((d) => [d.name, d.via]).sort(), [['Desktop', 'pairing'], ['Server', 'pairing']]);
  });

  it('only a device that may admit lets others in: a pairing with one that may not trusts the two alone; let admit, its next pairing lets the device in for all', async () => {
    const laptopSees = new Map((await devices(A)).map((d) => [d.name, d.id]));
    const server = (await devices(B)).find((d) => d.name === 'Server')!;
    // The laptop made the library: it alone may admit (and set what others may).
    assert.deepEqual((await ok<Rights>(A, ['devices', 'rights', laptopSees.get('Desktop')!])).libraries.map((l) => l.rights), [['remove', 'relay']]);
    const refused = await runCli(['devices', 'rights', server.id, 'admit'], B);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /may not set what others may do in Home: only a device that may admit does \(Laptop\)/);

    await pairDaemons(B, D);
    assert.deepEqual((await devices(D)).map((d) => [d.name, d.via]), [['Desktop', 'pairing']], 'the phone trusts the desktop alone: the library does not trust it');
    assert.deepEqual((await devices(B)).map((d) => d.name).sort(), ['Laptop', 'Phone', 'Server']);

    await ok(A, ['devices', 'rights', laptopSees.get('Desktop')!, 'admit,remove,relay']);
    // The desktop may set rights once it holds the laptop's grant: its first try that is not refused.
    await until('the desktop hears it may admit', 20_000, async () => ((await runCli(['devices', 'rights', server.id, 'remove,relay'], B)).code === 0 ? true : undefined), 200);
    await pairDaemons(B, D);
    await until('the server reaches the phone the desktop let in', 20_000, async () => (await devices(C)).find((d) => d.name === 'Phone' && d.online && d.via === 'library'));
    await until('the laptop trusts the phone', 20_000, async () => (await devices(A)).find((d) => d.name === 'Phone'));
  });

  it('the two members sync with each other directly, with the device that admitted both switched off', async () => {
    await ok(A, ['daemon', 'stop']);
    // The phone is away while the desktop adds its photos (the next case).
    await ok(D, ['daemon', 'stop']);
    await ok(B, ['location', 'add', photos, '--name', 'Photos', '--mode', 'content']);
    const boat = (await ok<Array<{ content_uuid: string }>>(B, ['search', 'harbour']))[0]!.content_uuid;
    await ok(B, ['tag', 'add', 'boats', boat]);
    await until('the server sees the desktop\'s file and its tag', 30_000, async () => {
      const r = await runCli(['search', 'tag:boats', '--json'], C);
      return r.code === 0 && json<unknown[]>(r).length === 1 ? true : undefined;
    }, 200);
  });

  it('a member never online with another gets its files through a third: the desktop off, the phone back sees them through the server', async () => {
    await ok(B, ['daemon', 'stop']);
    await ok(D, ['daemon', 'start', ...LOOPBACK]);
    const heard = Date.now();
    // The server holds the desktop's rows as the desktop signed them, and passes them on (issue 46 item 2).
    const found = await until('the phone finds the desktop\'s file', 30_000, async () => {
      const r = await runCli(['search', 'harbour', '--json'], D);
      return r.code === 0 && json<unknown[]>(r).length === 1 ? json<Array<{ paths?: string[] }>>(r)[0] : undefined;
    }, 200);
    console.log(`# the phone sees the desktop's file through the server ${Date.now() - heard} ms after it started`);
    assert.ok(JSON.stringify(found).includes('harbour.txt'), JSON.stringify(found));
    assert.ok(!(await devices(D)).find((d) => d.name === 'Desktop')?.online, 'the desktop is off: the rows came through the server');
    const listed = await runCli(['ls', 'Desktop:/Photos', '--json'], D);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /harbour\.txt/);
    await ok(B, ['daemon', 'start', ...LOOPBACK]);
  });

  it('a member removed by another is refused by every member, the one that admitted it too', async () => {
    // The desktop has just started again on a new port: the server is told of its removal only
    // over a connection (a device removed while away is refused, never told), and only the server
    // can pass the desktop's new address on to the laptop (loopback: no mDNS). So the desktop
    // removes it once it reaches it, as a user removes a device seen in the list.
    const server = await until('the desktop reaches the server again', 30_000, async () => (await devices(B)).find((d) => d.name === 'Server' && d.online), 200);
    await ok(B, ['devices', 'remove', server.id]);
    assert.ok(!(await devices(B)).some((d) => d.name === 'Server'), 'gone from the desktop at once');
    await until('the server is cut off from the desktop', 20_000, async () => ((await devices(C)).find((d) => d.name === 'Desktop')?.online === false ? true : undefined), 200);
    // The laptop was off: it hears of the removal from the desktop when it comes back.
    await ok(A, ['daemon', 'start', ...LOOPBACK]);
    const removedAt = Date.now();
    await until('the laptop forgets the server', 60_000, async () => (!(await devices(A)).some((d) => d.name === 'Server') ? true : undefined), 200);
    console.log(`# the laptop refuses the removed server ${Date.now() - removedAt} ms after it came back`);
    const laptopAddr = (await ok<Status>(A, ['daemon', 'status'])).listen[0]!;
    const r = await runCli(['devices', 'connect', laptopAddr], C);
    assert.notEqual(r.code, 0, 'the laptop does not let the removed server in');
  });

  it('shows and sets what a member may do without the daemon too (the same grant, read back)', async () => {
    const desktopId = (await devices(A)).find((d) => d.name === 'Desktop')!.id;
    assert.equal((await runCli(['daemon', 'stop'], A)).code, 0);
    const offline = { ...A, VSS_NO_DAEMON: '1' };
    assert.deepEqual((await ok<Rights>(offline, ['devices', 'rights', desktopId])).libraries.map((l) => l.rights), [['admit', 'remove', 'relay']]);
    assert.deepEqual((await ok<Rights>(offline, ['devices', 'rights', desktopId, 'remove'])).libraries.map((l) => l.rights), [['remove']]);
    assert.deepEqual((await ok<Rights>(offline, ['devices', 'rights', desktopId])).libraries.map((l) => l.rights), [['remove']]);
    const refused = await runCli(['devices', 'rights', desktopId, 'fly'], offline);
    assert.notEqual(refused.code, 0);
  });
});
