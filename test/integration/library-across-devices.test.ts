import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { json, until } from '../helpers.js';
// The CLI in this process: these tests are about what it does, not its process (test/support/cli-here.ts).
import { cliHere as runCli } from '../support/cli-here.js';
import { laptopAndDesktop, LOOPBACK, writeText } from '../laptop-and-desktop.js';

interface Status { listen: string[]; pid?: number }
interface LsItem { name: string; kind: string; size: number; content_uuid: string | null; device: string; device_id: string; online: boolean }
interface Copy { device_id: string; device: string; path: string; address: string | null; online: boolean }
interface Content { content_uuid: string; kind: string; size: number; paths: string[]; copies: Copy[] }

/**
 * DESIGN §15 between two real daemons over loopback: the laptop indexes ~/Photos, the desktop
 * ~/Documents; once paired, each sees the other's folders and contents, changes travel within
 * seconds, and the laptop's files stay listed (offline) while it is off.
 */
describe('one library across two devices: see and list every device\'s files', () => {
  // Its setup and stop by the CLI in this process too (the runner the file's own calls use).
  const t = laptopAndDesktop('vss-libx-', runCli);
  const { tmp, A, B, photos, documents, ok } = t;
  after(() => t.stop());

  const ls = async (env: Record<string, string>, address?: string) => json<LsItem[]>(await runCli(['ls', ...(address ? [address] : []), '--json'], env));
  const names = (items: LsItem[]) => items.map((e) => e.name);

  it('a paired desktop lists the laptop\'s folders and contents, with their device', async () => {
    writeText(join(photos, 'beach.txt'), 'a day at the beach');
    writeText(join(photos, '2024', 'receipt.txt'), 'a scanned receipt');
    writeText(join(photos, '2024', 'trip', 'boat.txt'), 'a boat');
    writeText(join(documents, 'letter.txt'), 'dear desktop');

    await t.setUp();

    // Every device's locations, each with its device and whether it is online.
    const all = await until('both devices\' locations listed on B', 20_000, async () => {
      const items = await ls(B);
      return items.length === 2 ? items : undefined;
    });
    assert.deepEqual(all.map((e) => `${e.device}:/${e.name} ${e.online}`).sort(), ['Desktop:/Documents true', 'Laptop:/Photos true']);
    assert.deepEqual(names(await ls(B, 'Laptop:')), ['Photos']);
    // Its locations' rows may come before their folders' on a loaded machine: listed once they are there.
    const photosThere = await until('the laptop\'s folder listed on B', 20_000, async () => {
      const items = await ls(B, 'Laptop:/Photos');
      return items.length >= 2 ? items : undefined;
    });
    assert.deepEqual(names(photosThere), ['2024', 'beach.txt']);
    const year = await ls(B, 'Laptop:/Photos/2024');
    assert.deepEqual(names(year), ['receipt.txt', 'trip']);
    assert.equal(year[0]!.size, 17);
    assert.ok(year[0]!.content_uuid, 'a file of a content-mode location comes with its content');
    assert.deepEqual(names(await ls(B, 'Laptop:/Photos/2024/trip')), ['boat.txt']);
    // And the other way round.
    await until('B\'s documents on A', 20_000, async () => ((await ls(A, 'Desktop:/Documents')).length === 1 ? true : undefined));

    // content list: the whole library, each copy with its device.
    const contents = await until('every content listed on B', 20_000, async () => {
      const c = json<Content[]>(await runCli(['content', 'list', '--json'], B));
      return c.length === 4 ? c : undefined;
    });
    const receipt = contents.find((c) => c.content_uuid === year[0]!.content_uuid)!;
    assert.deepEqual(receipt.paths, [], 'no copy on this device');
    assert.deepEqual(receipt.copies.map((c) => [c.device, c.address, c.online]), [['Laptop', 'Laptop:/Photos/2024/receipt.txt', true]]);
    const letter = contents.find((c) => c.copies.some((x) => x.device === 'Desktop'))!;
    assert.deepEqual(letter.paths, [join(documents, 'letter.txt')]);
    assert.equal(json<Content[]>(await runCli(['content', 'list', '--device', 'Laptop', '--json'], B)).length, 3);
    assert.equal(json<Content[]>(await runCli(['content', 'list', '--device', 'local', '--json'], B)).length, 1);

    // The laptop's original copied to the desktop, verified, by uuid or by address.
    const desk = join(tmp.path, 'desk');
    mkdirSync(desk);
    const got = json<{ path: string; from_device: string; bytes_received: number }>(await runCli(['content', 'get', receipt.content_uuid, '--to', desk, '--json'], B));
    assert.deepEqual([got.path, got.from_device, got.bytes_received], [join(desk, 'receipt.txt'), 'Laptop', 17]);
    assert.equal(readFileSync(got.path, 'utf8'), 'a scanned receipt');
    const byAddress = json<{ path: string }>(await runCli(['content', 'get', 'Laptop:/Photos/beach.txt', '--to', desk, '--json'], B));
    assert.equal(readFileSync(byAddress.path, 'utf8'), 'a day at the beach');

    // The desktop's daemon streams a range of the laptop's original (a video seeking), keeping nothing.
    const statusB = json<{ http: string }>(await runCli(['daemon', 'status', '--json'], B));
    const auth = { authorization: `Bearer ${readFileSync(join(B.VSS_DATA_DIR, 'daemon.token'), 'utf8').trim()}` };
    const url = `${statusB.http}/api/libraries/current/content/${receipt.content_uuid}`;
    const part = await fetch(url, { headers: { ...auth, range: 'bytes=2-8' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), 'bytes 2-8/17');
    assert.equal(await part.text(), 'scanned');
    const whole = await fetch(url, { headers: auth });
    assert.equal(await whole.text(), 'a scanned receipt');
    assert.equal((await fetch(url, { headers: { ...auth, range: 'bytes=40-' } })).status, 416);

    // Search finds the laptop's files by name on the desktop.
    const found = await until('the receipt found on B', 15_000, async () => {
      const r = json<Array<{ content_uuid: string; paths: string[]; addresses?: string[] }>>(await runCli(['search', 'receipt', '--json'], B));
      return r.length > 0 ? r : undefined;
    });
    assert.equal(found[0]!.content_uuid, receipt.content_uuid);
    assert.deepEqual([found[0]!.paths, found[0]!.addresses], [[], ['Laptop:/Photos/2024/receipt.txt']]);

    // Bad addresses are refused with a reason.
    const nobody = await runCli(['ls', 'Phone:/Photos'], B);
    assert.equal(nobody.code, 1);
    assert.match(nobody.stderr, /no device "Phone"/);
    const escape = await runCli(['ls', 'Laptop:/Photos/../..'], B);
    assert.equal(escape.code, 2, escape.stderr);
  });

  it('a file added on the laptop is listed on the desktop within seconds; one removed goes', async () => {
    const started = Date.now();
    writeText(join(photos, '2024', 'trip', 'sunset.txt'), 'an evening');
    await until('the new file on B', 15_000, async () => (names(await ls(B, 'Laptop:/Photos/2024/trip')).includes('sunset.txt') ? true : undefined), 100);
    const seenMs = Date.now() - started;
    assert.ok(seenMs < 15_000, `listed after ${seenMs} ms`);
    rmSync(join(photos, '2024', 'trip'), { recursive: true });
    await until('the removed folder gone on B', 15_000, async () => (names(await ls(B, 'Laptop:/Photos/2024')).includes('trip') ? undefined : true), 100);
    const gone = await runCli(['ls', 'Laptop:/Photos/2024/trip'], B);
    assert.equal(gone.code, 1, 'nothing stays beneath a removed folder');
  });

  it('a renamed device is known by its new name', async () => {
    assert.equal((await runCli(['device', 'rename', 'Travel laptop'], A)).code, 0);
    await until('the new name on B', 15_000, async () => ((await ls(B)).some((e) => e.device === 'Travel laptop') ? true : undefined), 200);
    assert.deepEqual(names(await ls(B, 'Travel laptop:/Photos')), ['2024', 'beach.txt']);
  });

  it('with the laptop off, its files stay listed, offline', async () => {
    assert.equal((await runCli(['daemon', 'stop'], A)).code, 0);
    const items = await until('the laptop offline on B', 15_000, async () => {
      const l = await ls(B, 'Travel laptop:/Photos');
      return l.length > 0 && l.every((e) => !e.online) ? l : undefined;
    });
    assert.deepEqual(names(items), ['2024', 'beach.txt']);
    const c = json<Content[]>(await runCli(['content', 'list', '--device', 'Travel laptop', '--json'], B));
    assert.ok(c.length > 0 && c.every((x) => x.copies.every((y) => !y.online)));
    const off = await runCli(['content', 'get', 'Travel laptop:/Photos/beach.txt', '--to', tmp.path], B);
    assert.equal(off.code, 1);
    assert.match(off.stderr, /none of them online/);
  });

  it('unpairing the laptop drops its rows from the desktop', async () => {
    const laptop = (await ls(B)).find((e) => e.device === 'Travel laptop')!.device_id;
    // The laptop made the library: only a device that may admit removes it (N2). Back on, it lets the desktop admit.
    assert.equal((await runCli(['daemon', 'start', ...LOOPBACK], A)).code, 0);
    const desktop = json<Array<{ id: string; name: string }>>(await runCli(['devices', 'list', '--json'], A)).find((d) => d.name === 'Desktop')!;
    const granted = await runCli(['devices', 'rights', desktop.id, 'admit', 'remove', 'relay'], A);
    assert.equal(granted.code, 0, granted.stderr);
    // Refused whole, nothing changed, until the desktop has heard the grant.
    let refused = '';
    await until('the desktop may remove the laptop', 30_000, async () => {
      const r = await runCli(['devices', 'unpair', laptop], B);
      refused = r.stderr;
      return r.code === 0 ? true : undefined;
    }, 250).catch((err: Error) => assert.fail(`${err.message}: ${refused}`));
    assert.deepEqual((await ls(B)).map((e) => `${e.device}:/${e.name}`), ['Desktop:/Documents']);
    assert.equal(json<Content[]>(await runCli(['content', 'list', '--json'], B)).length, 1);
    const gone = await runCli(['ls', 'Travel laptop:/Photos'], B);
    assert.equal(gone.code, 1);
    assert.equal(json<unknown[]>(await runCli(['search', 'receipt', '--json'], B)).length, 0, 'nor found by search');
  });
});
